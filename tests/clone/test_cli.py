"""The CLI contract: help, version, usage errors as one line with exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import RunCli


def test_help_lists_the_group(run_cli: RunCli) -> None:
    result = run_cli("--help")
    assert result.exit_code == 0
    assert "Clonespace" in result.stdout


def test_unknown_command_is_one_line_exit_2(run_cli: RunCli) -> None:
    result = run_cli("frobnicate")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("clone: error: ")
    assert "frobnicate" in lines[0]


def _help_in_a_fresh_process(args: list[str]) -> str:
    """``clone ARGS --help`` printed by a new interpreter, then the heavy modules it loaded."""
    code = (
        "import sys\n"
        "from clone.cli import main\n"
        "try:\n"
        f"    main({[*args, '--help']!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = {'frida', 'lief', 'kivy', 'PIL'}\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & heavy)\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout


@pytest.mark.parametrize("args", [[], ["ui"], ["build"], ["host", "run"]])
def test_help_does_not_import_heavy_modules(args: list[str]) -> None:
    assert "HEAVY []" in _help_in_a_fresh_process(args)


def test_ui_help_hides_the_test_option() -> None:
    shown = _help_in_a_fresh_process(["ui"])
    assert "--screenshot PNG" in shown
    assert "--dump-widgets" not in shown  # a hidden option, for tests


_RUN = ("host", "run", "--app", "z", "--clone", "1", "--data", "DATA", "--", "true")


@pytest.mark.parametrize("below", ["", "sub"])
@pytest.mark.parametrize("args", [_RUN, ("host", "supervisor"), ("host", "supervisor", "--stop")])
def test_a_clone_home_that_is_no_directory_is_one_line_exit_2(
    run_cli: RunCli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    below: str,
    args: tuple[str, ...],
) -> None:
    # a file, or a path under one: for a run it was an internal error (FileExistsError,
    # exit 1); `clone host supervisor`, which only reads the home, said none ran (exit 0)
    afile = tmp_path / "afile"
    afile.write_text("mine\n")
    monkeypatch.setenv("CLONE_HOME", str(afile / below) if below else str(afile))
    data = tmp_path / "data"
    result = run_cli(*(str(data) if a == "DATA" else a for a in args))
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("clone: error: the clone home ") and "is not a directory" in line
    assert afile.read_text() == "mine\n" and not data.exists()


def test_reading_the_supervisors_of_a_home_not_there_makes_nothing(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "not-yet" / "home"
    monkeypatch.setenv("CLONE_HOME", str(home))
    result = run_cli("host", "supervisor")
    assert (result.exit_code, result.stderr) == (0, "")
    # (after why runs are not shared: the suite runs them in-process, tests/conftest.py)
    assert result.stdout.splitlines()[-1] == f"no shared supervisor runs for {home}"
    assert not (tmp_path / "not-yet").exists()
