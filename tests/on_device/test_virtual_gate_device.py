"""Opt-in device test (``CLONE_TEST_DEVICE=SERIAL``, a rooted phone or an emulator after
``adb root``) of ``hooks.spawn_gate``: a start of the virtual backend's app that ``clone
launch`` did not make (here ``am start``, as a tap on the icon) is held by frida-server and
let go with the agent loaded, or killed when no clone is active. The twin of
``tests/hooks/test_spawn_gate.py``, which runs against a fake Frida device; the last test
runs the ``clone guard`` command itself (fake twin: tests/device/test_fake_guard_cli.py).

Needs frida-server for the device in the cache (``$CLONE_HOME/cache/frida-server``, see
``clone install --help``); skipped with the reason when there is none.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from clone.space import Space
from device import adb as adblayer
from hooks.spawn_gate import ClonePolicy, SpawnGate
from tests.on_device import helpers
from vfs_redirect.layouts import android_virtual_layout
from vfs_redirect.rules import make_policy

SOURCE = "com.clonespace.probe"
pytestmark = [pytest.mark.device, pytest.mark.slow]


@pytest.fixture
def frida_device(clone_device: str, clone_space: Space, tmp_path: Path) -> Iterator[object]:
    import frida

    from device import frida_server
    from device.errors import FridaServerMissing
    from device.frida_spawn import FRIDA_PORT

    dev = helpers.device(clone_device)
    if not adblayer.shell_is_root(dev) and adblayer.run(dev, ["su", "-c", "id"]).code != 0:
        pytest.skip(f"{clone_device} is not rooted")
    abis = tuple(adblayer.check(dev, ["getprop", "ro.product.cpu.abilist"]).strip().split(","))
    try:
        binary = frida_server.find_binary(
            clone_space.home.cache_dir / "frida-server",
            frida.__version__,
            frida_server.arch_for_abis(abis),
        )
    except (FridaServerMissing, ValueError) as e:
        pytest.skip(str(e))
    frida_server.ensure_running(dev, binary, frida.__version__)
    local = dev.forward_port(FRIDA_PORT)
    yield frida.get_device_manager().add_remote_device(f"127.0.0.1:{local}")


def _tap(serial: str) -> None:
    dev = helpers.device(serial)
    adblayer.run(dev, ["am", "force-stop", SOURCE])
    adblayer.check(dev, ["monkey", "-p", SOURCE, "-c", "android.intent.category.LAUNCHER", "1"])


def test_a_start_not_made_by_launch_is_hooked_or_refused(
    clone_device: str, clone_space: Space, frida_device: object, tmp_path: Path
) -> None:
    from hooks.agent_bundle import agent_source
    from samples.probe.build import build_probe

    apk = build_probe(tmp_path / "probe.apk")
    clone_space.install(apk, count=1, device=clone_device, backend="virtual")
    layout = android_virtual_layout(SOURCE, 1)
    policy = make_policy(f"{SOURCE}:1", "android", layout.redirects, layout.deny).to_agent_json()
    active: list[ClonePolicy | None] = [ClonePolicy(f"{SOURCE}:1", policy)]
    gate = SpawnGate(frida_device, SOURCE, agent_source(), lambda: active[0])  # type: ignore[arg-type]
    with gate:
        _tap(clone_device)
        done = gate.handle_next(30.0)
        while done is not None and done.outcome == "passed":
            done = gate.handle_next(30.0)
        assert done is not None and done.outcome == "hooked", done
        helpers.wait_for(
            lambda: bool(helpers.pids(helpers.device(clone_device), SOURCE)), "the app"
        )

        active[0] = None
        _tap(clone_device)
        done = gate.handle_next(30.0)
        while done is not None and done.outcome == "passed":
            done = gate.handle_next(30.0)
        assert done is not None and done.outcome == "refused", done
    assert not helpers.pids(helpers.device(clone_device), SOURCE)


def _next_gated(lines: IO[str]) -> dict[str, object]:
    """The next start ``clone guard --json`` reports that is not another app's."""
    while True:
        line = lines.readline()
        assert line, "clone guard ended before reporting the start"
        done: dict[str, object] = json.loads(line)
        if done["outcome"] != "passed":
            return done


def test_clone_guard_hooks_a_tap_as_the_active_clone_then_refuses_one(
    clone_device: str, clone_space: Space, clone_adb: str | None, tmp_path: Path
) -> None:
    """``clone guard`` (the command, as a user runs it) holding the gate on the phone."""
    from clone.workflows.listing import active_marker
    from samples.probe.build import build_probe

    apk = build_probe(tmp_path / "probe.apk")
    clone_space.install(apk, count=1, device=clone_device, backend="virtual")
    dev = helpers.device(clone_device)
    dev.sync.push(b"1", active_marker(SOURCE), mode=0o644)  # as 'clone launch' marks it
    argv = [sys.executable, "-m", "clone", "guard", SOURCE, "--device", clone_device, "--json"]
    env = {**os.environ, "CLONE_HOME": str(clone_space.home.root)}
    guard = subprocess.Popen(
        argv + (["--adb", clone_adb] if clone_adb else []),
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert guard.stderr is not None and guard.stdout is not None
        assert "holding every start" in guard.stderr.readline()
        _tap(clone_device)
        done = _next_gated(guard.stdout)
        assert (done["outcome"], done["clone"]) == ("hooked", f"{SOURCE}:1"), done
        helpers.wait_for(lambda: bool(helpers.pids(dev, SOURCE)), "the app")

        adblayer.run(dev, ["rm", "-f", active_marker(SOURCE)])  # no clone active
        _tap(clone_device)
        assert _next_gated(guard.stdout)["outcome"] == "refused"
        assert not helpers.pids(dev, SOURCE)
        guard.send_signal(signal.SIGINT)
        assert guard.wait(30) == 0
    finally:
        if guard.poll() is None:
            guard.kill()
            guard.wait()
