"""``clone --help`` and ``clone --version`` are answered without click (clone/cli/quick.py):
byte for byte what the click group prints, at every width click can choose."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from clone.cli import quick
from clone.cli.group import cli


def _clicks_help(width: int) -> str:
    """What the click group prints for ``clone --help`` when its formatter is ``width`` wide."""
    ctx = click.Context(cli, info_name="clone", terminal_width=width, **cli.context_settings)
    return ctx.get_help() + "\n"  # as click.echo prints it


@pytest.mark.parametrize("width", range(50, 79))  # all click can choose: 80 - 2 at most
def test_the_help_is_clicks_at_every_width(width: int) -> None:
    assert quick.help_text(width) == _clicks_help(width)


@pytest.mark.parametrize(
    "columns", [None, "", "abc", "-3", "0", "1", "52", "60", "80", "81", "300"]
)
def test_the_width_is_the_one_click_chooses(
    columns: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert quick._terminal_columns() == shutil.get_terminal_size().columns
    assert quick.help_width() == click.HelpFormatter().width


def test_the_version_is_clicks() -> None:
    version = importlib.metadata.version("clonespace")
    assert quick.answer(["--version"]) == f"clone, version {version}\n"
    assert CliRunner().invoke(cli, ["--version"]).output == quick.answer(["--version"])


def test_only_help_and_version_are_answered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("_CLONE_COMPLETE", raising=False)
    assert quick.answer([]) == quick.answer(["-h"]) == quick.answer(["--help"]) is not None
    for args in (["list"], ["--debug", "--help"], ["list", "--help"], ["--version", "x"]):
        assert quick.answer(args) is None
    monkeypatch.setenv("_CLONE_COMPLETE", "bash_complete")  # shell completion is click's
    assert quick.answer(["--help"]) is None


@pytest.mark.parametrize("args", [["--help"], [], ["--version"]])
def test_the_script_prints_what_the_click_group_prints(args: list[str], tmp_path: Path) -> None:
    """End to end, in fresh interpreters: ``clone ARGS`` and the click group run directly."""
    env = {**os.environ, "CLONE_HOME": str(tmp_path / "home"), "COLUMNS": "64"}
    env.pop("_CLONE_COMPLETE", None)
    quick_run = subprocess.run(
        [sys.executable, "-m", "clone", *args], env=env, capture_output=True, text=True
    )
    via_click = subprocess.run(
        [sys.executable, "-c", f"from clone.cli.group import cli; cli.main({args!r})"],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert (quick_run.returncode, quick_run.stdout) == (via_click.returncode, via_click.stdout)
    assert quick_run.returncode == 0 and quick_run.stdout and not quick_run.stderr


def test_with_stdout_closed_it_ends_as_the_click_group_does(tmp_path: Path) -> None:
    env = {**os.environ, "CLONE_HOME": str(tmp_path / "home")}
    env.pop("_CLONE_COMPLETE", None)
    via_click = "-c 'from clone.cli.group import cli; cli.main([\"--help\"])'"
    ends = []
    for code in ("-m clone --help", via_click):
        argv = ["sh", "-c", f'"$0" {code} >&-', sys.executable]  # stdout closed
        done = subprocess.run(argv, env=env, capture_output=True, text=True)
        ends.append((done.returncode, done.stderr))
    assert ends == [(0, ""), (0, "")]


def test_a_plugin_that_fails_to_load_is_reported_as_the_click_group_does(tmp_path: Path) -> None:
    metadata = tmp_path / "site" / "broken_tool-1.0.dist-info"
    metadata.mkdir(parents=True)
    (metadata / "entry_points.txt").write_text("[clonespace.commands]\nsnap = no_such_module:ROW\n")
    env = {**os.environ, "CLONE_HOME": str(tmp_path / "home")}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "site"), *sys.path[1:]])
    env.pop("_CLONE_COMPLETE", None)
    via_click = "from clone.cli.group import cli; cli.main(['--help'])"
    quick_run, click_run = (
        subprocess.run([sys.executable, *how], env=env, capture_output=True, text=True)
        for how in (["-m", "clone", "--help"], ["-c", via_click])
    )
    end = (quick_run.returncode, quick_run.stdout, quick_run.stderr)
    assert end == (
        1, "", "clone: error: internal error: ModuleNotFoundError: No module named "
        "'no_such_module'; rerun with --debug and report it\n",
    )  # fmt: skip
    assert end == (click_run.returncode, click_run.stdout, click_run.stderr)


def test_a_plugin_naming_its_click_command_is_listed_through_click(tmp_path: Path) -> None:
    """An entry point may name the click command itself (not a row): ``clone --help`` then
    goes through the click group, which asks the command its help, and lists it as before."""
    site = tmp_path / "site"
    (site / "snap_tool-1.0.dist-info").mkdir(parents=True)
    (site / "snap_tool-1.0.dist-info" / "entry_points.txt").write_text(
        "[clonespace.commands]\nsnap = snap_tool:snap_cmd\n"
    )
    (site / "snap_tool.py").write_text(
        "import click\n\n"
        "@click.command('snap')\n"
        "def snap_cmd() -> None:\n"
        '    """Take a snapshot of every clone."""\n'
    )
    env = {**os.environ, "CLONE_HOME": str(tmp_path / "home"), "COLUMNS": "80"}
    env["PYTHONPATH"] = os.pathsep.join([str(site), *sys.path[1:]])
    env.pop("_CLONE_COMPLETE", None)
    via_click = "from clone.cli.group import cli; cli.main(['--help'])"
    quick_run, click_run = (
        subprocess.run([sys.executable, *how], env=env, capture_output=True, text=True)
        for how in (["-m", "clone", "--help"], ["-c", via_click])
    )
    assert "  snap      Take a snapshot of every clone.\n" in quick_run.stdout
    assert "  ui        Open the launcher" in quick_run.stdout
    assert (quick_run.returncode, quick_run.stdout) == (0, click_run.stdout)
