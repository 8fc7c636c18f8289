"""The shared supervisor: one process per ``$CLONE_HOME`` that instruments the runs of every
``clone host run`` there, so that N runs share one Frida, one agent and one Python.

    python -m hooks.supervisor.daemon --fd N --home DIR   (started by hooks.supervisor.reach)

Each connection is one run, served on a thread of its own (``RunService``); the client
keeps the process tree (it starts the gate, reaps it, relays signals) and this process only
instruments. Frida's device is shared, so children are routed: the run that knows a child's
parent gets it; a child no run knows is killed, never run bare. A run whose client goes
away (the stream ends) is killed, every process of it. This process is the host of every
process it instruments (hooks/agent/src/host.ts): were it to die, they all die.

It leaves after ``CLONE_SUPERVISOR_IDLE_S`` seconds (default 60) without a run, under the
lock clients start it under (``hooks.supervisor.reach``). A connection may also ask, instead
of a run, for its ``status`` (pid, build, runs, idle time; this does not count as a run), or
have it ``retire``: it stops listening at once, so that the next run starts a new supervisor,
and leaves once its runs have ended.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import select
import signal
import socket
import struct
import sys
import threading
import time
import traceback
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from hooks import memory, procfs
from hooks.agent_bundle import built_agent
from hooks.errors import HookStartError, failure_kind
from hooks.gate import signal_process
from hooks.runner import local_device
from hooks.session import AgentSessions, InBackground
from hooks.supervisor.reach import Place, idle_seconds
from hooks.supervisor.wire import Channel, PeerGone

if TYPE_CHECKING:
    import frida

_HANDOVER_LIMIT_S = 30.0
_CHECK_S = 1.0
_POLL_S = 0.005  # how soon the end of a run is told
_GREETING_S = 0.05
_PARENT_HOPS = 64


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hooks.supervisor.daemon")
    parser.add_argument("--fd", type=int, required=True, help="the listening socket")
    parser.add_argument("--home", required=True, help="the CLONE_HOME it serves")
    args = parser.parse_args(argv)
    if os.fork():  # the client waits for this process only: the supervisor is nobody's child
        os._exit(0)
    os.setsid()
    listener = socket.socket(fileno=args.fd)
    listener.set_inheritable(False)
    idle = idle_seconds()  # checked by the client that starts this process
    try:
        Supervisor(listener, Place.of(args.home)).serve(idle)
    except BaseException:
        _log(f"ended by an error:\n{traceback.format_exc()}")
        raise
    return 0


class Supervisor:
    """Serves the runs of one ``$CLONE_HOME`` on ``listener``."""

    def __init__(self, listener: socket.socket, place: Place) -> None:
        self._listener = listener
        self._place = place
        self._socket_id = _file_id(place.socket)  # left only if still the one it listens on
        self._build = place.build
        self._device = local_device()
        self._host = {"pid": os.getpid(), "start": procfs.start_ticks(os.getpid()) or 0}
        self._lock = threading.Lock()
        self._runs: set[RunService] = set()
        self._connections = 0
        self._idle_since = time.monotonic()
        self._retiring = False
        self._released = False
        self._device.on("child-added", self._route_child)
        _log(f"serving {place.directory} (pid {os.getpid()})")

    @property
    def host(self) -> Mapping[str, int]:
        return self._host

    @property
    def device(self) -> frida.Device:
        return self._device

    def serve(self, idle: float) -> None:
        while not self._retiring:
            ready, _, _ = select.select([self._listener], [], [], self._next_look(idle))
            if ready:
                self._accept()
            if self._idle_for() >= idle and self._leave():
                return
        self._listener.close()
        while self._idle_for() == 0.0:  # the runs it took go on to their end
            time.sleep(_POLL_S * 10)
        _log("retired: leaving")

    def status(self) -> dict[str, Any]:
        """What ``clone host supervisor`` shows of this supervisor."""
        with self._lock:  # idle: since its last run ended, None while one goes on
            runs = len(self._runs)
            idle = None if runs else time.monotonic() - self._idle_since
        return {
            "pid": os.getpid(),
            "build": self._build,
            "runs": runs,
            "idle_s": None if idle is None else round(idle, 1),
            "retiring": self._retiring,
        }

    def retire(self) -> None:
        """Stops listening now (under the lock, as when it leaves idle): the next client finds
        nobody and starts a new supervisor. ``serve`` then waits for the runs taken."""
        lock = os.open(self._place.lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            with self._lock:
                if self._retiring:
                    return
                self._retiring = True
            self._drop_socket()
            with contextlib.suppress(OSError):  # wakes serve's select; accept then fails
                self._listener.shutdown(socket.SHUT_RDWR)
            _log("retiring: no more runs taken")
        finally:
            os.close(lock)

    def _accept(self) -> None:
        try:
            sock, _ = self._listener.accept()
        except OSError:
            return
        if _peer_uid(sock) != os.getuid():  # the socket is 0600 as well
            sock.close()
            return
        with self._lock:
            self._connections += 1
        threading.Thread(
            target=self._serve_connection, args=(Channel(sock),), name="clonespace-run", daemon=True
        ).start()

    def _serve_connection(self, channel: Channel) -> None:
        ran = False
        try:
            if ran := self._greet(channel):
                RunService(self, channel).serve()
        except PeerGone:
            pass
        except Exception:  # one run's failure is reported to it, and this process goes on
            _log(f"a run failed:\n{traceback.format_exc()}")
            with contextlib.suppress(PeerGone):
                channel.send("error", traceback.format_exc(limit=1).strip().splitlines()[-1])
        finally:
            channel.close()
            with self._lock:
                self._connections -= 1
                if ran:  # a question about it is no run: it stays as idle as it was
                    self._idle_since = time.monotonic()

    def _greet(self, channel: Channel) -> bool:
        """Whether ``channel`` is a run of this build; a question is answered here."""
        message = channel.receive(_HANDOVER_LIMIT_S)
        if message is None or not isinstance(message[1], dict):
            channel.send("refused", "a hello was expected")
            return False
        if message[0] in ("status", "retire"):
            if message[0] == "retire":
                self.retire()
            channel.send("status", self.status())
            return False
        if message[0] != "hello":
            channel.send("refused", "a hello was expected")
            return False
        if message[1].get("build") != self._build:
            channel.send("mismatch", self._build)
            return False
        channel.send("ready", {"pid": os.getpid()})
        return True

    def add(self, run: RunService) -> None:
        with self._lock:
            self._runs.add(run)

    def remove(self, run: RunService) -> None:
        with self._lock:
            self._runs.discard(run)

    def release_pages(self) -> None:
        """Once Frida has written out what it embeds (the first attach): see hooks.memory."""
        with self._lock:
            if self._released:
                return
            self._released = True
        memory.release_read_once_pages()

    def _route_child(self, child: frida._frida.Child) -> None:
        """On Frida's own thread, which must not wait for Frida (a call such as resume from
        here never returns, and every later one hangs behind it): what takes time or calls
        Frida goes to a thread of its own."""
        with self._lock:
            runs = list(self._runs)
        for run in runs:
            if run.takes(child):  # it hands the child to a thread of its own
                return
        # no run knows its parent (its run has ended): it never runs without a policy
        _log(
            f"killed process {child.pid} (parent {child.parent_pid}, {child.origin}): "
            f"it belongs to none of the {len(runs)} runs"
        )
        signal_process(child.pid, signal.SIGKILL)
        threading.Thread(
            target=self._let_go, args=(child.pid,), name="clonespace-drop", daemon=True
        ).start()

    def _let_go(self, pid: int) -> None:
        """Has Frida let go of ``pid``, killed while it held it."""
        with contextlib.suppress(Exception):
            self._device.resume(pid)

    def _idle_for(self) -> float:
        with self._lock:
            return 0.0 if self._connections else time.monotonic() - self._idle_since

    def _next_look(self, idle: float) -> float:
        """How long to wait for a connection before looking whether to leave: until the idle
        time is up, at most ``_CHECK_S``; soon while a connection is being greeted (most
        are questions, over in a moment: questions asked at any pace must not keep an idle
        supervisor from ever finding itself without a connection)."""
        with self._lock:
            if self._connections > len(self._runs):
                return _GREETING_S
        return max(_GREETING_S, min(_CHECK_S, idle - self._idle_for()))

    def _drop_socket(self) -> None:
        """Removes the socket file, if it is still the one this supervisor listens on (a
        client may have replaced it with the next supervisor's). Under the lock."""
        if _file_id(self._place.socket) == self._socket_id:
            with contextlib.suppress(OSError):
                self._place.socket.unlink()

    def _leave(self) -> bool:
        """Stops listening, unless a client takes the lock or waits to be accepted."""
        try:
            lock = os.open(self._place.lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except FileNotFoundError:  # its home was deleted: no client can find it any more
            self._listener.close()
            _log("idle, its directory gone: leaving")
            return True
        except OSError:
            return False
        try:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            if select.select([self._listener], [], [], 0)[0] or self._idle_for() == 0.0:
                return False
            self._drop_socket()
            self._listener.close()
            _log("idle: leaving")
            return True
        finally:
            os.close(lock)


class RunService:
    """One run: attaches to the client's gate, instruments the program and every process it
    starts, and tells the client how it ended.

    The client sends ``gate`` (pid, start ticks, its pid, trace on/off), ``policy`` once,
    and ``gate`` again for each fresh gate it tries; each is answered ``attached`` or
    ``failed``. Then ``signal`` (relay it) at any time, and ``exited`` once the program has;
    the answer is ``running`` (pids still running a second later, once) and ``done``
    (whether the program got the agent, the failures). Trace events go out as ``event``."""

    def __init__(self, supervisor: Supervisor, channel: Channel) -> None:
        self._supervisor = supervisor
        self._channel = channel
        self._client = 0
        self._gate = 0
        self._since = 0
        self._sessions: AgentSessions | None = None
        self._agent = built_agent()
        self._finished = False

    def takes(self, child: frida._frida.Child) -> bool:
        """Instruments ``child`` if it is a process of this run, and says whether it did: the
        run attached to its parent or to itself (a process that execs), or its parents lead
        to a process of the run or to its client (a fork reported after its parent left)."""
        sessions = self._sessions
        if sessions is None or not (
            sessions.attached(child.parent_pid)
            or sessions.attached(child.pid)
            or self._belongs(child.pid)  # its parent gone, it is the client's now
        ):
            return False
        sessions.take_child(child)
        return True

    def serve(self) -> None:
        _, value = self._expect("gate")
        self._client = int(value["client"])
        trace = bool(value.get("trace"))
        sessions = AgentSessions(
            self._supervisor.device,  # one device, shared by every run
            self._agent,
            None,
            self._forward if trace else None,
            belongs=self._belongs,
        )
        self._sessions = sessions
        self._supervisor.add(self)
        try:
            self._serve(sessions, value)
        finally:
            self._end(sessions)

    def _serve(self, sessions: AgentSessions, gate: dict[str, Any]) -> None:
        while True:
            self._attach(sessions, gate)
            while True:  # until the program exits, or the client tries a fresh gate
                message = self._channel.receive(_CHECK_S)
                if message is None:
                    sessions.kill_unfollowed(self._since, _HANDOVER_LIMIT_S)
                elif message[0] == "signal":
                    sessions.signal_all(int(message[1]))
                elif message[0] == "gate":
                    gate = message[1]
                    break
                elif message[0] == "exited":
                    self._finish(sessions)
                    return
                else:
                    raise PeerGone(f"unexpected message {message[0]!r}")

    def _attach(self, sessions: AgentSessions, gate: dict[str, Any]) -> None:
        self._gate, self._since = int(gate["pid"]), int(gate["start"])
        attaching = InBackground(lambda: sessions.gate(self._gate))
        try:
            if not sessions.has_policy:  # made by the client meanwhile
                _, policy = self._expect("policy")
                sessions.set_policy({**policy, "host": self._supervisor.host})
                self._agent.read_kept()
        except BaseException:
            with contextlib.suppress(Exception):
                attaching.result()
            raise
        try:
            attaching.result()
        except HookStartError as e:
            self._channel.send("failed", str(e))
            return
        self._channel.send("attached")
        self._supervisor.release_pages()

    def _finish(self, sessions: AgentSessions) -> None:
        """The program has exited: waits for the rest of the run, then says how it went."""
        ran = sessions.instrumented(self._gate, self._since)

        def notice(pids: list[int]) -> None:
            with contextlib.suppress(PeerGone):
                self._channel.send("running", pids)

        waiting = InBackground(
            lambda: sessions.wait_all_exited(self._since, _HANDOVER_LIMIT_S, notice)
        )
        while not waiting.done(_POLL_S):  # meanwhile: signals to relay, the client gone
            message = self._channel.receive(0)
            if message is not None and message[0] == "signal":
                sessions.signal_all(int(message[1]))
        waiting.result()
        self._finished = True
        failures = [[failure_kind(e), str(e)] for e in sessions.failures]
        self._channel.send("done", {"ran": ran, "failures": failures})

    def _end(self, sessions: AgentSessions) -> None:
        """Kills what is left of the run (a client gone mid-run), then lets it go."""
        if not self._finished:
            _log(f"the client of the run of process {self._gate} is gone: killing the run")
            sessions.signal_all(signal.SIGKILL)
            if self._since:
                sessions.kill_unfollowed(self._since, 0.0)
                sessions.wait_all_exited(self._since, _HANDOVER_LIMIT_S)
        self._supervisor.remove(self)
        sessions.close()

    def _expect(self, name: str) -> tuple[str, Any]:
        message = self._channel.receive(_HANDOVER_LIMIT_S)
        if message is None or message[0] != name or not isinstance(message[1], dict):
            raise PeerGone(f"expected {name!r}")
        return message

    def _forward(self, event: dict[str, Any]) -> None:
        with contextlib.suppress(PeerGone):
            self._channel.send("event", event)

    def _belongs(self, pid: int) -> bool:
        """Whether ``pid``, not handed over yet, descends from this run: its parents lead to
        a process of the run, or to the client (which adopts the run's orphans)."""
        sessions = self._sessions
        for _ in range(_PARENT_HOPS):
            fields = procfs.stat_fields(pid)
            if fields is None:
                return False
            parent = int(fields[1])
            if parent == self._client or (sessions is not None and sessions.attached(parent)):
                return True
            if parent <= 1:
                return False
            pid = parent
        return False


def _peer_uid(sock: socket.socket) -> int:
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return int(struct.unpack("3i", creds)[1])


def _file_id(path: os.PathLike[str]) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _log(line: str) -> None:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    print(f"{stamp} supervisor: {line}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
