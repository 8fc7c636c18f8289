"""Run a program the hooks cannot follow (statically linked: no libc to patch, and Frida
cannot inject into it) with the kernel boundary alone.

The boundary's mount namespace serves the clone's layout itself (``hooks.boundary``: its
data over the real ``--data`` paths, its machine-id over the real one, ``$CLONE_HOME``
covered), Landlock and seccomp hold as in every run, and the program runs in a PID
namespace of its own, as the only child of its init (the entry's ``-p``): when it exits,
the kernel kills whatever it left, so the run ends with it and nothing outlives it
unwatched. What only the hooks do is missing: the trace, and any identity that is not a
file (the hostname ``uname`` gives, accounts).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Iterator, Mapping, Sequence

from hooks.boundary import Boundary, prepare
from hooks.gate import exit_status, resolve_program


def run_kernel_only(
    argv: Sequence[str],
    boundary: Boundary,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> int:
    """Runs ``argv`` inside ``boundary`` without the hooks; its exit status (128+N if
    killed by signal N) once it has exited, everything it started with it. stdio are the
    caller's. ProgramNotFound/ProgramNotExecutable as ``hooks.runner.run``; BoundaryError
    if the boundary cannot be prepared. Where the entry cannot make its namespaces it says
    so in one line and the status is 125: such a program never runs outside them."""
    program = resolve_program(argv[0], env, cwd)
    prepared = prepare(boundary)
    try:
        directory = os.path.realpath(cwd) if cwd is not None else os.getcwd()
        fds = () if prepared.ruleset_fd is None else (prepared.ruleset_fd,)
        command = prepared.command(
            prepared.ruleset_fd or 0, [program, *argv[1:]], directory, pid_namespace=True
        )
        with _terminal_signals_left_to_the_program():
            child = subprocess.Popen(command, env=env, pass_fds=fds)
            with _relayed_to(child):
                return exit_status(child.wait())
    finally:
        prepared.close()


@contextlib.contextmanager
def _terminal_signals_left_to_the_program() -> Iterator[None]:
    """SIGINT and SIGQUIT from the terminal reach the program itself (it is in the same
    process group): this process ignores them meanwhile (only the main thread can)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = [signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGQUIT)]
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before[0])
        signal.signal(signal.SIGQUIT, before[1])


@contextlib.contextmanager
def _relayed_to(child: subprocess.Popen[bytes]) -> Iterator[None]:
    """SIGTERM and SIGHUP sent to this process are passed to the entry, which passes them
    on to the program (main thread only, as above)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    relayed = (signal.SIGTERM, signal.SIGHUP)
    before = [signal.signal(s, lambda n, _f: child.send_signal(n)) for s in relayed]
    try:
        yield
    finally:
        for signum, handler in zip(relayed, before, strict=True):
            signal.signal(signum, handler)
