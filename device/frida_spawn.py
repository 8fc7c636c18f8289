"""Spawn an installed app under the hook agent through frida-server (the virtual backend).

frida-server's port is forwarded through the same adb server (so ``--adb`` farms work), the
app is spawned suspended, the agent is loaded with the clone's policy and made eternal (it
stays when this process exits), then the app is resumed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import adbutils

from device.errors import DeviceCommandFailed
from hooks.rpc import AgentRpc

FRIDA_PORT = 27042


def spawn_with_agent(
    dev: adbutils.AdbDevice, package: str, agent_source: str, policy: Mapping[str, Any]
) -> int:
    """Spawn ``package`` with the agent initialised with ``policy``; its pid."""
    import frida

    try:
        local = dev.forward_port(FRIDA_PORT)
        manager = frida.get_device_manager()
        target = manager.add_remote_device(f"127.0.0.1:{local}")
        pid = int(target.spawn([package]))
        session = target.attach(pid)
        script = session.create_script(agent_source)
        script.load()
        AgentRpc(script).init(policy)  # raises hooks.errors on a refused policy
        script.eternalize()
        target.resume(pid)
    except (frida.InvalidOperationError, frida.TransportError, frida.ServerNotRunningError,
            frida.ProcessNotFoundError, frida.NotSupportedError, frida.ExecutableNotFoundError,
            frida.TimedOutError, frida.InvalidArgumentError, adbutils.AdbError) as e:  # fmt: skip
        raise DeviceCommandFailed(["frida", "spawn", package], 1, str(e)) from e
    return pid
