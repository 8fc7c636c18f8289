"""What the CLI imports, in a fresh interpreter: listing clones that need no device imports
no adb client (``adbutils`` pulls in ``requests``; issue 13's start-up cost); ``clone --help``
lists the commands from the command table without importing their modules, and a command
imports only its own."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from clone.cli import cli
from clone.cli.table import COMMANDS
from clone.registry import Backend, CloneRecord, Registry
from launcher_ui.command import UI

_LIST_THEN_REPORT = """
import sys
from clone.cli import main
try:
    main(["list", "--json"])
except SystemExit:
    pass
print("adbutils" in sys.modules, "requests" in sys.modules, file=sys.stderr)
"""


def _imports_after_list(clone_home: Path) -> str:
    env = {"CLONE_HOME": str(clone_home), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", _LIST_THEN_REPORT], env=env, capture_output=True, text=True
    )
    return done.stderr.strip().splitlines()[-1]


def test_listing_an_empty_registry_imports_no_adb_client(tmp_path: Path) -> None:
    assert _imports_after_list(tmp_path / "home") == "False False"


def test_listing_host_clones_imports_no_adb_client(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with Registry(home / "registry.sqlite") as registry:
        registry.add(CloneRecord("notes", 1, Backend.HOST, source_package="notes"))
    assert _imports_after_list(home) == "False False"


# the modules ``clone --help`` has no need of: the commands' own, and what they bring
COMMAND_MODULES = [
    *("clone.cli.build", "clone.cli.demo", "clone.cli.device", "clone.cli.host"),
    *("clone.cli.identity", "clone.cli.listing", "clone.cli.transfer"),
]
HEAVY = ["clone.space", "clone.registry", "identity", "importlib.metadata", "launcher_ui.app"]
HELP_ONLY = ["clone.cli.quick", "clone.cli.plugins"]

_RUN_THEN_REPORT = """
import json
import sys
from clone.cli import main
try:
    main({args!r})
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {watched!r} if m in sys.modules)), file=sys.stderr)
"""


def _imported(args: list[str], clone_home: Path) -> list[str]:
    """Which of the command modules and HEAVY a fresh ``clone ARGS`` imported."""
    env = {"CLONE_HOME": str(clone_home), "PATH": "/usr/bin:/bin"}
    code = _RUN_THEN_REPORT.format(args=args, watched=[*COMMAND_MODULES, *HEAVY, *HELP_ONLY])
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    return list(json.loads(done.stderr.strip().splitlines()[-1]))


def test_help_imports_no_command_module(tmp_path: Path) -> None:
    assert _imported(["--help"], tmp_path / "home") == sorted(HELP_ONLY)


# what ``clone --help`` and ``clone --version`` have no need of (clone/cli/quick.py): click
# (the group, a plugin's command module), typing, and shutil (the bz2 and lzma modules)
NOT_FOR_HELP = ["click", "clone.cli.group", "launcher_ui.cli", "typing", "shutil"]


@pytest.mark.parametrize("args", [["--help"], ["-h"], [], ["--version"]])
def test_help_and_version_import_neither_click_nor_typing(args: list[str], tmp_path: Path) -> None:
    code = _RUN_THEN_REPORT.format(args=args, watched=[*NOT_FOR_HELP, *HEAVY])
    env = {"CLONE_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.stdout.startswith("Usage: clone" if args != ["--version"] else "clone, version")
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []


@pytest.mark.parametrize(
    ("args", "own"),
    [
        (["host", "--help"], "clone.cli.host"),
        (["build", "--help"], "clone.cli.build"),
        (["export", "--help"], "clone.cli.transfer"),
    ],
)
def test_a_command_imports_only_its_own_module(args: list[str], own: str, tmp_path: Path) -> None:
    assert [m for m in _imported(args, tmp_path / "home") if m in COMMAND_MODULES] == [own]


def test_listing_clones_imports_only_its_command_module(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with Registry(home / "registry.sqlite") as registry:
        registry.add(CloneRecord("notes", 1, Backend.HOST, source_package="notes"))
    imported = _imported(["list", "--json"], home)
    assert "identity" not in imported and "importlib.metadata" not in imported
    assert [m for m in imported if m in COMMAND_MODULES] == ["clone.cli.listing"]
    # nor what only ``clone --help``/``--version`` need: no plugin is looked for
    assert "clone.cli.quick" not in imported and "clone.cli.plugins" not in imported


# what ``clone list`` on an empty registry has no need of (clone/cli/quick_list.py): click
# and the group, typing, the command's module and the listing workflow, the registry's model
# (its records and their typed states), and the adb client, even with --adb
NOT_FOR_AN_EMPTY_LIST = [
    *("click", "clone.cli.group", "clone.cli.listing", "clone.cli.output", "typing"),
    *("clone.workflows.listing", "clone.registry", "clone.state"),
    *("clone.workflows.device_access", "device.adb", "adbutils", "requests"),
    *("clone.cli.quick", "clone.cli.plugins", "importlib.metadata", "identity"),
]


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["list", "--json"],
        ["--debug", "list", "--adb", "10.0.0.2:5037"],
        ["list", "--adb=farm", "--json"],
    ],
)
@pytest.mark.parametrize("demo", [False, True])
def test_listing_an_empty_registry_imports_neither_click_nor_the_model(
    args: list[str], demo: bool, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    if demo:  # the note then names the demo's clones
        (home / "demo" / "clone-home").mkdir(parents=True)
        Registry(home / "demo" / "clone-home" / "registry.sqlite").close()
    code = _RUN_THEN_REPORT.format(args=args, watched=NOT_FOR_AN_EMPTY_LIST)
    env = {"CLONE_HOME": str(home), "PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.stdout == ("[]\n" if "--json" in args else "")
    assert "no clones yet" in done.stderr or "--json" in args
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []


def test_checking_an_adb_option_imports_no_adb_client(tmp_path: Path) -> None:
    """``--adb`` is checked before the command runs; listing host clones with it still
    needs no device."""
    home = tmp_path / "home"
    home.mkdir()
    with Registry(home / "registry.sqlite") as registry:
        registry.add(CloneRecord("notes", 1, Backend.HOST, source_package="notes"))
    code = _RUN_THEN_REPORT.format(
        args=["list", "--adb", "10.0.0.2:5037"], watched=["adbutils", "requests", "device.adb"]
    )
    env = {"CLONE_HOME": str(home), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.stdout.splitlines()[1].split() == ["notes:1", "host", "-", "-", "host", "-"]
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []


def test_the_command_table_lists_each_command_as_click_would() -> None:
    """The table's one-line help is each command's own: ``clone --help`` prints what click
    prints from the commands themselves (which imports them all)."""
    ctx = click.Context(cli, info_name="clone")
    from_table, from_commands = click.HelpFormatter(), click.HelpFormatter()
    cli.format_commands(ctx, from_table)
    click.Group.format_commands(cli, ctx, from_commands)
    assert from_table.getvalue() == from_commands.getvalue()
    assert {target.split(":")[0] for target, _ in COMMANDS.values()} == set(COMMAND_MODULES)
    rows = {**COMMANDS, "ui": UI}  # and the launcher's, which its entry point names
    for name, (target, summary) in rows.items():
        module, attr = target.split(":")
        command = getattr(importlib.import_module(module), attr)
        assert " ".join((command.help or "").split("\n\n")[0].split()) == summary, name
