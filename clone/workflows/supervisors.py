"""The shared supervisors of a ``$CLONE_HOME`` (``hooks.supervisor``): which run, what they
do, and stopping them (``clone host supervisor``).

Stopping is retiring: a supervisor stops taking runs at once (the next run starts a new
one) and leaves once the runs it took have ended; they are not cut short.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any, Literal

from clone.errors import OperationFailed
from clone.home import Home

_GONE_WAIT_S = 5.0  # how long --stop waits for an idle supervisor to leave

State = Literal["serving", "idle", "retiring", "stopped"]


@dataclass(frozen=True)
class SupervisorInfo:
    """One supervisor of the home. ``state``: ``serving`` (runs going on), ``idle``,
    ``retiring`` (takes no more runs; leaves when those it took end) or ``stopped``.
    ``runs`` and ``idle_s`` are None where it could not be asked (it no longer listens:
    retiring); ``idle_s`` is None while a run goes on too."""

    pid: int
    build: str | None  # the first characters of its build id (None: not asked)
    this_build: bool | None  # the build this ``clone`` runs, whose runs go to it
    state: State
    runs: int | None
    idle_s: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "pid": self.pid,
            "build": self.build,
            "this_build": self.this_build,
            "state": self.state,
            "runs": self.runs,
            "idle_s": self.idle_s,
        }


def why_not_shared() -> str | None:
    """Why this machine's runs are supervised in-process, not by a shared supervisor (the
    kernel forbids it, or ``CLONE_SUPERVISOR`` says so); None when they go to one."""
    from clone.workflows.host import SUPERVISOR_ENV, supervisor_mode
    from hooks.supervisor.build import ptrace_refusal

    if supervisor_mode() == "in-process":
        return f"{SUPERVISOR_ENV} is in-process"
    return ptrace_refusal()


def supervisors(home: Home) -> list[SupervisorInfo]:
    """The supervisors running for ``home``, each asked for its status."""
    return _gather(home, "status")


def retire_supervisors(home: Home) -> list[SupervisorInfo]:
    """Has every supervisor of ``home`` retire, and waits a moment for those without runs
    to leave (``stopped``); the others are ``retiring``."""
    from hooks import procfs

    retired = _gather(home, "retire")
    deadline = time.monotonic() + _GONE_WAIT_S
    idle = [info.pid for info in retired if not info.runs]
    while any(procfs.alive(pid) for pid in idle) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [
        replace(info, state="stopped") if not procfs.alive(info.pid) else info for info in retired
    ]


def _gather(home: Home, question: str) -> list[SupervisorInfo]:
    from hooks.errors import SupervisorUnavailable
    from hooks.supervisor.reach import Place, ask, running

    mine = Place.of(home.root).tag
    found: dict[int, SupervisorInfo] = {}
    for place in Place.every(home.root):
        try:
            status = ask(place, question)
        except SupervisorUnavailable as e:
            raise OperationFailed(
                str(e), hint=f"see {place.log}; a supervisor can be ended with kill"
            ) from e
        if status is None:
            continue  # a socket left behind by one gone
        pid, build, runs = (
            int(status["pid"]),
            str(status["build"])[: len(mine)],
            int(status["runs"]),
        )
        idle = status.get("idle_s")
        state: State = "retiring" if status.get("retiring") else "serving" if runs else "idle"
        found[pid] = SupervisorInfo(
            pid, build, build == mine, state, runs, None if idle is None else float(idle)
        )
    for pid in running(home.root):  # those that no longer listen: retiring
        found.setdefault(pid, SupervisorInfo(pid, None, None, "retiring", None, None))
    return sorted(found.values(), key=lambda info: info.pid)
