"""Where the shared supervisor of a ``$CLONE_HOME`` listens, and how a client reaches it,
starting it when none runs.

Everything is under ``$CLONE_HOME/run`` (mode 0700): ``supervisor-BUILD.sock`` (mode 0600),
``supervisor-BUILD.lock`` and ``supervisor.log``. A socket and lock per build: a client
never waits on a supervisor of another build (left from before an upgrade, or another
checkout's), which it could not use; that one leaves once idle. A client first just
connects. When nobody answers, it takes the lock, tries once more (another client may have
started one meanwhile), and otherwise binds the socket itself and hands the listening socket
to a new supervisor process, so the socket accepts connections before the lock is let go: no
client ever finds a supervisor half started. A supervisor leaves only under the same lock,
after checking that no connection waits (``hooks.supervisor.daemon``); a client that
connected just before it left reads the end of the stream in its hello and tries again,
under the lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hooks import procfs
from hooks.errors import SupervisorUnavailable
from hooks.supervisor.build import build_id, ptrace_refusal
from hooks.supervisor.wire import Channel, PeerGone

_SUN_PATH_MAX = 100  # sun_path holds 108 bytes; longer paths go through /proc/self/fd
_LOCK_WAIT_S = 30.0
_HELLO_WAIT_S = 60.0  # a new supervisor imports Frida and loads the agent first
_LOG_KEEP = 1 << 20
_DAEMON = "hooks.supervisor.daemon"  # run as a module, its home last (_start)
IDLE_ENV = "CLONE_SUPERVISOR_IDLE_S"
_IDLE_S = 60.0
_BUILD_CHARS = 16  # of the build id, in the socket's name
_ASK_WAIT_S = 10.0


def idle_seconds(environ: Mapping[str, str] = os.environ) -> float:
    """How long a supervisor stays without runs: ``$CLONE_SUPERVISOR_IDLE_S`` seconds, 60 when
    unset; ValueError for a value that is not a number above 0."""
    value = environ.get(IDLE_ENV) or ""
    if not value:
        return _IDLE_S
    seconds = float(value)  # ValueError for what is no number
    if not 0 < seconds < float("inf"):
        raise ValueError(f"{IDLE_ENV} must be above 0 seconds: {value}")
    return seconds


@dataclass(frozen=True)
class Place:
    """The files of the supervisor of one ``$CLONE_HOME`` and build (``build.build_id``)."""

    directory: Path
    build: str

    @classmethod
    def of(cls, home: str | os.PathLike[str], build: str | None = None) -> Place:
        """``home``'s place for ``build``, this process's own when not given."""
        return cls(Path(home).resolve() / "run", build or build_id())

    @property
    def tag(self) -> str:
        """As much of the build id as the files' names carry."""
        return self.build[:_BUILD_CHARS]

    @property
    def socket(self) -> Path:
        return self.directory / f"supervisor-{self.tag}.sock"

    @property
    def lock(self) -> Path:
        return self.directory / f"supervisor-{self.tag}.lock"

    @property
    def log(self) -> Path:
        return self.directory / "supervisor.log"

    @classmethod
    def every(cls, home: str | os.PathLike[str]) -> list[Place]:
        """The places of ``home`` a supervisor may listen at, one per build seen there."""
        directory = Path(home).resolve() / "run"
        found = sorted(directory.glob("supervisor-*.sock"))
        return [cls(directory, path.stem.removeprefix("supervisor-")) for path in found]


def ask(place: Place, question: str, timeout: float = _ASK_WAIT_S) -> dict[str, Any] | None:
    """The ``status`` of the supervisor at ``place`` (after it retired, for ``retire``), None
    when nobody listens there (a socket left by one gone). SupervisorUnavailable when it
    does not answer in time or answers otherwise (a build that does not know the question)."""
    try:
        channel = dial(place)
    except OSError:
        return None
    try:
        channel.send(question, {})
        reply = channel.receive(timeout)
    except PeerGone:
        return None  # it left as it was asked
    finally:
        channel.close()
    if reply is None:
        raise SupervisorUnavailable(f"the supervisor at {place.socket} does not answer")
    if reply[0] != "status" or not isinstance(reply[1], dict):
        raise SupervisorUnavailable(f"the supervisor at {place.socket} answered {reply[0]!r}")
    return dict(reply[1])


def connect(home: str | os.PathLike[str]) -> tuple[Channel, int]:
    """A channel to the supervisor of ``home``, hello exchanged, and the supervisor's pid;
    starts one if none runs. Raises SupervisorUnavailable (nothing of a run has started
    then) when the kernel would not let it attach, it cannot be started or reached, or the
    one running is of another build."""
    if refusal := ptrace_refusal():
        raise SupervisorUnavailable(refusal)
    place = Place.of(home)
    build = place.build
    with contextlib.suppress(OSError, PeerGone):
        return _hello(dial(place), build)
    try:
        place.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        with _locked(place):
            with contextlib.suppress(OSError, PeerGone):
                return _hello(dial(place), build)
            listener = listen(place)
            try:
                _start(place, listener, home)
            finally:
                listener.close()
            return _hello(dial(place), build)
    except (OSError, PeerGone) as e:
        raise SupervisorUnavailable(f"cannot reach the shared supervisor: {e}") from e


def running(home: str | os.PathLike[str]) -> list[int]:
    """The pids of the supervisors serving ``home`` now, found by the command line
    ``_start`` gives them (for the tests and benchmarks that stop them)."""
    tail = ["--home", os.fspath(Path(home).resolve())]
    found = []
    for pid in procfs.pids():
        command = (procfs.read(f"/proc/{pid}/cmdline") or b"").rstrip(b"\0")
        argv = command.decode(errors="replace").split("\0")
        if argv[1:3] == ["-m", _DAEMON] and argv[-2:] == tail and procfs.alive(pid):
            found.append(pid)
    return found


def listen(place: Place) -> socket.socket:
    """A listening socket at ``place`` (a stale one is replaced), mode 0600."""
    with contextlib.suppress(FileNotFoundError):
        place.socket.unlink()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        with _address(place) as address:
            old = os.umask(0o177)
            try:
                sock.bind(address)
            finally:
                os.umask(old)
        sock.listen(64)
    except BaseException:
        sock.close()
        raise
    return sock


def dial(place: Place) -> Channel:
    """A channel to the socket at ``place``, no hello sent; OSError when nobody listens."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        with _address(place) as address:
            sock.connect(address)
    except BaseException:
        sock.close()
        raise
    return Channel(sock)


def _hello(channel: Channel, build: str) -> tuple[Channel, int]:
    try:
        channel.send("hello", {"build": build})
        reply = channel.receive(_HELLO_WAIT_S)
    except BaseException:
        channel.close()
        raise
    if reply is not None and reply[0] == "ready":
        return channel, int(reply[1]["pid"])
    channel.close()
    if reply is None:
        raise SupervisorUnavailable("the shared supervisor does not answer")
    if reply[0] == "mismatch":
        raise SupervisorUnavailable(
            "the shared supervisor running for this CLONE_HOME is of another build (it "
            "leaves once idle)"
        )
    raise SupervisorUnavailable(f"the shared supervisor refused: {reply[1]}")


@contextlib.contextmanager
def _address(place: Place) -> Iterator[str]:
    """The socket's path as bind and connect take it: through ``/proc/self/fd`` when too
    long for ``sun_path``."""
    path = str(place.socket)
    if len(path.encode()) <= _SUN_PATH_MAX:
        yield path
        return
    directory = os.open(place.directory, os.O_PATH | os.O_DIRECTORY)
    try:
        yield f"/proc/self/fd/{directory}/{place.socket.name}"
    finally:
        os.close(directory)


@contextlib.contextmanager
def _locked(place: Place) -> Iterator[None]:
    fd = os.open(place.lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        deadline = time.monotonic() + _LOCK_WAIT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise SupervisorUnavailable(f"{place.lock} stays locked") from None
                time.sleep(0.01)
        yield
    finally:
        os.close(fd)


def _start(place: Place, listener: socket.socket, home: str | os.PathLike[str]) -> None:
    """Starts the supervisor on ``listener``; it detaches (forks, new session) at once, so
    it is not this process's child."""
    with contextlib.suppress(OSError):
        if place.log.stat().st_size > _LOG_KEEP:
            place.log.unlink()
    with open(place.log, "ab") as log:
        fd = listener.fileno()
        command = [sys.executable, "-m", _DAEMON, "--fd", str(fd)]
        starter = subprocess.Popen(
            [*command, "--home", os.fspath(Path(home).resolve())],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            pass_fds=(fd,),
            cwd="/",
            start_new_session=True,
        )
    if starter.wait() != 0:
        raise SupervisorUnavailable(f"the shared supervisor did not start: see {place.log}")
