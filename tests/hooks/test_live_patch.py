"""Frida's "offline" replacement is never used in a running process (hooks/agent/src/live.ts):
the agent's guard, compiled into a small probe with the agent's own frida-compile, in real
processes on this machine — a running two-thread process, a running one that says it is an
Android app, and one spawned suspended (where offline replacement stays allowed) — and the
real agent's report of it."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hooks.agent_bundle import agent_source
from hooks.rpc import AgentRpc
from hooks.session import attach
from tests.hooks.agent_fixtures import INERT_POLICY, sleeping_process

AGENT = Path(__file__).resolve().parents[2] / "hooks" / "agent"
PROBE = Path(__file__).resolve().parent / "probes" / "live_patch_probe.ts"
THREADED = (
    "import threading, time\n"
    "threading.Thread(target=time.sleep, args=(120,), daemon=True).start()\n"
    "time.sleep(120)\n"
)


@pytest.fixture(scope="module")
def probe_source(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The probe and live.ts in a throwaway copy of the agent project, compiled."""
    compiler = AGENT / "node_modules" / ".bin" / "frida-compile"
    if not compiler.exists():
        pytest.skip("the agent's node_modules are not installed (make agent)")
    project = tmp_path_factory.mktemp("probe")
    (project / "src").mkdir()
    shutil.copy(AGENT / "src" / "live.ts", project / "src" / "live.ts")
    text = PROBE.read_text().replace("../../../hooks/agent/src/live.js", "./live.js")
    (project / "src" / "probe.ts").write_text(text)
    for name in ("package.json", "tsconfig.json"):
        shutil.copy(AGENT / name, project / name)
    (project / "node_modules").symlink_to(AGENT / "node_modules")
    argv = [str(compiler), "src/probe.ts", "-o", "probe.js", "-S"]
    subprocess.run(argv, cwd=project, check=True, capture_output=True)
    return (project / "probe.js").read_text()


@contextlib.contextmanager
def threaded_process() -> Iterator[int]:
    """A running Python process with two threads, both asleep; killed afterwards."""
    target = subprocess.Popen([sys.executable, "-c", THREADED])
    try:
        deadline = time.monotonic() + 10
        while len(os.listdir(f"/proc/{target.pid}/task")) < 2:
            assert time.monotonic() < deadline, "the second thread did not start"
            time.sleep(0.02)
        time.sleep(0.2)  # both threads asleep in the kernel
        yield target.pid
    finally:
        target.kill()
        target.wait()


def _probe(session: Any, source: str, platform: str) -> dict[str, Any]:
    script = session.create_script(source)
    script.load()
    return dict(script.exports_sync.probe(platform))


def test_offline_replacement_is_refused_in_a_running_threaded_process(probe_source: str) -> None:
    import frida

    with threaded_process() as pid:
        session = attach(frida.get_local_device(), pid)
        try:
            result = _probe(session, probe_source, "linux")
        finally:
            session.detach()
    assert result["live"] == "2 threads run"
    assert result["offline"] == "LivePatchRefused"
    assert result["refused"] == 1
    assert result["online"] == "replaced"  # the safe ways stay open


def test_an_android_app_counts_as_running(probe_source: str) -> None:
    with sleeping_process(60) as (_, session):
        result = _probe(session, probe_source, "android")
    assert result["live"].startswith("an Android app")
    assert result["offline"] == "LivePatchRefused"


def test_a_process_spawned_suspended_may_still_be_patched_offline(probe_source: str) -> None:
    import frida

    device = frida.get_local_device()
    pid = device.spawn(["/bin/sleep", "60"])
    try:
        session = attach(device, pid)
        result = _probe(session, probe_source, "linux")
        session.detach()
    finally:
        device.kill(pid)
    assert result["live"] is None
    assert result["offline"] != "LivePatchRefused"


def test_the_agent_reports_a_running_process() -> None:
    import frida

    with threaded_process() as pid:
        session = attach(frida.get_local_device(), pid)
        try:
            script = session.create_script(agent_source())
            script.load()
            agent = AgentRpc(script)
            agent.init(INERT_POLICY)
            report = agent.stats()["livePatch"]
        finally:
            session.detach()
    assert report["live"] == "2 threads run"
