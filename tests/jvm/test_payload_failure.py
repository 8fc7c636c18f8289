"""A clone whose payload cannot start stops, saying why; it never runs on unhooked with
the device's real identity (JVM test bed)."""

from __future__ import annotations

from pathlib import Path

from hooks.payload.loader import payload_failure_line
from tests.jvm.bed import Bed, BedApp, Framework, Toolchain, install
from tests.jvm.conftest import HookedClone, with_policy


def test_no_library_for_the_abi_stops_the_clone_with_a_log_line(
    bed: Bed,
    probe_clones: list[HookedClone],
    tools: Toolchain,
    framework: Framework,
    tmp_path: Path,
) -> None:
    """No lib<name>.so the device can load (an ABI the payload lacks, a 4 KiB-aligned
    library on a 16 KiB-page phone): System.loadLibrary throws in the boot loader."""
    app = install(probe_clones[0].apk, tmp_path, tools, framework, standin=None)
    with bed.start(app) as run:
        pass
    assert run.logged("E", "clonespace") == [payload_failure_line("csrt")]
    crash = [line for line in run.lines if line.startswith("bed: crash ")]
    assert crash and "UnsatisfiedLinkError" in crash[0] + run.stderr
    assert run.seen == []  # not one line of the app's own code ran
    assert "attachBaseContext" not in run.steps


def test_a_policy_the_agent_refuses_stops_the_clone(
    bed: Bed, installed: list[BedApp], tmp_path: Path
) -> None:
    """The Gadget logs a failing script and lets the app go on; our agent ends the process
    first, with one line saying why."""
    app = with_policy(installed[0], tmp_path, {"redirects": "not a list"})
    with bed.start(app) as run:
        pass
    assert run.exit_code == 1
    assert run.seen == []
    assert "clonespace: the hooks failed to start (" in run.stderr
    assert "the clone stops rather than run without them" in run.stderr
