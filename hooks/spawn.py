"""Spawn a program or app suspended under the hook agent, and let it go with the agent in
place (the virtual backend's start, through frida-server on a phone; on this machine's local
Frida device it runs Linux programs, which is how it is tested without a phone).

The program is spawned suspended, the agent is loaded with the clone's policy and made
eternal (it stays when this process detaches), then the program is resumed. A program whose
agent could not start is killed: it never runs without its policy.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from hooks.errors import HookStartError
from hooks.rpc import AgentRpc
from hooks.session import frida_errors

if TYPE_CHECKING:
    import frida


def spawn_on(
    target: frida.Device, argv: Sequence[str], agent_source: str, policy: Mapping[str, Any]
) -> int:
    """Spawn ``argv`` (an app's package name, or a program and its arguments) suspended on
    ``target``, load the agent with ``policy``, leave it in place, resume; the pid. Raises
    HookStartError, or PolicyError when the agent refuses the policy (the process is killed
    then)."""
    errors = frida_errors()
    try:
        pid = int(target.spawn(list(argv)))
    except errors as e:
        raise HookStartError(f"cannot spawn {' '.join(argv)}: {e}") from e
    hook_and_resume(target, pid, " ".join(argv), agent_source, policy)
    return pid


def hook_and_resume(
    target: frida.Device, pid: int, what: str, agent_source: str, policy: Mapping[str, Any]
) -> None:
    """Load the agent with ``policy`` into suspended ``pid``, leave it in place, resume it;
    on any failure the process is killed (HookStartError, PolicyError)."""
    errors = frida_errors()
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
            raise HookStartError(f"cannot start {what} under the hooks: {e}") from e
        raise


def _kill(target: frida.Device, pid: int) -> None:
    with contextlib.suppress(Exception):  # best effort: the error that got us here matters
        target.kill(pid)
