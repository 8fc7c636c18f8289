"""Gate every start of an app on a Frida device (frida-server's spawn gating), for the
virtual backend: one installed package holds the storage of all its clones, and only the
hooks keep a process inside its clone's roots. A start the system makes on its own (a push,
a job, a tap on the icon) is held suspended by frida-server; the gate lets a process of the
package go only with the agent loaded with the clone's policy, and kills it when there is
no clone to run it as. Starts of other apps are let go untouched.

Frida reports spawns on its own thread; they are queued there and handled by ``serve`` on
the caller's (the agent's RPC must not run inside Frida's callback).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from hooks.errors import HookStartError, PolicyError
from hooks.spawn import hook_and_resume

if TYPE_CHECKING:
    import frida

Outcome = Literal["hooked", "refused", "passed"]


@dataclass(frozen=True)
class ClonePolicy:
    """The clone a gated start runs as, and the agent policy it gets."""

    clone: str
    policy: Mapping[str, Any]


@dataclass(frozen=True)
class GatedStart:
    """What the gate did with one held process."""

    pid: int
    process: str
    outcome: Outcome
    clone: str | None = None
    reason: str | None = None


def belongs_to(process: str, package: str) -> bool:
    """Whether Android process name ``process`` is one of ``package``'s (``P`` or ``P:sub``)."""
    return process == package or process.startswith(f"{package}:")


class SpawnGate:
    """Hold every start on ``target``; let ``package``'s go under the agent with the policy
    ``choose()`` names at that moment (None: refuse, the process is killed)."""

    def __init__(
        self,
        target: frida.Device,
        package: str,
        agent_source: str,
        choose: Callable[[], ClonePolicy | None],
    ) -> None:
        self._target, self._package, self._agent = target, package, agent_source
        self._choose = choose
        self._held: queue.Queue[tuple[int, str]] = queue.Queue()

    def __enter__(self) -> SpawnGate:
        self._target.on("spawn-added", self._added)
        self._target.enable_spawn_gating()
        for spawn in self._target.enumerate_pending_spawn():  # held before we listened
            self._added(spawn)
        return self

    def __exit__(self, *exc: object) -> None:
        self._target.disable_spawn_gating()  # frida-server lets any still held go
        self._target.off("spawn-added", self._added)

    def _added(self, spawn: Any) -> None:
        self._held.put((int(spawn.pid), str(spawn.identifier)))

    def serve(
        self, stop: threading.Event, report: Callable[[GatedStart], None], poll: float = 0.2
    ) -> None:
        """Handle held starts until ``stop`` is set, telling ``report`` about each."""
        while not stop.is_set():
            done = self.handle_next(poll)
            if done is not None:
                report(done)

    def handle(self, pid: int, process: str) -> GatedStart:
        """Let one held process go: hooked, refused (killed) or, another app's, passed."""
        if not belongs_to(process, self._package):
            self._target.resume(pid)
            return GatedStart(pid, process, "passed")
        chosen = self._choose()
        if chosen is None:
            self._target.kill(pid)
            return GatedStart(pid, process, "refused", reason="no clone of the app is active")
        try:
            hook_and_resume(self._target, pid, process, self._agent, chosen.policy)
        except (HookStartError, PolicyError) as e:  # hook_and_resume killed it
            return GatedStart(pid, process, "refused", chosen.clone, str(e))
        return GatedStart(pid, process, "hooked", chosen.clone)

    def handle_next(self, timeout: float) -> GatedStart | None:
        """The next held start, handled; None when none arrives within ``timeout``."""
        try:
            pid, process = self._held.get(timeout=timeout)
        except queue.Empty:
            return None
        return self.handle(pid, process)
