"""Spawn an installed app under the hook agent through frida-server (the virtual backend).

frida-server's port is forwarded through the same adb server (so ``--adb`` farms work), the
app is spawned suspended, the agent is loaded with the clone's policy and made eternal (it
stays when this process exits), then the app is resumed. ``spawn_on`` is that sequence on
any Frida device; on this machine's local device it runs Linux programs, which is how it is
tested without a phone.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import adbutils

from device.errors import DeviceCommandFailed
from hooks.rpc import AgentRpc
from hooks.session import frida_errors

if TYPE_CHECKING:
    import frida

FRIDA_PORT = 27042


def spawn_with_agent(
    dev: adbutils.AdbDevice, package: str, agent_source: str, policy: Mapping[str, Any]
) -> int:
    """Spawn ``package`` with the agent initialised with ``policy``; its pid."""
    import frida

    try:
        local = dev.forward_port(FRIDA_PORT)
    except adbutils.AdbError as e:
        raise DeviceCommandFailed(["adb", "forward", f"tcp:{FRIDA_PORT}"], 1, str(e)) from e
    target = frida.get_device_manager().add_remote_device(f"127.0.0.1:{local}")
    return spawn_on(target, [package], agent_source, policy)


def spawn_on(
    target: frida.Device, argv: Sequence[str], agent_source: str, policy: Mapping[str, Any]
) -> int:
    """Spawn ``argv`` (an app's package name, or a program and its arguments) suspended on
    ``target``, load the agent with ``policy``, leave it in place, resume; the pid. Raises
    DeviceCommandFailed, or hooks.errors when the agent refuses the policy (the process is
    killed then, never run without its policy)."""
    errors = frida_errors()
    try:
        pid = int(target.spawn(list(argv)))
    except errors as e:
        raise DeviceCommandFailed(["frida", "spawn", *argv], 1, str(e)) from e
    try:
        session = target.attach(pid)
        script = session.create_script(agent_source, name="clonespace")
        script.load()
        AgentRpc(script).init(policy)
        script.eternalize()
        session.detach()
        target.resume(pid)
    except BaseException as e:
        _kill(target, pid)
        if isinstance(e, errors):
            raise DeviceCommandFailed(["frida", "spawn", *argv], 1, str(e)) from e
        raise
    return pid


def _kill(target: frida.Device, pid: int) -> None:
    with contextlib.suppress(Exception):  # best effort: the error that got us here matters
        target.kill(pid)
