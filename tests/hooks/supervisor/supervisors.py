"""For the shared supervisor's tests: waiting for a condition, and a stand-in supervisor
that answers one hello as it is told."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from hooks.supervisor.reach import Place, listen
from hooks.supervisor.wire import Channel


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
