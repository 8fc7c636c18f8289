"""Spawn an installed app under the hook agent through the phone's frida-server (the virtual
backend): frida-server's port is forwarded through the same adb server (so ``--adb`` farms
work), then ``hooks.spawn.spawn_on`` starts the app with the agent in place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import adbutils

from device.errors import DeviceCommandFailed
from hooks.spawn import spawn_on

if TYPE_CHECKING:
    import frida

FRIDA_PORT = 27042


def spawn_with_agent(
    dev: adbutils.AdbDevice, package: str, agent_source: str, policy: Mapping[str, Any]
) -> int:
    """Spawn ``package`` with the agent initialised with ``policy``; its pid."""
    return spawn_on(remote_device(dev), [package], agent_source, policy)


def remote_device(dev: adbutils.AdbDevice) -> frida.Device:
    """The phone's frida-server as a Frida device, through a forwarded port."""
    import frida

    try:
        local = dev.forward_port(FRIDA_PORT)
    except adbutils.AdbError as e:
        raise DeviceCommandFailed(["adb", "forward", f"tcp:{FRIDA_PORT}"], 1, str(e)) from e
    return frida.get_device_manager().add_remote_device(f"127.0.0.1:{local}")
