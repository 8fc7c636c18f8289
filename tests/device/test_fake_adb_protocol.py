"""Protocol-level tests against a FAKE adb server (tests/device/fake_adb.py).

No device is behind these tests: a Python stand-in answers the adb host protocol and the
output of pm/am/cmd/ps. They check that our device layer speaks the protocol, parses the
answers and keeps the all-or-nothing promise; real device behaviour is tested in
tests/on_device/ (opt-in, CLONE_TEST_DEVICE).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clone.backends.package import install_built
from clone.errors import InstallError, OperationFailed
from clone.registry import Registry
from clone.workflows.device_access import open_device
from clone.workflows.install import BuiltClone
from device import adb, packages
from tests.conftest import RunCli
from tests.device.fake_adb import FakeAdbServer, FakePhone

UIAUTOMATOR_PACKAGE = "com.github.uiautomator"
POCO_PACKAGE = "com.netease.open.pocoservice"


def _clones(uiautomator_apk: Path, multidex_apk: Path) -> list[BuiltClone]:
    """Two real APKs of distinct packages standing in for clones 1 and 2."""
    return [
        BuiltClone(1, UIAUTOMATOR_PACKAGE, (uiautomator_apk,)),
        BuiltClone(2, POCO_PACKAGE, (multidex_apk,)),
    ]


def test_fake_devices_json(fake_adb: FakeAdbServer, run_cli: RunCli) -> None:
    result = run_cli("devices", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [
        {
            "schema": 1,
            "serial": "fake-0001",
            "state": "device",
            "model": "Fake_Phone",
            "sdk": 34,
            "abis": ["x86_64", "x86"],
            "rooted": False,
        }
    ]


def test_fake_install_is_all_or_nothing(
    fake_adb: FakeAdbServer,
    fake_phone: FakePhone,
    clone_home: Path,
    uiautomator_apk: Path,
    multidex_apk: Path,
) -> None:
    fake_phone.refuse_nth_install[2] = "INSTALL_FAILED_INSUFFICIENT_STORAGE: not enough space"
    with Registry(clone_home / "registry.sqlite") as registry:
        handle = open_device()
        with pytest.raises(InstallError) as caught:
            install_built(registry, handle, "app", _clones(uiautomator_apk, multidex_apk))
        assert caught.value.reason == "INSTALL_FAILED_INSUFFICIENT_STORAGE"
        assert "not enough free storage" in str(caught.value)
        assert registry.clones() == []
    # clone 1 was installed, then uninstalled again; no temporary APK is left behind
    assert ["pm", "uninstall", UIAUTOMATOR_PACKAGE] in fake_phone.commands
    assert fake_phone.packages == {}
    assert fake_phone.files == {}


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("INSTALL_FAILED_UPDATE_INCOMPATIBLE", "clone remove"),
        ("INSTALL_FAILED_NO_MATCHING_ABIS", "ABI"),
        ("INSTALL_FAILED_VERSION_DOWNGRADE", "newer version"),
        ("INSTALL_PARSE_FAILED_NO_CERTIFICATES", "not signed"),
    ],
)
def test_fake_install_failure_is_one_clear_line(
    fake_adb: FakeAdbServer,
    fake_phone: FakePhone,
    clone_home: Path,
    uiautomator_apk: Path,
    code: str,
    words: str,
) -> None:
    fake_phone.refuse_nth_install[1] = f"{code}: detail from the package manager"
    with Registry(clone_home / "registry.sqlite") as registry:
        with pytest.raises(InstallError) as caught:
            clone = BuiltClone(1, UIAUTOMATOR_PACKAGE, (uiautomator_apk,))
            install_built(registry, open_device(), "app", [clone])
        assert registry.clones() == []
    message = str(caught.value)
    assert "\n" not in message
    assert code in message and words in message
    assert caught.value.exit_code == 1


def test_fake_install_launch_list_stop_wipe_remove(
    fake_adb: FakeAdbServer,
    fake_phone: FakePhone,
    clone_home: Path,
    run_cli: RunCli,
    uiautomator_apk: Path,
    multidex_apk: Path,
) -> None:
    with Registry(clone_home / "registry.sqlite") as registry:
        records = install_built(
            registry, open_device(), "app", _clones(uiautomator_apk, multidex_apk)
        )
        assert [r.name for r in registry.clones()] == ["app:1", "app:2"]
        assert all(registry.get_identity(r.name) for r in records)  # each got an identity
    assert set(fake_phone.packages) == {UIAUTOMATOR_PACKAGE, POCO_PACKAGE}

    listed = json.loads(run_cli("list", "--json").stdout)
    assert [(c["name"], c["state"]) for c in listed] == [
        ("app:1", "installed"),
        ("app:2", "installed"),
    ]

    for name in ("app:1", "app:2"):
        result = run_cli("launch", name)
        assert result.exit_code == 0, result.stderr
    pids = {c["name"]: c["pids"] for c in json.loads(run_cli("list", "--json").stdout)}
    assert pids["app:1"] == [fake_phone.pid_of(UIAUTOMATOR_PACKAGE)]
    assert pids["app:2"] == [fake_phone.pid_of(POCO_PACKAGE)]
    assert pids["app:1"] != pids["app:2"]

    assert run_cli("wipe", "--yes", "app:1").exit_code == 0
    assert fake_phone.packages[UIAUTOMATOR_PACKAGE].data[0] == set()
    assert fake_phone.packages[POCO_PACKAGE].data[0] == {"started"}  # app:2 keeps its data

    assert run_cli("stop", "app:2").exit_code == 0
    states = {c["name"]: c["state"] for c in json.loads(run_cli("list", "--json").stdout)}
    assert states == {"app:1": "installed", "app:2": "installed"}  # pm clear also stops

    for name in (UIAUTOMATOR_PACKAGE, "app:2"):  # by package name and by APP:N
        result = run_cli("remove", "--yes", name)
        assert result.exit_code == 0, result.stderr
    assert fake_phone.packages == {}
    assert json.loads(run_cli("list", "--json").stdout) == []


def test_fake_package_already_on_the_device_is_not_touched(
    fake_adb: FakeAdbServer, fake_phone: FakePhone, clone_home: Path, uiautomator_apk: Path
) -> None:
    handle = open_device()
    packages.install(handle.dev, UIAUTOMATOR_PACKAGE, [uiautomator_apk])
    fake_phone.commands.clear()
    with Registry(clone_home / "registry.sqlite") as registry:
        with pytest.raises(OperationFailed, match="already installed on fake-0001"):
            install_built(
                registry, handle, "app", [BuiltClone(1, UIAUTOMATOR_PACKAGE, (uiautomator_apk,))]
            )
        assert registry.clones() == []
    assert [
        c for c in fake_phone.commands if c[:2] in (["pm", "install"], ["pm", "uninstall"])
    ] == []
    assert UIAUTOMATOR_PACKAGE in fake_phone.packages


def test_fake_list_shows_missing_clone(
    fake_adb: FakeAdbServer,
    fake_phone: FakePhone,
    clone_home: Path,
    run_cli: RunCli,
    uiautomator_apk: Path,
) -> None:
    with Registry(clone_home / "registry.sqlite") as registry:
        install_built(
            registry, open_device(), "app", [BuiltClone(1, UIAUTOMATOR_PACKAGE, (uiautomator_apk,))]
        )
    del fake_phone.packages[UIAUTOMATOR_PACKAGE]  # uninstalled behind our back
    listed = json.loads(run_cli("list", "--json").stdout)
    assert [(c["name"], c["state"]) for c in listed] == [("app:1", "missing")]


def test_fake_split_set_uses_one_install_session(
    fake_adb: FakeAdbServer, fake_phone: FakePhone, uiautomator_apk: Path, tmp_path: Path
) -> None:
    split = tmp_path / "split_config.xx.apk"
    split.write_bytes(b"split bytes")
    handle = open_device()
    packages.install(handle.dev, UIAUTOMATOR_PACKAGE, [uiautomator_apk, split])
    verbs = [c[1] for c in fake_phone.commands if c[0] == "pm"]
    assert verbs == ["install-create", "install-write", "install-write", "install-commit"]
    assert UIAUTOMATOR_PACKAGE in fake_phone.packages
    assert fake_phone.files == {}


def test_fake_abi_mismatch_is_bad_input_and_changes_nothing(
    fake_adb: FakeAdbServer,
    fake_phone: FakePhone,
    clone_home: Path,
    run_cli: RunCli,
    native_apk: Path,
) -> None:
    result = run_cli("install", native_apk, "--count", "2")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "native code only for arm64-v8a, armeabi-v7a" in lines[0]
    assert "x86_64" in lines[0]
    changing = [c for c in fake_phone.commands if c[0] in ("pm", "am", "rm")]
    assert changing == []
    assert fake_phone.files == {}
    assert json.loads(run_cli("list", "--json").stdout) == []


def test_fake_unknown_clone_is_bad_input(fake_adb: FakeAdbServer, run_cli: RunCli) -> None:
    for verb in ("launch", "stop", "wipe", "remove"):
        result = run_cli(verb, "nosuch:1")
        assert result.exit_code == 2
        assert result.stderr.strip() == (
            "clone: error: no clone named 'nosuch:1'; 'clone list' shows the clones"
        )


def test_fake_several_devices_need_a_choice(
    monkeypatch: pytest.MonkeyPatch, run_cli: RunCli, uiautomator_apk: Path
) -> None:
    server = FakeAdbServer([FakePhone(serial="fake-a"), FakePhone(serial="fake-b")]).start()
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(server.port))
    monkeypatch.delenv("ANDROID_SERIAL", raising=False)
    try:
        result = run_cli("install", uiautomator_apk)
        assert result.exit_code == 2
        assert "several devices are connected (fake-a, fake-b)" in result.stderr
        assert "--device" in result.stderr
        monkeypatch.setenv("ANDROID_SERIAL", "fake-c")
        result = run_cli("install", uiautomator_apk)
        assert result.exit_code == 2
        assert "no device with serial 'fake-c'" in result.stderr
    finally:
        server.stop()


@pytest.mark.parametrize(("version", "features"), [(41, "cmd"), (41, "shell_v2"), (40, "cmd")])
def test_fake_server_versions_and_shell_protocols(
    monkeypatch: pytest.MonkeyPatch, version: int, features: str
) -> None:
    """host:tport (41) and host:transport (40); shell v2 and v1 (exit code via a marker)."""
    phone = FakePhone(features=features)
    server = FakeAdbServer([phone], version=version).start()
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(server.port))
    monkeypatch.delenv("ANDROID_SERIAL", raising=False)
    try:
        handle = open_device()
        assert handle.info.sdk == 34 and handle.info.abis == ("x86_64", "x86")
        failed = adb.run(handle.dev, ["no-such-tool", "a b"])
        assert failed.code == 127
        assert "no-such-tool" in failed.output
        assert phone.commands[-1] == ["no-such-tool", "a b"]  # quoted, split back exactly
    finally:
        server.stop()


def test_fake_devices_table_and_no_device(
    fake_adb: FakeAdbServer, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run_cli("devices")
    assert result.exit_code == 0, result.stderr
    assert [line.split() for line in result.stdout.splitlines()] == [
        ["SERIAL", "STATE", "MODEL", "SDK", "ABIS", "ROOT"],
        ["fake-0001", "device", "Fake_Phone", "34", "x86_64,x86", "no"],
    ]
    empty = FakeAdbServer([]).start()
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(empty.port))
    try:
        none = run_cli("devices")
        as_json = run_cli("devices", "--json")
    finally:
        empty.stop()
    assert none.exit_code == 0 and none.stdout == ""
    assert none.stderr.startswith("no device: connect a phone with USB debugging on")
    assert json.loads(as_json.stdout) == []


def test_fake_doctor_says_what_each_device_can_do(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, clone_home: Path
) -> None:
    plain = FakePhone(serial="fake-plain", max_users=1)
    rooted = FakePhone(serial="fake-root", rooted=True)
    server = FakeAdbServer([plain, rooted]).start()
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(server.port))
    try:
        text = run_cli("doctor")
        doc = json.loads(run_cli("doctor", "--json").stdout)
    finally:
        server.stop()
    assert text.exit_code == 0, text.stderr
    first, second = text.stdout.split("\n\n")
    assert first.splitlines()[0] == "fake-plain (Fake_Phone, state device)"
    assert first.splitlines()[1].split() == ["CHECK", "DETAIL"]
    assert "no  root" in first and "'adb root' on an emulator" in first
    assert "no  multi-user  one user only" in first
    assert first.splitlines()[-1] == "backends: package"
    assert "frida-server" in second and "--frida-server FILE" in second  # none cached here
    assert second.splitlines()[-1] == "backends: package, user"
    by_serial = {r["device"]["serial"]: r for r in doc}
    assert doc[0]["schema"] == 1
    assert by_serial["fake-root"]["backends"] == {"package": True, "user": True, "virtual": False}
    checks = {c["check"]: c["ok"] for c in by_serial["fake-root"]["checks"]}
    assert checks == {
        "adb": True, "android": True, "abi": True, "root": True, "frida-server": False,
        "multi-user": True,
    }  # fmt: skip


def test_fake_doctor_without_a_device(fake_adb: FakeAdbServer, run_cli: RunCli) -> None:
    empty = FakeAdbServer([]).start()
    try:
        result = run_cli("doctor", "--adb", f"127.0.0.1:{empty.port}")
    finally:
        empty.stop()
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert line.startswith("clone: error: no device is connected; connect a phone with USB")
