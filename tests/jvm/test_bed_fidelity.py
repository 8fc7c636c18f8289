"""The bed shows what a phone would, not what we hope: without the agent the probe reads
the fake framework's real values, and a hook installed with Java.perform as the payload
loads misses the app's start-up, as frida-java-bridge behaves on ART."""

from __future__ import annotations

from tests.jvm.bed import REAL_DEVICE, Bed, BedApp, BedRun
from tests.jvm.conftest import HookedClone


def test_unhooked_run_sees_the_real_device(
    bed: Bed, installed: list[BedApp], probe_clones: list[HookedClone]
) -> None:
    """The same clone with the stand-in letting the app go on without the agent: the probe
    reads the fake framework's real values, so the spoofed answers above are the hooks'."""
    with bed.start(installed[0], inject=False) as run:
        permission = bed.call("check_permission", "com.clonespace.probe.permission.PROBE")
    assert permission == "denied"  # the clone holds it under its own name
    seen = run.seen_at("attachBaseContext")
    assert seen["android_id"] == REAL_DEVICE["android_id"]
    assert seen["imei"] == REAL_DEVICE["imei"]
    assert seen["accounts"] == "com.google:real.owner@example.com"
    assert seen["own_provider"] == "missing"  # the original authority is not the clone's
    assert seen["signature"] != probe_clones[0].policy["original_signatures"][0]


def test_the_bed_reproduces_java_perform_deferral(
    deferred_started: BedRun, probe_clones: list[HookedClone]
) -> None:
    """Why the agent hooks with Java.performNow: a hook installed with Java.perform as the
    payload loads arrives only at the first Activity. Every start-up step before it reads
    the real ANDROID_ID (this is what the agent did before; the start-order tests fail on
    it), and the hook is there afterwards."""
    early = ("attachBaseContext", "ContentProvider.onCreate", "Application.onCreate")
    seen = [deferred_started.seen_at(step)["android_id"] for step in early]
    assert seen == [REAL_DEVICE["android_id"]] * 3
    mine = probe_clones[0].identity["android_id"]
    assert f"after start: {mine}" in deferred_started.lines
