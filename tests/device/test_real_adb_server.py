"""With Debian's real adb server running and no device connected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clone.registry import Registry
from tests.conftest import RunCli


def _recorded(clone_home: Path) -> list[str]:
    if not (clone_home / "registry.sqlite").exists():
        return []
    with Registry(clone_home / "registry.sqlite") as registry:
        return [r.name for r in registry.clones()]


def test_devices_json_is_an_empty_list(real_adb_server: int, run_cli: RunCli) -> None:
    result = run_cli("devices", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_install_without_device_fails_in_one_line(
    real_adb_server: int, run_cli: RunCli, clone_home: Path, uiautomator_apk: Path
) -> None:
    result = run_cli("install", uiautomator_apk, "--count", "2")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("clone: error: no Android device is connected")
    assert "adb connect" in lines[0]  # says how to connect one
    assert _recorded(clone_home) == []


def test_unknown_device_is_bad_input(
    real_adb_server: int, run_cli: RunCli, clone_home: Path, uiautomator_apk: Path
) -> None:
    result = run_cli("install", uiautomator_apk, "--device", "no-such-serial")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "no-such-serial" in lines[0]
    assert _recorded(clone_home) == []


def test_list_with_empty_registry(real_adb_server: int, run_cli: RunCli) -> None:
    result = run_cli("list", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_remote_server_that_does_not_answer(run_cli: RunCli) -> None:
    result = run_cli("devices", "--adb", "127.0.0.2:1")
    assert result.exit_code == 1
    assert "cannot reach the adb server at 127.0.0.2:1" in result.stderr


@pytest.mark.parametrize(
    "command", [["devices"], ["list"], ["install", "app.apk"], ["stop", "notes:1"]]
)
def test_bad_adb_option_is_bad_input(run_cli: RunCli, command: list[str]) -> None:
    """Also where no device is needed (an empty registry lists nothing): checked first."""
    result = run_cli(*command, "--adb", "host:notaport")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "clone: error: bad adb server 'host:notaport': expected HOST:PORT, e.g. 127.0.0.1:5037"
    ]
