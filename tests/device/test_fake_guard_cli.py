"""``clone guard APP`` against a FAKE adb server (fake_adb.py) and a FAKE Frida device with
spawn gating (fake_frida.py): the command holds the gate until SIGTERM, gives a start of the
app the policy of the clone ``clone launch`` marked active on the device, kills it when none
is marked, lets other apps go, and ends with exit 1 when the connection to frida-server is
lost. What frida-server does on a phone is for the opt-in device suite
(tests/on_device/test_virtual_gate_device.py); frida-server itself is not started here."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from clone.home import Home
from clone.workflows.guard import guard_pid, pid_file
from clone.workflows.listing import active_marker
from tests.conftest import RunCli
from tests.device.fake_adb import FakeAdbServer, FakePhone
from tests.device.fake_frida import FakeFridaDevice

SOURCE = "com.github.uiautomator"
OTHER = "com.example.mail"


@pytest.fixture
def frida_device(monkeypatch: pytest.MonkeyPatch) -> FakeFridaDevice:
    """The FAKE Frida device ``clone guard`` reaches (frida-server taken as running)."""
    device = FakeFridaDevice()
    servers: list[str] = []
    monkeypatch.setattr(
        "clone.backends.virtual.ensure_frida_server",
        lambda where, record, handle: servers.append(handle.serial),
    )
    monkeypatch.setattr("device.frida_spawn.remote_device", lambda dev: device)
    return device


@pytest.fixture
def installed(
    fake_adb: FakeAdbServer, fake_phone: FakePhone, run_cli: RunCli, uiautomator_apk: Path
) -> FakePhone:
    """Two virtual clones of the app on the fake (rooted) phone."""
    fake_phone.rooted = True
    result = run_cli("install", uiautomator_apk, "--backend", "virtual", "--count", "2")
    assert result.exit_code == 0, result.stderr
    return fake_phone


def _wait(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return False


def _while_held(
    device: FakeFridaDevice,
    starts: list[str],
    then: str = "sigterm",
    probe: Callable[[], object] | None = None,
    seen: list[object] | None = None,
) -> list[int]:
    """From another thread, once the gate is held: the system starts ``starts``; when each
    has been let go or killed, SIGTERM to this process (as Ctrl-C would) or the connection
    is lost. Returns the pids, filled in as they start."""
    pids: list[int] = []

    def drive() -> None:
        if not _wait(lambda: device.gating):
            return  # the command never held the gate: it has ended, no signal needed
        if probe is not None and seen is not None:
            seen.append(probe())
        pids.extend(device.start(name) for name in starts)
        _wait(lambda: all(device.processes[p].state != "suspended" for p in pids))
        if then == "lost":
            device.lose()
        else:
            os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=drive, daemon=True).start()
    return pids


def test_fake_guard_hooks_a_start_as_the_active_clone_and_lets_other_apps_go(
    installed: FakePhone, frida_device: FakeFridaDevice, run_cli: RunCli, clone_home: Path
) -> None:
    installed.files[active_marker(SOURCE)] = b"2\n"  # 'clone launch' of clone 2 marked it
    home = Home(clone_home)
    holder: list[object] = []
    pids = _while_held(
        frida_device,
        [f"{SOURCE}:push", OTHER],
        probe=lambda: guard_pid(home, installed.serial, SOURCE),
        seen=holder,
    )

    result = run_cli("guard", SOURCE, "--json")

    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(d["pid"], d["process"], d["outcome"], d["clone"]) for d in lines] == [
        (pids[0], f"{SOURCE}:push", "hooked", f"{SOURCE}:2"),
        (pids[1], OTHER, "passed", None),
    ]
    pushed, other = (frida_device.processes[p] for p in pids)
    assert pushed.state == "running" and pushed.policy is not None
    assert pushed.policy["clone"] == f"{SOURCE}:2"  # clone 2's policy, not clone 1's
    assert any("clonespace/2" in json.dumps(r) for r in pushed.policy["redirects"])
    assert other.state == "running" and other.policy is None  # untouched
    assert not frida_device.gating  # released with the command
    assert "holding every start" in result.stderr
    assert holder == [os.getpid()]  # 'clone launch' could see the guard while it held
    assert guard_pid(home, installed.serial, SOURCE) is None  # and sees none after


@pytest.mark.parametrize("guarded", [False, True])
def test_fake_launch_of_a_virtual_clone_says_whether_a_guard_holds_the_gate(
    installed: FakePhone,
    run_cli: RunCli,
    clone_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    guarded: bool,
) -> None:
    # the spawn itself needs frida-server on a phone; only what launch says is shown here
    monkeypatch.setattr("clone.backends.virtual.VirtualBackend.launch", lambda *a: None)
    if guarded:  # a guard running on this host (this process stands in for it)
        path = pid_file(Home(clone_home), installed.serial, SOURCE)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{os.getpid()}\n")

    text = run_cli("launch", f"{SOURCE}:1")
    as_json = run_cli("launch", f"{SOURCE}:1", "--json")

    assert text.exit_code == 0 and as_json.exit_code == 0, text.stderr + as_json.stderr
    gate = json.loads(as_json.stdout)["gate"]
    assert gate["guarded"] is guarded
    assert gate["guard_pid"] == (os.getpid() if guarded else None)
    said = text.stdout.splitlines()[-1]
    if guarded:
        assert f"clone guard (pid {os.getpid()}) holds the starts" in said
    else:
        assert "run unhooked" in said and f"run 'clone guard {SOURCE}'" in said


def test_fake_launch_ignores_the_pid_file_of_a_guard_that_died(
    installed: FakePhone, run_cli: RunCli, clone_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("clone.backends.virtual.VirtualBackend.launch", lambda *a: None)
    path = pid_file(Home(clone_home), installed.serial, SOURCE)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("999999999\n")  # no such process
    result = run_cli("launch", f"{SOURCE}:1", "--json")
    assert json.loads(result.stdout)["gate"]["guarded"] is False


def test_fake_guard_kills_a_start_when_no_clone_is_active(
    installed: FakePhone, frida_device: FakeFridaDevice, run_cli: RunCli
) -> None:
    assert active_marker(SOURCE) not in installed.files  # never launched
    pids = _while_held(frida_device, [SOURCE])

    result = run_cli("guard", SOURCE)

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"refused {SOURCE} (pid {pids[0]}): no clone of the app is active"
    ]
    assert frida_device.processes[pids[0]].state == "killed"  # never ran unhooked


def test_fake_guard_ends_with_exit_1_when_frida_is_lost(
    installed: FakePhone, frida_device: FakeFridaDevice, run_cli: RunCli
) -> None:
    installed.files[active_marker(SOURCE)] = b"1"
    _while_held(frida_device, [SOURCE], then="lost")

    result = run_cli("guard", SOURCE)

    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("clone: error")]
    assert len(errors) == 1 and "lost the connection to frida-server" in errors[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["com.example.unknown"], "no clone of 'com.example.unknown'"),
        ([SOURCE, "--device", "emulator-9999"], "no virtual clone on device emulator-9999"),
        (["--adb", "host:notaport"], "HOST:PORT"),
    ],
)
def test_fake_guard_bad_input_exits_2_with_one_line(
    installed: FakePhone,
    frida_device: FakeFridaDevice,
    run_cli: RunCli,
    args: list[str],
    says: str,
) -> None:
    result = run_cli("guard", *(args if args[0] != "--adb" else [SOURCE, *args]))
    assert result.exit_code == 2
    assert says in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.strip()]) <= 2  # + hint
    assert result.stdout == ""
    assert not frida_device.gating and frida_device.processes == {}


def test_fake_guard_refuses_an_app_with_no_virtual_clone(
    fake_adb: FakeAdbServer, frida_device: FakeFridaDevice, run_cli: RunCli, clone_home: Path
) -> None:
    from clone.registry import Backend, CloneRecord, Registry

    with Registry(clone_home / "registry.sqlite") as registry:
        registry.add(CloneRecord("com.x", 1, Backend.PACKAGE, "com.x", "com.x.clone1", "emu-1"))
    result = run_cli("guard", "com.x")
    assert result.exit_code == 2
    assert "has no virtual-backend clone (package)" in result.stderr
    assert not frida_device.gating
