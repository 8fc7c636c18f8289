"""Run a Linux program under the agent with a policy, and return its exit status.

The program is started by a tiny ``sh`` gate that is this process's own child: Frida attaches
to the gate (child gating only), the gate then ``exec``s the program, and Frida hands over the
new image suspended, so the agent is in place before the program's first instruction. Because
the gate is our child (not Frida's), its exit status, which is the program's, is ours to reap.

A run ends when the program and every process it started have exited, like a sandbox: only
while this process is there to instrument them do a daemon's later children get the policy.
"""

from __future__ import annotations

import contextlib
import functools
import os
import select
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hooks import frida_module, memory, procfs
from hooks.agent_bundle import built_agent
from hooks.boundary import Boundary, Prepared, prepare
from hooks.errors import (
    HookStartError,
    PolicyError,
    ProcessesLost,
    ProgramNotExecutable,
    ProgramNotFound,
    ProgramStatic,
)
from hooks.session import AgentSessions, InBackground, signal_process

if TYPE_CHECKING:
    import frida

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
_HANDOVER_LIMIT_S = 30.0
_CHECK_MS = 1000


@functools.lru_cache(maxsize=1)
def local_device() -> frida.Device:
    """The local Frida device, created once per process."""
    frida_module.import_without_asyncio()  # the first import of frida in a host run
    import frida

    return frida.get_local_device()


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
    if not argv:
        raise ValueError("empty command")
    if cwd is not None and not Path(cwd).is_dir():
        raise ValueError(f"working directory is not a directory: {os.fspath(cwd)}")
    if procfs.statically_linked(resolve_program(argv[0], env, cwd)):
        raise ProgramStatic(argv[0])
    agent = built_agent()
    sessions = AgentSessions(local_device(), agent, None, on_event)

    def make_policy() -> None:  # while Frida attaches to the gate
        made = policy() if callable(policy) else policy
        sessions.set_policy({**made, "host": _this_host()})
        agent.read_kept()  # the program's agent, ready when Frida hands it over

    try:
        prepared = None if boundary is None else prepare(boundary)
        try:
            with _relayed_signals(sessions):
                return _run_gated(sessions, argv, env, cwd, on_running, prepared, make_policy)
        finally:
            if prepared is not None:
                prepared.close()
    finally:
        sessions.close()


@contextlib.contextmanager
def _relayed_signals(sessions: AgentSessions) -> Iterator[None]:
    """While the run lasts (and when called from the main thread, the only one that can),
    this process outlives the program it keeps under its policy (were it to die first, the
    agent kills the program: hooks/agent/src/host.ts). SIGTERM is passed on to every
    process of the run. SIGHUP and a first SIGINT reach them from the terminal, so they are
    left to them; a further SIGINT is passed on. A run that saw SIGINT raises
    KeyboardInterrupt once all its processes have exited, as ``subprocess.run`` does."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    interrupts: list[int] = []

    def on_interrupt(signum: int, frame: object) -> None:
        if interrupts:
            sessions.signal_all(signum)
        interrupts.append(signum)

    previous = {
        signal.SIGTERM: signal.signal(signal.SIGTERM, lambda n, f: sessions.signal_all(n)),
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
    pid = _start_gate(sessions, argv, env, cwd, prepared, make_policy)
    memory.release_read_once_pages()  # Frida has written out what it embeds: see hooks.memory
    started = procfs.start_ticks(pid) or 0  # our child, not reaped yet: always known
    # meanwhile, a process Frida never hands over (a raw clone's child) is killed, not
    # left to run, or to hang the program that waits for it
    _wait_exit(pid, lambda: sessions.kill_unfollowed(started, _HANDOVER_LIMIT_S))
    ran = sessions.instrumented(pid)  # the program itself got the agent (asked before reaping)
    status = exit_status(_reap(pid))
    notice = None if on_running is None else functools.partial(on_running, status)
    sessions.wait_all_exited(started, _HANDOVER_LIMIT_S, notice)
    for failure in sessions.failures:
        if ran:
            raise ProcessesLost(f"a process of the program lost its policy: {failure}")
        if isinstance(failure, (PolicyError, HookStartError)):
            raise failure
        raise HookStartError(f"the program could not be instrumented: {failure}") from failure
    return status


def _start_gate(
    sessions: AgentSessions,
    argv: Sequence[str],
    env: Mapping[str, str] | None,
    cwd: str | os.PathLike[str] | None,
    prepared: Prepared | None = None,
    make_policy: Callable[[], None] | None = None,
) -> int:
    """Starts the gate, attaches to it, then lets it exec the program; returns its pid.
    With ``prepared``, the gate is started through the boundary's entry, which enters the
    boundary and execs the gate in the same process. ``make_policy`` is called while Frida
    attaches (once the sessions have a policy, no more): should it raise, the gate is
    killed before it runs the program.

    Frida's injection into the idle gate fails now and then under load (the gate may even
    crash); the gate has not run the program yet, so a fresh gate is tried.
    """

    def meanwhile() -> None:
        if make_policy is not None and not sessions.has_policy:
            make_policy()

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
            _attach_while(sessions, pid, meanwhile)
        except BaseException as e:
            os.close(write_end)  # no go-ahead: the gate exits without running the program
            signal_process(pid, signal.SIGKILL)
            with contextlib.suppress(HookStartError):
                _reap(pid)
            if not isinstance(e, HookStartError) or attempt == _GATE_ATTEMPTS - 1:
                raise
            continue
        with contextlib.suppress(BrokenPipeError):  # the gate is gone: its status says why
            os.write(write_end, b"\n")
        os.close(write_end)
        return pid
    raise AssertionError("unreachable")


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


def _wait_exit(pid: int, every_second: Callable[[], object] | None = None) -> None:
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


def _reap(pid: int) -> int:
    """The exit code of terminated child ``pid`` (negative: killed by that signal)."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError as e:
        raise HookStartError(f"lost the exit status of process {pid}") from e
    return os.waitstatus_to_exitcode(status)
