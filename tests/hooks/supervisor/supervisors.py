"""For the shared supervisor's tests: killing what a test started, waiting for a
condition, a stand-in supervisor that answers one hello as it is told, and a run held going
on until released."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hooks.supervisor.reach import Place, listen, running
from hooks.supervisor.wire import Channel
from tests.hooks.programs import HostRun, host_run


def kill_supervisors(home: Path) -> None:
    """Kills the shared supervisors of ``home`` (SIGKILL): what a test started, gone after it
    whatever the test left them doing."""
    for pid in running(home):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.05)


def answering(place: Place, name: str, value: object) -> threading.Thread:
    """A stand-in supervisor listening at ``place`` that answers one hello with ``name``
    (``mismatch``, ``refused``), on a thread of its own."""
    place.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    listener = listen(place)

    def answer() -> None:
        with listener:
            sock, _ = listener.accept()
            channel = Channel(sock)
            channel.receive(10)
            channel.send(name, value)
            channel.close()

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    return thread


@contextlib.contextmanager
def run_held(home: Path, tmp_path: Path, status: int) -> Iterator[Callable[[], HostRun]]:
    """A ``clone host run`` going on in the background, its program waiting on a fifo;
    yields ``release()``, which lets the program write ``late`` to its ``--data`` path, read
    it back and exit with ``status``, and returns how the run ended."""
    data, fifo = tmp_path / "held-data", tmp_path / "held-fifo"
    data.mkdir()
    os.mkfifo(fifo)
    script = f"read line < {fifo}; echo $line > {data}/f; cat {data}/f; exit {status}"
    with ThreadPoolExecutor(1) as pool:
        going = pool.submit(host_run, home, "held", 1, [data], ["sh", "-c", script])

        def release() -> HostRun:
            with open(fifo, "w") as f:
                f.write("late\n")
            ran = going.result(60)
            assert not (data / "f").exists()  # in the clone's store, as ever
            return ran

        yield release
