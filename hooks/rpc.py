"""Typed facade over the agent's ``rpc.exports`` (init, policy, startup_line, hook_report,
prologue_plan, stats)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from hooks.errors import HookStartError, PolicyError

if TYPE_CHECKING:
    import frida


class AgentRpc:
    """The agent loaded in one process."""

    def __init__(self, script: frida.Script) -> None:
        self._exports = script.exports_sync

    def init(self, policy: Mapping[str, Any]) -> str | None:
        """Installs the hooks for ``policy`` (once per process; later calls are ignored).
        Returns where the agent's prologue analysis came from: ``"given"`` (a plan handed
        over, hooks.agent_bundle), ``"computed"`` (``prologue_plan()`` has it), or None."""
        import frida

        try:
            origin = self._exports.init(json.loads(json.dumps(policy)))
        except frida.RPCException as e:
            message = str(e).splitlines()[0] if str(e) else repr(e)
            if "invalid policy: " in message:
                raise PolicyError(message.split("invalid policy: ", 1)[1]) from e
            raise HookStartError(f"the agent failed to start: {e}") from e
        return origin if isinstance(origin, str) else None  # an agent built before: nothing

    def policy(self) -> dict[str, Any] | None:
        """The policy the agent runs with, as it parsed it (None before ``init``)."""
        return cast(dict[str, Any] | None, self._exports.policy())

    def startup_line(self) -> str | None:
        """The start-up line the agent writes to logcat on Android (None before ``init``)."""
        return cast(str | None, self._exports.startup_line())

    def hook_report(self) -> dict[str, int | str] | None:
        """Android clones: each hook group and the number of methods it hooked, or the
        reason it failed (``"failed: …"``); None before ``init`` and off Android."""
        return cast(dict[str, int | str] | None, self._exports.hook_report())

    def prologue_plan(self) -> dict[str, Any] | None:
        """The prologue plan the agent computed at ``init`` (hooks.prologue_plan.ProloguePlan's
        value), or None when it was given one or made none."""
        return cast(dict[str, Any] | None, self._exports.prologue_plan())

    def stats(self) -> dict[str, Any]:
        """Counters and the hooked functions: ``pid``, ``installed``, ``redirects``, ``denies``…"""
        return cast(dict[str, Any], self._exports.stats())
