"""The virtual backend's checks and bookkeeping against a FAKE adb server (fake_adb.py).

Spawning under frida-server needs a real rooted device; here only what happens before
that is shown: root is required, the app is installed once, a missing frida-server binary
is reported with where to put it, and remove cleans up.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import RunCli
from tests.device.fake_adb import FakeAdbServer, FakePhone

SOURCE = "com.github.uiautomator"


def test_fake_virtual_needs_root(
    fake_adb: FakeAdbServer, fake_phone: FakePhone, run_cli: RunCli, uiautomator_apk: Path
) -> None:
    result = run_cli("install", uiautomator_apk, "--backend", "virtual")
    assert result.exit_code == 2
    assert "needs a rooted device" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert fake_phone.packages == {}


def test_fake_virtual_install_launch_without_frida_server_remove(
    fake_adb: FakeAdbServer,
    fake_phone: FakePhone,
    run_cli: RunCli,
    uiautomator_apk: Path,
    clone_home: Path,
) -> None:
    fake_phone.rooted = True
    result = run_cli("install", uiautomator_apk, "--backend", "virtual", "--count", "2", "--json")
    assert result.exit_code == 0, result.stderr
    assert [c["backend"] for c in json.loads(result.stdout)] == ["virtual", "virtual"]
    assert set(fake_phone.packages) == {SOURCE}  # one installed app for both clones

    launched = run_cli("launch", f"{SOURCE}:1")
    assert launched.exit_code == 1
    assert "no frida-server" in launched.stderr
    assert str(clone_home / "cache" / "frida-server") in launched.stderr
    assert "--frida-server" in launched.stderr

    for n in (1, 2):
        assert run_cli("remove", "--yes", f"{SOURCE}:{n}").exit_code == 0
    assert fake_phone.packages == {}  # installed by us, removed with the last clone
    assert json.loads(run_cli("list", "--json").stdout) == []


def test_list_without_adb_server_still_lists(run_cli: RunCli, clone_home: Path) -> None:
    from clone.registry import Backend, CloneRecord, Registry

    with Registry(clone_home / "registry.sqlite") as registry:
        registry.add(CloneRecord("notes", 1, Backend.HOST, "notes"))
        registry.add(CloneRecord("com.x", 1, Backend.PACKAGE, "com.x", "com.x.clone1", "emu-1"))
    result = run_cli("list", "--json", "--adb", "127.0.0.2:1")
    assert result.exit_code == 0, result.stderr
    states = {c["name"]: c["state"] for c in json.loads(result.stdout)}
    assert states == {"notes:1": "host", "com.x:1": "no-device"}
