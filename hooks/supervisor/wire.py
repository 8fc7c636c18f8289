"""The supervisor's protocol on the wire: one JSON object per line over a Unix stream socket.

Each message is an object with one key naming it (``{"gate": {...}}``); ``Channel`` sends
them whole (one ``sendall`` under a lock, so two threads never interleave) and reads them one
at a time. A line that is not a JSON object, or longer than ``MAX_LINE``, ends the channel as
if the peer had gone: neither side acts on what it cannot read.
"""

from __future__ import annotations

import json
import select
import socket
import threading
from typing import Any

MAX_LINE = 16 << 20  # a policy with many paths is tens of kB; a trace event far less

Message = tuple[str, Any]


class PeerGone(Exception):
    """The other end closed the socket, or sent what is not a message."""


class Channel:
    """Messages over ``sock``; ``receive`` and ``send`` may be called from different threads."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._buffer = b""
        self._send_lock = threading.Lock()

    def send(self, name: str, value: Any = True) -> None:
        """Sends ``{name: value}``; raises PeerGone if the peer is gone."""
        line = json.dumps({name: value}, separators=(",", ":")).encode() + b"\n"
        try:
            with self._send_lock:
                self.sock.sendall(line)
        except OSError as e:
            raise PeerGone(str(e)) from e

    def receive(self, timeout: float | None = None) -> Message | None:
        """The next message as (name, value); None if none came within ``timeout`` seconds
        (None: waits for ever). Raises PeerGone at the end of the stream."""
        while b"\n" not in self._buffer:
            if timeout is not None and not self.readable(timeout):
                return None
            try:
                chunk = self.sock.recv(1 << 16)
            except OSError as e:
                raise PeerGone(str(e)) from e
            if not chunk:
                raise PeerGone("the peer closed the connection")
            self._buffer += chunk
            if len(self._buffer) > MAX_LINE and b"\n" not in self._buffer:
                raise PeerGone("a message longer than the protocol allows")
        line, _, self._buffer = self._buffer.partition(b"\n")
        return _decode(line)

    def pending(self) -> bool:
        """Whether a whole message is buffered already (``receive`` will not block)."""
        return b"\n" in self._buffer

    def readable(self, timeout: float) -> bool:
        if self.pending():
            return True
        ready, _, _ = select.select([self.sock], [], [], timeout)
        return bool(ready)

    def close(self) -> None:
        self.sock.close()


def _decode(line: bytes) -> Message:
    try:
        message = json.loads(line)
    except ValueError as e:
        raise PeerGone(f"not a message: {e}") from e
    if not isinstance(message, dict) or len(message) != 1:
        raise PeerGone("not a message: an object with one key was expected")
    ((name, value),) = message.items()
    return name, value
