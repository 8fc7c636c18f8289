"""The CLI contract: help, version, usage errors as one line with exit 2."""

from __future__ import annotations

import subprocess
import sys

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


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys\n"
        "from clone.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in ('frida', 'lief', 'kivy') if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout


def test_ui_help_does_not_import_kivy() -> None:
    code = (
        "import sys\n"
        "from clone.cli import main\n"
        "try:\n"
        "    main(['ui', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('KIVY', sorted(m for m in sys.modules if m.split('.')[0] == 'kivy'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "--screenshot PNG" in out.stdout
    assert "--dump-widgets" not in out.stdout  # a hidden option, for tests
    assert "KIVY []" in out.stdout
