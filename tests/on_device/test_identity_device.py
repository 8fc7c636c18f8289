"""Opt-in device test of identity (``CLONE_TEST_DEVICE=SERIAL``): two hooked package clones
of one app, and what the app inside each clone sees through its own Java APIs — ANDROID_ID,
the serial (``Build.getSerial``/``Build.SERIAL``), the Wi-Fi MAC (``NetworkInterface``) and the
Bluetooth address — equals that clone's ``clone identity show``, and differs between clones.

How it looks inside the app: a small probe (``hooks/agent/src/android/device-probe.ts``) is
loaded into the running clone through frida-server and calls those APIs in the app's process,
where the clone's agent hooks them. Needs:
- a real Frida Gadget for the device's ABIs (``$CLONE_TEST_GADGET_DIR`` or the gadget cache);
- a rooted device or an emulator with ``adb root`` and a frida-server of the installed frida's
  version: ``$CLONE_TEST_FRIDA_SERVER`` (the unpacked file) or the frida-server cache.
Skipped (with the reason) when something is missing; never faked.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clone.errors import CloneError
from clone.home import Home
from clone.space import Space
from tests.hooks.agent_fixtures import compile_agent_entry
from tests.on_device import helpers

SOURCE = "com.github.uiautomator"  # app-uiautomator.apk: no native code

pytestmark = [pytest.mark.device, pytest.mark.slow]


def _frida_server(serial: str) -> None:
    import frida

    from device import adb as adblayer
    from device import frida_server
    from device.errors import FridaServerMissing

    dev = helpers.device(serial)
    abis = adblayer.parse_abilist(adblayer.getprop(dev, "ro.product.cpu.abilist"))
    explicit = os.environ.get("CLONE_TEST_FRIDA_SERVER")
    cache = Home.from_env().root / "cache" / "frida-server"
    try:
        binary = frida_server.find_binary(
            cache,
            frida.__version__,
            frida_server.arch_for_abis(abis),
            Path(explicit) if explicit else None,
        )
        frida_server.ensure_running(dev, binary, frida.__version__)
    except (FridaServerMissing, CloneError, OSError, RuntimeError) as e:
        pytest.skip(f"no frida-server on the device: {e}")


@pytest.fixture(scope="module")
def probe_source(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("device-probe") / "probe.js"
    return compile_agent_entry("src/android/device-probe.ts", out).read_text()


def _seen(serial: str, pid: int, source: str) -> dict[str, Any]:
    import frida

    session = frida.get_device(serial, timeout=10).attach(pid)
    try:
        script = session.create_script(source)
        script.load()
        seen = script.exports_sync.seen()
        assert isinstance(seen, dict)
        return seen
    finally:
        session.detach()


def _running(clone: Any) -> bool:
    return bool(clone.pids())


@pytest.fixture
def clones(clone_device: str, clone_space: Space, uiautomator_apk: Path) -> Iterator[list[Any]]:
    with helpers.hooked_clones(clone_space, uiautomator_apk, SOURCE, clone_device) as installed:
        yield installed


def test_each_clone_app_sees_its_own_identity(
    clone_device: str, clones: list[Any], probe_source: str
) -> None:
    _frida_server(clone_device)
    seen = []
    for c in clones:
        c.launch()
        helpers.wait_for(functools.partial(_running, c), f"{c.name} to run", 60)
        seen.append(_seen(clone_device, c.pids()[0], probe_source))
    for c, got in zip(clones, seen, strict=True):
        ident = c.identity
        assert got["android_id"] == ident.android_id, (c.name, got)
        assert got["build_serial"] == ident.serial, (c.name, got)
        if got["serial"] is not None:  # getSerial() needs READ_PRIVILEGED_PHONE_STATE on 10+
            assert got["serial"] == ident.serial, (c.name, got)
        assert got["model"] == ident.model, (c.name, got)
        if got["wifi_mac"] is not None:  # no wlan0 on some emulators
            assert got["wifi_mac"] == ident.wifi_mac, (c.name, got)
        assert got["bt_address"] in (None, "null", ident.bt_mac.upper()), (c.name, got)
    one, two = seen
    assert one["android_id"] != two["android_id"]
    assert one["build_serial"] != two["build_serial"]
