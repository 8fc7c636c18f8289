"""A run whose processes the shared supervisor of its ``$CLONE_HOME`` instruments
(``hooks.supervisor.daemon``), while this process keeps the process tree, as in
``hooks.runner.run``: it starts the gate as its own child (terminal, fds, limits, cwd and
environment are this process's), reaps it, relays SIGTERM and a second SIGINT, and returns
the program's exit status. It never imports Frida: that, the agent and their memory live
in the supervisor, once for every run.

While the run lasts this process adopts the orphans of its run (``PR_SET_CHILD_SUBREAPER``):
the supervisor tells its run's processes from another run's by their parents, which then
lead here rather than to init, and their zombies are reaped here.

Fails closed both ways: if this process goes, the supervisor kills the run; if the
supervisor goes, the agents kill their processes (hooks/agent/src/host.ts), and this
process kills what it can reach of the run and reports it lost.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from hooks import procfs
from hooks.agent_bundle import agent_path
from hooks.boundary import Boundary, prepare
from hooks.errors import HookStartError, ProcessesLost, failure_error
from hooks.gate import check_command, exit_status, reap, relayed_signals, start_gate
from hooks.supervisor.reach import connect
from hooks.supervisor.wire import Channel, PeerGone

if TYPE_CHECKING:
    from hooks.runner import PolicySource

_PR_SET_CHILD_SUBREAPER = 36
_PR_GET_CHILD_SUBREAPER = 37
_CHECK_MS = 1000
_REPLY_WAIT_S = 120.0  # attaching under load, with Frida's own retries


def run_shared(
    argv: Sequence[str],
    policy: PolicySource,
    *,
    home: str | os.PathLike[str],
    on_event: Callable[[dict[str, Any]], None] | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    on_running: Callable[[int, list[int]], None] | None = None,
    boundary: Boundary | None = None,
) -> int:
    """``hooks.runner.run``, instrumented by the shared supervisor of ``home`` (started if
    none runs). Raises what ``run`` raises, and SupervisorUnavailable, before anything of
    the run has started, when that supervisor cannot take it (the caller may then run it
    in-process)."""
    check_command(argv, env, cwd)
    agent_path()  # AgentBundleMissing here, as in-process
    channel, _ = connect(home)
    try:
        prepared = None if boundary is None else prepare(boundary)
        try:
            with _Relay() as relay, relayed_signals(relay.add), _adopting_orphans():
                run = _SharedRun(channel, relay, policy, on_event, on_running)
                pid = start_gate(run.attach, argv, env, cwd, prepared)
                return run.follow(pid)
        finally:
            if prepared is not None:
                prepared.close()
    finally:
        channel.close()


class _SharedRun:
    """The client's side of one run (the protocol: ``daemon.RunService``)."""

    def __init__(
        self,
        channel: Channel,
        relay: _Relay,
        policy: PolicySource,
        on_event: Callable[[dict[str, Any]], None] | None,
        on_running: Callable[[int, list[int]], None] | None,
    ) -> None:
        self._channel = channel
        self._relay = relay
        self._policy = policy
        self._policy_sent = False
        self._on_event = on_event
        self._on_running = on_running
        self._since = 0
        self._lost = False

    def attach(self, pid: int) -> None:
        """Has the supervisor attach to gate ``pid``; the policy is made meanwhile."""
        self._since = procfs.start_ticks(pid) or 0
        gate = {"pid": pid, "start": self._since, "client": os.getpid()}
        try:
            self._channel.send("gate", {**gate, "trace": self._on_event is not None})
            if not self._policy_sent:
                made = self._policy() if callable(self._policy) else self._policy
                self._channel.send("policy", dict(made))
                self._policy_sent = True
            reply = self._reply()
        except PeerGone as e:
            raise HookStartError(f"the shared supervisor went away: {e}") from e
        if reply[0] == "failed":
            raise HookStartError(str(reply[1]))
        if reply[0] != "attached":
            raise HookStartError(f"the shared supervisor could not attach: {reply[1]}")

    def follow(self, pid: int) -> int:
        """Waits for the program, then for the rest of the run; its exit status."""
        self._watch(until_exited=pid)
        status = exit_status(reap(pid))
        with contextlib.suppress(PeerGone):
            self._channel.send("exited", status)
        done = self._watch(status=status)
        _reap_orphans(self._since)
        if done is None or self._lost:
            raise ProcessesLost(
                "the shared supervisor ended during the run: its processes were killed"
            )
        for kind, message in done["failures"]:
            raise failure_error(kind, message, ran=bool(done["ran"]))
        return status

    def _watch(self, *, until_exited: int = 0, status: int = 0) -> dict[str, Any] | None:
        """Serves the run until child ``until_exited`` has exited (None then), or else
        until the supervisor says the run is done (its ``done``; None if it went away):
        relays signals, passes events and the still-running notice on, reaps orphans."""
        poller = select.poll()
        poller.register(self._relay.fd, select.POLLIN)
        if not self._lost:
            poller.register(self._channel.sock, select.POLLIN)
        pidfd = os.pidfd_open(until_exited) if until_exited else None
        if pidfd is not None:
            poller.register(pidfd, select.POLLIN)
        listening = not self._lost
        reap_at = time.monotonic() + _CHECK_MS / 1000
        try:
            while True:
                ready = {fd for fd, _ in poller.poll(_CHECK_MS)}
                for signum in self._relay.take():
                    self._tell("signal", signum)
                if listening and (self._channel.sock.fileno() in ready or self._channel.pending()):
                    done = self._read_all(status)
                    if done is not None:
                        return done
                if listening and self._lost:
                    listening = False
                    poller.unregister(self._channel.sock)
                    self._kill_run(until_exited)
                if pidfd is not None and pidfd in ready:
                    return None
                if self._lost and not until_exited:
                    return None
                if time.monotonic() >= reap_at:  # a look at every process: not per message
                    _reap_orphans(self._since, but=until_exited)
                    reap_at = time.monotonic() + _CHECK_MS / 1000
        finally:
            if pidfd is not None:
                os.close(pidfd)

    def _read_all(self, status: int) -> dict[str, Any] | None:
        """Handles the messages that have come; the ``done`` one's value if it came."""
        try:
            while (message := self._channel.receive(0)) is not None:
                name, value = message
                if name == "event" and self._on_event is not None and isinstance(value, dict):
                    self._on_event(value)
                elif name == "running" and self._on_running is not None:
                    self._on_running(status, [int(pid) for pid in value])
                elif name == "done":
                    return dict(value)
                elif name == "error":
                    raise PeerGone(f"the shared supervisor failed: {value}")
        except PeerGone:
            self._lost = True
        return None

    def _reply(self) -> tuple[str, Any]:
        message = self._channel.receive(_REPLY_WAIT_S)
        if message is None:
            raise PeerGone("no answer from the shared supervisor")
        return message

    def _tell(self, name: str, value: Any) -> None:
        try:
            self._channel.send(name, value)
        except PeerGone:
            self._lost = True

    def _kill_run(self, gate: int) -> None:
        """The supervisor is gone: kills the gate and every process of the run this process
        can find (its descendants, the orphans it adopted among them)."""
        for pid in _descendants(self._since):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if gate:
            with contextlib.suppress(ProcessLookupError):
                os.kill(gate, signal.SIGKILL)


class _Relay:
    """Signals to pass on, queued by the signal handler and sent by the run's loop (a
    handler must not write to the socket: it may run in the middle of another send)."""

    def __init__(self) -> None:
        self._queued: list[int] = []
        self._read, self._write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)

    @property
    def fd(self) -> int:
        return self._read

    def add(self, signum: int) -> None:
        self._queued.append(signum)
        with contextlib.suppress(BlockingIOError):
            os.write(self._write, b"s")

    def take(self) -> list[int]:
        with contextlib.suppress(BlockingIOError):
            os.read(self._read, 4096)
        taken, self._queued[:] = list(self._queued), []
        return taken

    def __enter__(self) -> _Relay:
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self._read)
        os.close(self._write)


@contextlib.contextmanager
def _adopting_orphans() -> Iterator[None]:
    """This process as the subreaper of its descendants while the run lasts."""
    prctl = _prctl()
    if prctl is None:
        yield
        return
    import ctypes

    before = ctypes.c_int(0)
    prctl(_PR_GET_CHILD_SUBREAPER, ctypes.addressof(before), 0, 0, 0)
    prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    try:
        yield
    finally:
        prctl(_PR_SET_CHILD_SUBREAPER, before.value, 0, 0, 0)


def _prctl() -> Callable[..., int] | None:
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def _reap_orphans(since: int, but: int = 0) -> None:
    """Reaps this process's zombie children started at or after ``since`` (the run's
    orphans, adopted), but not ``but`` (the gate: the run reaps it for its status)."""
    me = os.getpid()
    for pid in procfs.pids():
        if pid == but or (stat := procfs.stat(pid)) is None:
            continue
        if stat.state == "Z" and stat.parent == me and stat.started >= since:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)


def _descendants(since: int) -> list[int]:
    """This process's descendants started at or after ``since``."""
    parents: dict[int, int] = {}
    for pid in procfs.pids():
        stat = procfs.stat(pid)
        if stat is not None and stat.started >= since:
            parents[pid] = stat.parent
    me, found = os.getpid(), []
    for pid in parents:
        hop, seen = pid, 0
        while hop in parents and seen < 64:
            hop, seen = parents[hop], seen + 1
        if hop == me:
            found.append(pid)
    return found
