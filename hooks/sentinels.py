"""Sentinels, each loaded once its process has run for a moment, on a thread of their own.

A process of a host run whose agent is eternal (``hooks.session``: a run that is not traced)
gets a sentinel beside it (hooks/agent/src/sentinel.ts): a script that is not eternal, so
Frida unloads it when the session ends, and then kills the process if the host is gone.
Creating and loading a script costs ~3 ms, and unloading it at exit ~2 ms more; on the path
of every fork and exec that was a third of what a fork cost, while most processes of a shell
(a subshell, a command substitution, a short program) are gone much sooner. So a process is
resumed first and gets its sentinel only once it has run for ``DELAY_S``; one gone by then
never gets one.

Meanwhile a process whose host dies is not killed at once, but it never runs without its
policy: its agent stays in it with every hook, and the agent's exec and spawn functions ask
first whether the host lives and fail with EPERM when it does not
(hooks/agent/src/fastpath/redirect.c, ``host_gone``), so no program starts in it bare.
"""

from __future__ import annotations

import contextlib
import heapq
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hooks import procfs
from hooks.connections import Connections

if TYPE_CHECKING:
    import frida

DELAY_S = 0.1
SCRIPT_NAME = "clonespace-sentinel"


@dataclass(frozen=True, order=True)
class _Due:
    at: float
    pid: int
    started: int = field(compare=False)
    session: frida.Session = field(compare=False)


class SentinelQueue:
    """Loads ``source`` into each process ``add``ed, ``delay`` seconds later, if the process
    (the same one: pids are reused) and its session are still there."""

    def __init__(self, source: str, delay: float = DELAY_S) -> None:
        self._source = source
        self._delay = delay
        self._due: list[_Due] = []
        self._loaded: dict[int, frida.Script] = {}
        self._connections = Connections()
        self._wake = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None

    def add(self, pid: int, session: frida.Session) -> None:
        """Gives ``pid`` its sentinel ``delay`` seconds from now (none once closed)."""
        started = procfs.start_ticks(pid)
        if started is None:
            return  # gone already
        with self._wake:
            if self._closed:
                return
            heapq.heappush(self._due, _Due(time.monotonic() + self._delay, pid, started, session))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._serve, name="clonespace-sentinels", daemon=True
                )
                self._thread.start()
            self._wake.notify()

    def loaded(self, pid: int) -> bool:
        """Whether ``pid`` has its sentinel (until its session ends)."""
        with self._wake:
            return pid in self._loaded

    def close(self) -> None:
        """Loads no more sentinels; those loaded stay with their sessions."""
        with self._wake:
            self._closed = True
            self._due.clear()
            self._wake.notify()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        with self._wake:
            self._loaded.clear()
        self._connections.disconnect_all()

    def _serve(self) -> None:
        while True:
            with self._wake:
                while not self._closed and (not self._due or self._due[0].at > time.monotonic()):
                    timeout = self._due[0].at - time.monotonic() if self._due else None
                    self._wake.wait(timeout)
                if self._closed:
                    return
                due = heapq.heappop(self._due)
            self._load(due)

    def _load(self, due: _Due) -> None:
        if due.session.is_detached or procfs.start_ticks(due.pid, alive_only=True) != due.started:
            return  # it exited meanwhile: nothing to watch
        # the process may exit while the script is made: then there is nothing to watch
        with contextlib.suppress(Exception):
            script = due.session.create_script(self._source, name=SCRIPT_NAME)
            script.load()
            with self._wake:
                self._loaded[due.pid] = script

            def forget(*_: object) -> None:  # a long run starts many: keep only the living
                with self._wake:
                    if self._loaded.get(due.pid) is script:
                        del self._loaded[due.pid]

            self._connections.connect(due.session, "detached", forget)
            if due.session.is_detached:  # it ended before the handler was there
                forget()
