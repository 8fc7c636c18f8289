"""Handlers connected to Frida's objects, to be disconnected together.

A Frida object (a session, a script) holds its handlers where Python's garbage collector does
not look: a handler that leads back to its object (a closure over the session, a bound method
of what holds the script) keeps both alive for good. A process that exits soon after its run
never notices; the shared supervisor (``hooks.supervisor``) serves run after run, and would
keep every run's sessions, scripts and state. So whoever connects a handler disconnects it
once done with the object.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any


class Connections:
    """The handlers connected so far, until ``disconnect_all``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._made: list[tuple[Any, str, Callable[..., Any]]] = []

    def connect(self, emitter: Any, signal: str, handler: Callable[..., Any]) -> None:
        """``emitter.on(signal, handler)``, remembered."""
        emitter.on(signal, handler)
        self.record(emitter, signal, handler)

    def record(self, emitter: Any, signal: str, handler: Callable[..., Any]) -> None:
        """Remembers a handler connected elsewhere."""
        with self._lock:
            self._made.append((emitter, signal, handler))

    def record_own(self, script: Any) -> None:
        """Remembers the handlers frida-python's ``Script`` connects to its own native
        object (its bound ``_on_message`` and ``_on_destroyed``): a cycle the collector
        cannot see, which kept every script, and what it holds, for good. An equal bound
        method disconnects it. (Frida's internals: a version without them is left alone.)"""
        native = getattr(script, "_impl", None)
        for signal, name in (("message", "_on_message"), ("destroyed", "_on_destroyed")):
            handler = getattr(script, name, None)
            if native is not None and handler is not None:
                self.record(native, signal, handler)

    def disconnect_all(self) -> None:
        """Disconnects every handler remembered (from objects perhaps gone already)."""
        with self._lock:
            made, self._made = self._made, []
        for emitter, signal, handler in made:
            with contextlib.suppress(Exception):
                emitter.off(signal, handler)
