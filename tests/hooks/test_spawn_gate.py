"""hooks.spawn_gate against a FAKE Frida device with spawn gating (tests/device/fake_frida.py):
the gate's decisions and their order (hold, load the agent with the active clone's policy,
resume; kill when no clone is active; let other apps go), not frida-server's behaviour,
which only the opt-in device suite shows (tests/on_device/test_virtual_gate_device.py)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from hooks.spawn_gate import ClonePolicy, GatedStart, SpawnGate, belongs_to
from tests.device.fake_frida import FakeFridaDevice

APP = "com.example.notes"
POLICY: dict[str, Any] = {"version": 1, "clone": f"{APP}:2", "redirects": []}


def _gate(device: FakeFridaDevice, active: ClonePolicy | None) -> SpawnGate:
    return SpawnGate(device, APP, "/* agent */", lambda: active)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("process", "mine"),
    [(APP, True), (f"{APP}:push", True), (f"{APP}.clone2", False), ("com.example", False)],
)
def test_which_processes_are_the_apps(process: str, mine: bool) -> None:
    assert belongs_to(process, APP) is mine


def test_fake_a_start_of_the_app_runs_only_with_the_active_clones_policy() -> None:
    device = FakeFridaDevice()
    with _gate(device, ClonePolicy(f"{APP}:2", POLICY)) as gate:
        assert device.gating
        pushed = device.start(f"{APP}:push")  # a push wakes the app's service process
        assert device.processes[pushed].state == "suspended"  # held until handled
        done = gate.handle_next(1.0)
    assert done == GatedStart(pushed, f"{APP}:push", "hooked", f"{APP}:2")
    assert device.processes[pushed].state == "running"
    assert device.processes[pushed].policy == POLICY
    assert not device.gating  # the gate ends with its holder


def test_fake_a_start_with_no_active_clone_is_refused() -> None:
    device = FakeFridaDevice()
    with _gate(device, None) as gate:
        tapped = device.start(APP)
        done = gate.handle_next(1.0)
    assert done is not None and (done.outcome, done.reason) == (
        "refused",
        "no clone of the app is active",
    )
    assert device.processes[tapped].state == "killed"  # never ran unhooked


def test_fake_an_agent_that_refuses_the_policy_leaves_the_start_killed() -> None:
    device = FakeFridaDevice(refuse_policy=True)
    with _gate(device, ClonePolicy(f"{APP}:1", POLICY)) as gate:
        job = device.start(APP)
        done = gate.handle_next(1.0)
    assert done is not None and done.outcome == "refused" and "not a list" in str(done.reason)
    assert device.processes[job].state == "killed"
    assert device.processes[job].policy is None


def test_fake_other_apps_go_untouched_and_earlier_held_starts_are_handled() -> None:
    device = FakeFridaDevice()
    device.gating = True  # held by frida-server before this gate listened
    early = device.start(APP)
    with _gate(device, ClonePolicy(f"{APP}:1", POLICY)) as gate:
        other = device.start("com.example.mail")
        seen = [gate.handle_next(1.0), gate.handle_next(1.0), gate.handle_next(0.05)]
    assert [(s.pid, s.outcome) for s in seen if s is not None] == [
        (early, "hooked"),
        (other, "passed"),
    ]
    assert seen[2] is None
    assert device.processes[other].state == "running" and device.processes[other].policy is None


def test_fake_serve_handles_starts_until_stopped() -> None:
    device = FakeFridaDevice()
    stop = threading.Event()
    reports: list[GatedStart] = []
    with _gate(device, ClonePolicy(f"{APP}:3", POLICY)) as gate:

        def report(done: GatedStart) -> None:
            reports.append(done)
            stop.set()

        server = threading.Thread(target=gate.serve, args=(stop, report, 0.05))
        server.start()
        pid = device.start(APP)
        server.join(10)
        assert not server.is_alive()
    assert [(r.pid, r.outcome, r.clone) for r in reports] == [(pid, "hooked", f"{APP}:3")]
