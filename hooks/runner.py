"""Run a Linux program under the agent with a policy, and return its exit status.

The program is started by a gate (``hooks.gate``) that is this process's own child: Frida
attaches to the gate (child gating only), the gate then ``exec``s the program, and Frida hands
over the new image suspended, so the agent is in place before the program's first
instruction. This process reaps the gate, so the program's exit status is ours.

A run ends when the program and every process it started have exited, like a sandbox: only
while this process is there to instrument them do a daemon's later children get the policy.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from hooks import frida_module, memory, procfs
from hooks.agent_bundle import built_agent
from hooks.boundary import Boundary, Prepared, prepare
from hooks.errors import failure_error, failure_kind
from hooks.gate import check_command, exit_status, reap, relayed_signals, start_gate, wait_exit
from hooks.session import AgentSessions, InBackground

if TYPE_CHECKING:
    import frida

_HANDOVER_LIMIT_S = 30.0


@functools.lru_cache(maxsize=1)
def local_device() -> frida.Device:
    """The local Frida device, created once per process."""
    frida_module.import_without_asyncio()  # the first import of frida in a host run
    import frida

    return frida.get_local_device()


PolicySource = Mapping[str, Any] | Callable[[], Mapping[str, Any]]


def run(
    argv: Sequence[str],
    policy: PolicySource,
    *,
    on_event: Callable[[dict[str, Any]], None] | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    on_running: Callable[[int, list[int]], None] | None = None,
    boundary: Boundary | None = None,
) -> int:
    """Runs ``argv`` under the agent with ``policy``; returns its exit status (128+N if killed)
    once it and every process it started have exited. ``on_running(status, pids)`` is
    called once if, a second after the program exited, processes it started still run.
    With ``boundary``, every process of the run is also inside that kernel boundary
    (``hooks.boundary``), entered before the gate starts; BoundaryError if it cannot be.

    ``policy`` may be a function that makes it: it is called once, while Frida attaches to
    the gate (the program waits for it, and never runs if it raises, which is raised), so
    that the work of making it overlaps the attach.

    stdin/stdout/stderr are the caller's. Children carry the same policy. Raises
    ProgramNotFound/ProgramNotExecutable/ProgramStatic before starting anything (a process
    of the run that execs a static program, or that Frida never hands over, such as a child
    of a raw ``clone`` syscall, is killed and reported as lost), AgentBundleMissing if the
    agent is not built, HookStartError if the program could not be instrumented.
    """
    check_command(argv, env, cwd)
    agent = built_agent()
    sessions = AgentSessions(local_device(), agent, None, on_event)

    def make_policy() -> None:  # while Frida attaches to the gate
        made = policy() if callable(policy) else policy
        sessions.set_policy({**made, "host": _this_host()})
        agent.read_kept()  # the program's agent, ready when Frida hands it over

    try:
        prepared = None if boundary is None else prepare(boundary)
        try:
            with relayed_signals(sessions.signal_all):
                return _run_gated(sessions, argv, env, cwd, on_running, prepared, make_policy)
        finally:
            if prepared is not None:
                prepared.close()
    finally:
        sessions.close()


def _this_host() -> dict[str, int]:
    """This process, for the agent: a process of the run is killed rather than left without
    its policy if this one dies (see hooks/agent/src/host.ts)."""
    return {"pid": os.getpid(), "start": procfs.start_ticks(os.getpid()) or 0}


def _run_gated(
    sessions: AgentSessions,
    argv: Sequence[str],
    env: Mapping[str, str] | None,
    cwd: str | os.PathLike[str] | None,
    on_running: Callable[[int, list[int]], None] | None = None,
    prepared: Prepared | None = None,
    make_policy: Callable[[], None] | None = None,
) -> int:
    def meanwhile() -> None:
        if make_policy is not None and not sessions.has_policy:
            make_policy()

    def attach(gate: int) -> None:
        _attach_while(sessions, gate, meanwhile)

    pid = start_gate(attach, argv, env, cwd, prepared)
    memory.release_read_once_pages()  # Frida has written out what it embeds: see hooks.memory
    started = procfs.start_ticks(pid) or 0  # our child, not reaped yet: always known
    # meanwhile, a process Frida never hands over (a raw clone's child) is killed, not
    # left to run, or to hang the program that waits for it
    wait_exit(pid, lambda: sessions.kill_unfollowed(started, _HANDOVER_LIMIT_S))
    ran = sessions.instrumented(pid)  # the program itself got the agent (asked before reaping)
    status = exit_status(reap(pid))
    notice = None if on_running is None else functools.partial(on_running, status)
    sessions.wait_all_exited(started, _HANDOVER_LIMIT_S, notice)
    for failure in sessions.failures:
        raise failure_error(failure_kind(failure), str(failure), ran=ran) from failure
    return status


def _attach_while(sessions: AgentSessions, pid: int, meanwhile: Callable[[], None]) -> None:
    """Attaches to the gate ``pid`` (``AgentSessions.gate``: Frida's own threads and the
    gate do the work) while this thread runs ``meanwhile``; raises what either raised,
    ``meanwhile``'s first."""
    attaching = InBackground(lambda: sessions.gate(pid))
    try:
        meanwhile()
    except BaseException:
        with contextlib.suppress(Exception):
            attaching.result()
        raise
    attaching.result()
