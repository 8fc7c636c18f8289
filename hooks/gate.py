"""The gate: how a program of a run is started, so that it is instrumented before its
first instruction, and how its end is seen.

A tiny ``sh`` gate is started as the caller's own child; the caller has the gate attached to
(child gating only: ``hooks.runner`` in-process, or the shared supervisor,
``hooks.supervisor``), then lets it ``exec`` the program, which Frida hands over suspended.
The gate is the caller's child (not Frida's), so its exit status, which is the program's, is
the caller's to reap. This module imports no Frida: a client of the shared supervisor runs
on it alone.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from hooks import procfs
from hooks.boundary import Prepared
from hooks.errors import HookStartError, ProgramNotExecutable, ProgramNotFound, ProgramStatic

# fd 3: the go-ahead pipe (dash takes single-digit fds only); $1: the directory to start in
# ("."  through the boundary: its entry changed there already, before hiding any tree, and a
# path into a hidden tree would not lead there any more)
_GATE = (
    'read _ <&3 || exit 125; exec 3<&-; if [ "$1" = . ]; then cd -P .; else cd -- "$1"; fi'
    ' || exit 126; shift; exec "$@"'
)
_GATE_ATTEMPTS = 3
_GATE_FD = 3
_RULESET_FD = 4  # the boundary's Landlock ruleset, for its entry (closed before the gate)
_GATE_READY_S = 2.0
_CHECK_MS = 1000


def resolve_program(
    program: str, env: Mapping[str, str] | None, cwd: str | os.PathLike[str] | None
) -> str:
    """The file ``program`` names (PATH lookup as execvp); raises ProgramNotFound/NotExecutable."""
    if "/" in program:
        path = Path(cwd or ".", program)
        if not path.exists():
            raise ProgramNotFound(program)
        if path.is_dir() or not os.access(path, os.X_OK):
            raise ProgramNotExecutable(program)
        return str(path)
    search = (env if env is not None else os.environ).get("PATH", os.defpath)
    found = shutil.which(program, path=search)
    if found is None:
        raise ProgramNotFound(program)
    return found


def exit_status(returncode: int) -> int:
    """A Popen return code as a shell reports it: 128+N for death by signal N."""
    return 128 - returncode if returncode < 0 else returncode


def check_command(
    argv: Sequence[str], env: Mapping[str, str] | None, cwd: str | os.PathLike[str] | None
) -> None:
    """Refuses, before anything starts, what ``run`` cannot run: ValueError for an empty
    command or a working directory that is none, ProgramNotFound/NotExecutable/Static."""
    if not argv:
        raise ValueError("empty command")
    if cwd is not None and not Path(cwd).is_dir():
        raise ValueError(f"working directory is not a directory: {os.fspath(cwd)}")
    if procfs.statically_linked(resolve_program(argv[0], env, cwd)):
        raise ProgramStatic(argv[0])


@contextlib.contextmanager
def relayed_signals(relay: Callable[[int], None]) -> Iterator[None]:
    """While the run lasts (and when called from the main thread, the only one that can),
    this process outlives the program it keeps under its policy (were it to die first, the
    agent kills the program: hooks/agent/src/host.ts). SIGTERM is passed on to every
    process of the run (``relay(signum)``, called from the signal handler). SIGHUP and a
    first SIGINT reach them from the terminal, so they are left to them; a further SIGINT
    is passed on. A run that saw SIGINT raises KeyboardInterrupt once all its processes
    have exited, as ``subprocess.run`` does."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    interrupts: list[int] = []

    def on_interrupt(signum: int, frame: object) -> None:
        if interrupts:
            relay(signum)
        interrupts.append(signum)

    previous = {
        signal.SIGTERM: signal.signal(signal.SIGTERM, lambda n, f: relay(n)),
        signal.SIGHUP: signal.signal(signal.SIGHUP, signal.SIG_IGN),
        signal.SIGINT: signal.signal(signal.SIGINT, on_interrupt),
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            if handler is not None:  # None: set outside Python, cannot be put back
                signal.signal(signum, handler)
    if interrupts:
        raise KeyboardInterrupt


def start_gate(
    attach: Callable[[int], None],
    argv: Sequence[str],
    env: Mapping[str, str] | None,
    cwd: str | os.PathLike[str] | None,
    prepared: Prepared | None = None,
) -> int:
    """Starts the gate, has ``attach(pid)`` attach to it, then lets it exec the program;
    returns its pid. With ``prepared``, the gate is started through the boundary's entry,
    which enters the boundary and execs the gate in the same process. Should ``attach``
    raise, the gate is killed before it runs the program.

    Frida's injection into the idle gate fails now and then under load (the gate may even
    crash); the gate has not run the program yet, so on HookStartError a fresh gate is
    tried.
    """
    for attempt in range(_GATE_ATTEMPTS):
        read_end, write_end = _gate_pipe()
        # resolved, as the boundary's served paths are: a run started in a data path moves
        # to its served view (enter.c)
        directory = os.path.realpath(cwd) if cwd is not None else os.getcwd()
        gate_dir = directory if prepared is None else "."
        gate = ["/bin/sh", "-c", _GATE, "clonespace-gate", gate_dir, *argv]
        actions = [(os.POSIX_SPAWN_DUP2, read_end, _GATE_FD), (os.POSIX_SPAWN_CLOSE, write_end)]
        if prepared is not None:
            gate = prepared.command(_RULESET_FD, gate, directory)
            if prepared.ruleset_fd is not None:  # last: above 9, it is none of the fds above
                actions.append((os.POSIX_SPAWN_DUP2, prepared.ruleset_fd, _RULESET_FD))
        try:
            pid = os.posix_spawn(
                gate[0], gate, dict(os.environ if env is None else env), file_actions=actions
            )
        finally:
            os.close(read_end)
        try:
            _wait_reading(pid)
            attach(pid)
        except BaseException as e:
            os.close(write_end)  # no go-ahead: the gate exits without running the program
            signal_process(pid, signal.SIGKILL)
            with contextlib.suppress(HookStartError):
                reap(pid)
            if not isinstance(e, HookStartError) or attempt == _GATE_ATTEMPTS - 1:
                raise
            continue
        with contextlib.suppress(BrokenPipeError):  # the gate is gone: its status says why
            os.write(write_end, b"\n")
        os.close(write_end)
        return pid
    raise AssertionError("unreachable")


def _wait_reading(pid: int) -> None:
    """Waits (briefly) until the gate has started and sleeps reading its pipe: Frida's
    injector fails far more often on a process that is still being loaded. A gate that dies
    first raises HookStartError; one not seen reading in time (slow, or a kernel that does
    not name the wait) is attached to anyway."""
    deadline = time.monotonic() + _GATE_READY_S
    while time.monotonic() < deadline:
        wchan = procfs.read(f"/proc/{pid}/wchan")
        if wchan is None:
            raise HookStartError(f"the gate process {pid} is gone")
        if wchan.endswith(b"pipe_read"):
            return
        if not procfs.alive(pid):
            raise HookStartError(f"the gate process {pid} exited before it was attached to")
        time.sleep(0.002)


def _gate_pipe() -> tuple[int, int]:
    """A pipe whose read end is not fd 3 (dup2 onto itself would keep it close-on-exec)."""
    read_end, write_end = os.pipe()
    if read_end == _GATE_FD:
        moved = os.dup(read_end)
        os.close(read_end)
        read_end = moved
    return read_end, write_end


def wait_exit(pid: int, every_second: Callable[[], object] | None = None) -> None:
    """Waits until child ``pid`` has exited (a zombie), without reaping it or consuming
    ptrace stops (Frida traces the process at times); calls ``every_second`` meanwhile."""
    pidfd = os.pidfd_open(pid)
    try:
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        while not poller.poll(_CHECK_MS):
            if every_second is not None:
                every_second()
    finally:
        os.close(pidfd)


def reap(pid: int) -> int:
    """The exit code of terminated child ``pid`` (negative: killed by that signal)."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError as e:
        raise HookStartError(f"lost the exit status of process {pid}") from e
    return os.waitstatus_to_exitcode(status)


def signal_process(pid: int, *signals: int) -> None:
    """Sends ``signals`` to ``pid`` in turn; one that is gone already is no error."""
    for signum in signals:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)
