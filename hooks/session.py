"""Frida sessions for one program and every process it starts (child gating).

Each gated child (fork, exec, ``system``/``posix_spawn``) is reported by Frida suspended; it
gets the agent and policy before it is resumed. A child that cannot be instrumented is
killed rather than run without its policy, and so is one Frida never hands over
(``wait_all_exited``, which keeps a run going until all its processes have exited).

A host run that is not traced keeps each process's agent: once its policy is in, the agent is
made eternal, and a fork child inherits it, hooks and all, so the child only needs a session
(for its own children's gating), not an agent of its own (see ``_keep``). A
traced run, which needs the agent's messages, loads the agent anew in every child: Frida
tears a script that is not eternal down in a fork child.

A kept agent that had no prologue plan for its libc computed one (``hooks.agent_bundle``): it
says so from init, and is asked for the plan before it is made eternal, for the processes
instrumented after it.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from hooks import procfs
from hooks.agent_bundle import AgentCode
from hooks.connections import Connections
from hooks.errors import HandOverFroze, HookStartError
from hooks.gate import signal_process
from hooks.rpc import AgentRpc

if TYPE_CHECKING:
    import frida

EventHandler = Callable[[dict[str, Any]], None]
_ATTACH_ATTEMPTS = 3
_CLOSE_ROUNDS = 4
_CLOSE_QUIET_S = 2.0
_HANDOVER_POLL_S = 0.02
_RUNNING_POLL_S = 0.25
_RELEASE_S = 5.0
_WALL = 0x40000000  # wait for any kind of child, a tracee too (linux/wait.h: __WALL)
_RUNNING_NOTICE_S = 1.0
# every process instrumented by any session of this Python process (pid -> start ticks)
_HANDLED: dict[int, int] = {}
_HANDLED_LOCK = threading.Lock()


class AgentSessions:
    """The agent in a program and all its descendants, sharing one policy."""

    def __init__(
        self,
        device: frida.Device,
        agent: AgentCode,
        policy: Mapping[str, Any] | None,
        on_event: EventHandler | None = None,
        *,
        belongs: Callable[[int], bool] | None = None,
    ) -> None:
        """``policy`` may be given later (``set_policy``), before the first child is reported.

        ``belongs``, for a device shared by several runs (``hooks.supervisor``): children
        are not taken from the device, its owner hands this run its own (``take_child``,
        routed by ``attached``), and a process not handed over yet counts as this run's only if
        ``belongs(pid)`` (every run's processes map the same agent)."""
        self._device = device
        self._agent = agent
        self._policy = policy
        self._on_event = on_event
        self._lock = threading.Condition()
        self._live: dict[int, frida.Session] = {}
        self._scripts: dict[int, frida.Script] = {}
        self._pending = 0
        self._handled: dict[int, int] = {}  # pid -> start ticks, every process instrumented
        self._agent_files: set[str] = set()  # the agent library files mapped in them
        self._relayed: list[int] = []  # signals passed on to the run (signal_all)
        self._sent: dict[tuple[int, int | None], int] = {}  # (pid, start): how many of them
        self._in_flight: set[int] = set()  # reported children not resumed yet (_serve_child)
        self._relaying = False  # a thread sends relayed signals to processes Frida lets go
        self._closed = False
        self.errors: list[str] = []  # script errors reported by agents (not fatal)
        self.failures: list[Exception] = []  # children that could not be instrumented (killed)
        self._workers: set[threading.Thread] = set()  # one per child being instrumented
        self._first_seen: dict[int, float] = {}  # not handed over yet: since when (monotonic)
        self._killed: set[int] = set()  # killed by kill_unfollowed, perhaps not gone yet
        self._kept: set[int] = set()  # their agent is eternal: a fork child inherits it
        self._belongs = belongs
        self._connections = Connections()  # disconnected in close: see hooks.connections
        self._attached: dict[int, int] = {}  # pid -> start ticks, with ``belongs`` only
        if belongs is None:
            device.on("child-added", self._on_child_added)

    def gate(self, pid: int) -> None:
        """Attaches to ``pid`` with child gating only (no agent): its exec image gets the agent."""
        self._attach(pid)
        with self._lock:
            self._agent_files |= procfs.agent_files(pid)

    def set_policy(self, policy: Mapping[str, Any]) -> None:
        """The policy every process instrumented from now on is sent."""
        self._policy = policy

    @property
    def has_policy(self) -> bool:
        return self._policy is not None

    def instrument(self, pid: int) -> AgentRpc:
        """Attaches, loads the agent, sends the policy; the caller resumes the process. In a
        run whose agents are kept (see ``_keep``) the agent is then made eternal, and the
        AgentRpc returned can no longer reach it."""
        if self._policy is None:
            raise HookStartError(f"process {pid} was reported before the run had its policy")
        keep = self._keeps
        session = self._attach(pid)
        script = self._agent.load(session, self._on_message)
        self._connections.record(script, "message", self._on_message)
        self._connections.record_own(script)
        with self._lock:
            self._scripts[pid] = script
        rpc = AgentRpc(script)
        # told, the agent may patch libc in ways that must not outlive it (fastpath/direct.ts)
        prologues = rpc.init({**self._policy, "keep": True} if keep else self._policy)
        if keep:
            if prologues == "computed":  # the next processes are handed what this one found
                self._learn_plan(rpc)
            self._keep(pid)  # its exports out of reach from now on
        self._handle(pid)
        return rpc

    def wait_all_exited(
        self,
        since: int,
        handover_limit: float,
        on_running: Callable[[list[int]], None] | None = None,
    ) -> None:
        """Waits until the program and every process it started (at or after ``since``,
        clock ticks) have exited. Each stays instrumented, its forks and execs gated, for as
        long as it runs, so a descendant that outlives the program keeps the policy, and so
        do its own children. Frida hands a fork or exec over only once the new process has
        run a little, which under load can be long after its parent exited; one not handed
        over within ``handover_limit`` seconds is killed (never run without its policy) and
        reported in ``failures``. ``on_running(pids)`` is called once if processes are still
        running ``_RUNNING_NOTICE_S`` seconds after the call."""
        busy_since: float | None = None
        notice_at = time.monotonic() + _RUNNING_NOTICE_S
        while True:
            with self._lock:
                busy = self._pending > 0
                live = [pid for pid in self._live if procfs.alive(pid)]
            waiting = self.kill_unfollowed(since, handover_limit)
            now = time.monotonic()
            busy_since = (busy_since or now) if busy else None
            if busy_since is not None and now - busy_since >= handover_limit:
                self.failures.append(HookStartError("instrumenting a child process hangs"))
                return
            if not (busy or live or waiting):
                return
            if on_running is not None and live and now >= notice_at:
                on_running(sorted(live))
                on_running = None
            with self._lock:  # woken early by a child reported or a session gone
                self._lock.wait(_HANDOVER_POLL_S if busy or waiting else _RUNNING_POLL_S)

    def kill_unfollowed(self, since: int, handover_limit: float) -> list[int]:
        """The processes started at or after ``since`` that Frida has not handed over yet,
        or holds under ptrace; each one waiting for ``handover_limit`` seconds is killed
        and reported in ``failures``. One never handed over must not run without its policy
        (a child of a raw ``clone`` syscall, which no fork hook sees, or a process whose
        hand-over hangs). One held that long is in a hand-over that froze: Frida's own fork
        hand-over now and then holds parent and child for ever, and the run would wait on
        them for ever (``HandOverFroze``)."""
        waiting, held = self._unreported(since), self._held()
        # one not reported yet but under Frida's ptrace is being handed over too (a fork
        # child whose agent thread Frida re-creates), not a raw clone's child
        held += [pid for pid in waiting if held_by_frida(pid)]
        waiting = [pid for pid in waiting if pid not in held]
        now = time.monotonic()
        late = overdue(self._first_seen, waiting + held, now, handover_limit)
        named = {pid: procfs.name(pid) for pid in late}  # before it is gone (reaped below)
        for pid in late:
            signal_process(pid, signal.SIGKILL)
        for pid in late:
            if pid in held:  # so that its parent can reap it
                _release_traced(pid)
        newly = [p for p in late if p not in self._killed]
        self._killed.update(newly)
        limit = f"{handover_limit:.0f} s"
        for pids, what, kind in (
            (
                waiting,
                f"not handed over to the hooks within {limit} (started by a raw clone "
                "or clone3 call?)",
                HookStartError,
            ),
            (held, f"held by Frida for {limit} (a hand-over that froze)", HandOverFroze),
        ):
            if names := ", ".join(f"{pid} ({named[pid]})" for pid in newly if pid in pids):
                self.failures.append(kind(f"process {names} was {what}: killed"))
        # a killed process is still waited for until it is gone: SIGKILL takes effect when
        # the kernel next runs it, which under load is not at once
        return waiting + held

    def _held(self) -> list[int]:
        """The processes of the run, handed over, that Frida has under ptrace now."""
        with self._lock:
            settled = self._settled()
        return [pid for pid in settled if held_by_frida(pid)]

    def _settled(self) -> list[int]:
        """The processes with a session that are not in flight (with the lock held)."""
        return [pid for pid in self._live if pid not in self._in_flight]

    def signal_all(self, signum: int) -> None:
        """Passes ``signum`` on to every process of the run that is instrumented and alive,
        and to each one handed over from now on, fork or exec.

        A process Frida holds gets it once Frida lets it go: a child in flight once resumed,
        one Frida has under ptrace (an exec being gated) once released, looked at again
        every ``_HANDOVER_POLL_S``. Signalled in the middle of its hand-over, a process died
        half instrumented (counted as one that lost its policy), or left Frida waiting on it
        for ever."""
        with self._lock:
            self._relayed.append(signum)
            if self._relay_to_free() and not self._relaying:
                self._relaying = True
                threading.Thread(
                    target=self._relay_when_free, name="clonespace-relay", daemon=True
                ).start()

    def _relay_when_free(self) -> None:
        """Relays to the processes Frida held, as it lets each go, until it holds none."""
        while True:
            time.sleep(_HANDOVER_POLL_S)
            with self._lock:
                if not self._relay_to_free() or self._closed:
                    self._relaying = False
                    return

    def _relay_to_free(self) -> bool:
        """Sends every process of the run that Frida does not hold the relayed signals it
        was not sent yet (with the lock held); whether some process is left, held."""
        held = False
        for pid in self._settled():
            if self._sent.get(self._sent_key(pid), 0) == len(self._relayed):
                continue
            if held_by_frida(pid):
                held = True
            else:
                self._relay_to(pid)
        return held

    def _relay_to(self, pid: int, *, handed_over: bool = False) -> None:
        """Sends ``pid`` the relayed signals it was not sent yet (with the lock held), or
        all of them when Frida has just ``handed_over`` it: its fork or exec may have
        swallowed those sent before (a shell's child that had not reset its parent's traps
        yet catches SIGTERM, then execs its command)."""
        key = self._sent_key(pid)
        signal_process(pid, *self._relayed[0 if handed_over else self._sent.get(key, 0) :])
        self._sent[key] = len(self._relayed)

    def _sent_key(self, pid: int) -> tuple[int, int | None]:
        """``pid`` as it runs now (by start time once handled: a reused pid is another)."""
        return pid, self._handled.get(pid)

    def _unreported(self, since: int) -> list[int]:
        """Processes started at or after ``since`` that Frida has not handed over yet: forks
        (they carry the agent this process injects but were never instrumented by any
        session) and execs (instrumented before, alive, and without a session now)."""
        with _HANDLED_LOCK:
            everyone = dict(_HANDLED)
        with self._lock:
            mine, live, files = dict(self._handled), set(self._live), set(self._agent_files)
        found = []
        for pid in procfs.pids():
            if pid in live:
                continue
            started = procfs.start_ticks(pid, alive_only=True)
            if started is None or started < since:
                continue
            if mine.get(pid) == started or (
                everyone.get(pid) != started
                and procfs.agent_files(pid) & files
                and (self._belongs is None or self._belongs(pid))
            ):
                found.append(pid)
        return found

    def close(self) -> None:
        """Detaches from every process still attached, then stops handling children.

        A descendant still running (a daemon that outlived the program) keeps its agent:
        the script is eternalized before the detach, so its hooks stay in place (its own
        later children are no longer gated, and its events are no longer reported).
        Children reported meanwhile are still instrumented, then detached the same way.
        """
        for _ in range(_CLOSE_ROUNDS):
            with self._lock:
                self._lock.wait_for(lambda: self._pending == 0, _CLOSE_QUIET_S)
                live = list(self._live.values())
                self._live.clear()
                scripts = list(self._scripts.values())
                self._scripts.clear()
            if not live and not scripts:
                break
            for script in scripts:
                with contextlib.suppress(Exception):  # the process may be gone already
                    script.eternalize()
            for session in live:
                with contextlib.suppress(Exception):
                    session.detach()
        if self._belongs is None:
            self._device.off("child-added", self._on_child_added)
        with self._lock:
            self._closed = True  # no more relaying
            workers = list(self._workers)
            handled = dict(self._handled)
        with _HANDLED_LOCK:  # a long-lived process (the shared supervisor) keeps no old pids
            for pid, started in handled.items():
                if _HANDLED.get(pid) == started:
                    del _HANDLED[pid]
        for worker in workers:
            worker.join(timeout=5)
        self._connections.disconnect_all()

    def _attach(self, pid: int) -> frida.Session:
        """Attaches (see ``attach``) and enables child gating."""
        session = attach(self._device, pid)
        self._gate_children(pid, session)
        return session

    def _gate_children(self, pid: int, session: frida.Session) -> None:
        """Enables child gating in ``session`` and follows it until it detaches."""
        try:
            session.enable_child_gating()
        except frida_errors() as e:
            with contextlib.suppress(Exception):
                session.detach()
            raise HookStartError(f"cannot gate the children of process {pid}: {e}") from e
        # shared device only: in-process, no /proc read on every attach
        started = None if self._belongs is None else procfs.start_ticks(pid)
        with self._lock:
            self._live[pid] = session
            if started is not None:
                self._attached[pid] = started
        self._connections.connect(
            session, "detached", lambda reason, crash: self._on_detached(pid, session)
        )

    def instrumented(self, pid: int, started: int | None = None) -> bool:
        """Whether ``pid`` (as it runs now, or as the process that started at ``started``
        clock ticks: a reused pid is another process) got the agent and took the policy."""
        with self._lock:
            handled = self._handled.get(pid)
        if started is None:
            started = procfs.start_ticks(pid)
        return handled is not None and handled == started

    def attached(self, pid: int) -> bool:
        """Whether this run has attached to ``pid`` (so its children are this run's): to the
        process running as ``pid`` now, or, if ``pid`` runs nothing now, to the last one that
        did. Its session may be gone already: Frida detaches from a process that execs
        before it reports the exec, and reports a fork after its parent has exited."""
        with self._lock:
            if pid in self._live:
                return True
            started = self._attached.get(pid)
        if started is None:
            return False
        running = procfs.start_ticks(pid)
        return running is None or running == started

    def take_child(self, child: frida._frida.Child) -> None:
        """Instruments ``child``, reported by the shared device, as this run's (see
        ``belongs`` in the constructor)."""
        self._on_child_added(child)

    def _handle(self, pid: int) -> None:
        """Notes ``pid`` as instrumented (by start time: a reused pid is another process). The
        agent's files are read from the first process only: one injecting process maps the
        same file into every process it instruments, so reading every process's maps again
        (~0.1 ms of each hand-over) finds nothing new."""
        with self._lock:
            known = bool(self._agent_files)
        started = procfs.start_ticks(pid)
        files = frozenset() if known else procfs.agent_files(pid)
        if started is None:
            return
        with _HANDLED_LOCK:
            _HANDLED[pid] = started
        with self._lock:
            self._handled[pid] = started
            self._agent_files |= files

    def _on_detached(self, pid: int, session: frida.Session) -> None:
        with self._lock:
            if self._live.get(pid) is session:
                del self._live[pid]
            self._lock.notify_all()

    def _on_child_added(self, child: frida._frida.Child) -> None:
        # each child on its own thread: children are instrumented side by side, not queued
        # behind one another (each is suspended until its own thread resumes it)
        inherits = child.origin == "fork" and child.parent_pid in self._kept
        worker = threading.Thread(
            target=self._serve_child,
            args=(child.pid, inherits),
            name="clonespace-child",
            daemon=True,
        )
        with self._lock:
            self._pending += 1
            self._in_flight.add(child.pid)
            self._workers.add(worker)
            self._lock.notify_all()
        worker.start()

    def _serve_child(self, pid: int, inherits: bool) -> None:
        # a fork of a kept process carries its agent already; any other child (an exec, a
        # spawn, a fork in a traced run, which loses the parent's hooks) gets its own
        try:
            if inherits:
                self._follow_fork(pid)
            else:
                self.instrument(pid)
            self._device.resume(pid)
            with self._lock:  # one step: signal_all either sends to it or leaves it to us
                self._in_flight.discard(pid)
                self._relay_to(pid, handed_over=True)
        except Exception as e:
            # reported through .failures; the child is killed, never run bare
            if not self._ended_by_relay(pid):
                self.failures.append(_why_lost(pid, e))
            signal_process(pid, signal.SIGKILL)
            _release_traced(pid)
        finally:
            with self._lock:
                self._pending -= 1
                self._in_flight.discard(pid)
                self._workers.discard(threading.current_thread())
                self._lock.notify_all()

    def _ended_by_relay(self, pid: int) -> bool:
        """Whether ``pid``, which could not be instrumented, has ended after a signal was
        passed on to the run: Frida takes an exec under ptrace only a moment after the
        process asks for it, and a signal relayed meanwhile ends it half handed over. It
        never ran without its policy."""
        with self._lock:
            relayed = bool(self._relayed)
        return relayed and not procfs.alive(pid)

    def _keep(self, pid: int) -> None:
        """Makes the agent just instrumented in ``pid`` eternal, as every agent of a run that
        allows it (not traced: an eternal script sends nothing; a host to watch). Eternal, the
        agent stays in a fork child (Frida tears every other script down there), so a fork
        costs a session instead of an agent; but it is never unloaded, so its dispose() cannot
        end the process when the host dies: the agent watches the host on a timer instead
        (``watchHost``, hooks/agent/src/host.ts)."""
        with self._lock:
            script = self._scripts.pop(pid)
        script.eternalize()
        with self._lock:
            self._kept.add(pid)  # before it runs: its forks inherit its agent

    def _learn_plan(self, rpc: AgentRpc) -> None:
        """Keeps the prologue plan the agent in this process computed (hooks.agent_bundle):
        asked only of an agent that says it computed one, so the others pay no round trip."""
        import frida

        failures: tuple[type[Exception], ...] = (frida.RPCException, *frida_errors())
        try:
            plan = rpc.prologue_plan()
        except failures:  # the plan only saves later processes time: not this one's failure
            return
        self._agent.learn_plan(plan)

    def _follow_fork(self, pid: int) -> None:
        """A fork child of a kept process: the agent it inherited holds the hooks and the
        policy, and watches the host; it gets a session (its own children are gated)."""
        self._attach(pid)
        with self._lock:
            self._kept.add(pid)  # before it runs: its forks inherit its agent
        self._handle(pid)

    @functools.cached_property
    def _keeps(self) -> bool:
        """Whether this run keeps its agents (eternal): when it is not traced and has a host
        for them to watch. (Asked first once a process is instrumented: the policy is in.)"""
        policy = self._policy or {}
        return not policy.get("trace") and isinstance(policy.get("host"), Mapping)

    def _on_message(self, message: Mapping[str, Any], data: bytes | None) -> None:
        del data
        if message.get("type") == "error":
            self.errors.append(str(message.get("description", message)))
            return
        payload = message.get("payload")
        if self._on_event is None or not isinstance(payload, dict):
            return
        if payload.get("type") != "events":
            return
        for event in payload.get("events", []):
            if isinstance(event, dict):
                self._on_event(event)


class InBackground:
    """``call()`` run on a thread of its own; ``result()`` waits for it and raises what it
    raised."""

    def __init__(self, call: Callable[[], object]) -> None:
        self._error: BaseException | None = None

        def run() -> None:
            try:
                call()
            except BaseException as e:  # handed to the waiting thread
                self._error = e

        self._thread = threading.Thread(target=run, name="clonespace-gating", daemon=True)
        self._thread.start()

    def done(self, timeout: float) -> bool:
        """Whether ``call`` has returned, waiting up to ``timeout`` seconds for it."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def result(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error


def _release_traced(pid: int) -> None:
    """Waits (briefly) for killed ``pid`` as its tracer would. A gated exec Frida never handed
    over stays traced by one of this process's threads, and dead it is then a zombie its
    parent cannot reap until the tracer has waited for it (the run would hang on it); any
    thread of the tracer's process may do that wait. A ``pid`` that is not traced from here
    is not ours to wait for (ECHILD): nothing happens; nor is one that is this process's own
    child (the program itself: its status is reaped by the run)."""
    fields = procfs.stat_fields(pid)
    if fields is None or fields[1] == str(os.getpid()):
        return
    deadline = time.monotonic() + _RELEASE_S
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG | _WALL)
        except ChildProcessError:
            return
        if done == pid:
            return
        time.sleep(_HANDOVER_POLL_S)


def _why_lost(pid: int, error: Exception) -> Exception:
    """What to report for a child that could not be instrumented: on a statically linked
    program Frida's injector just crashes, so that is said instead."""
    static = procfs.static_program(pid)
    if static is None:
        return error
    return HookStartError(
        f"process {pid} execs {static}, which is statically linked: the hooks cannot "
        "follow it, so it was killed"
    )


def attach(device: frida.Device, pid: int) -> frida.Session:
    """A session on ``pid``. Under load Frida's injector now and then crashes ("loader
    crashed"), gives up waiting for the process to stop ("timed out"), or loses the agent it
    was injecting ("refused to load frida-agent"); while the process is still alive that is
    tried again. Every Frida error ends as HookStartError."""
    import frida

    for attempt in range(_ATTACH_ATTEMPTS):
        try:
            return device.attach(pid)
        except frida_errors() as e:
            transient = (
                isinstance(e, (frida.TimedOutError, frida.ProcessNotRespondingError))
                or "loader crashed" in str(e)
            ) and procfs.alive(pid)
            if not transient or attempt == _ATTACH_ATTEMPTS - 1:
                raise HookStartError(f"cannot attach to process {pid}: {e}") from e
    raise AssertionError("unreachable")


@functools.cache
def frida_errors() -> tuple[type[Exception], ...]:
    """Every error type the frida module raises from its native calls (they share no base)."""
    import frida

    return tuple(
        error
        for name, error in vars(frida).items()
        if name.endswith("Error") and isinstance(error, type) and issubclass(error, Exception)
    )


def overdue(
    first_seen: dict[int, float], waiting: list[int], now: float, limit: float
) -> list[int]:
    """Those of ``waiting`` that have waited ``limit`` seconds by ``now``, across calls:
    ``first_seen`` (pid -> since when) keeps only the processes waiting now, so one that
    waits again later (each exec of a process is a wait to be handed over) counts from then,
    not from its first wait."""
    for pid in [p for p in first_seen if p not in waiting]:
        del first_seen[pid]
    return [p for p in waiting if now - first_seen.setdefault(p, now) >= limit]


def held_by_frida(pid: int) -> bool:
    """Whether ``pid`` is under ptrace by Frida's injector, which runs in this process (or
    in a helper it started, for another architecture)."""
    tracer = procfs.tracer(pid)
    return tracer is not None and os.getpid() in procfs.owners(tracer)
