"""Which adb server: ``HOST:PORT`` read from ``--adb`` or from the environment adb itself
reads, without the adb client (device/adb.py talks to it), so that checking an ``--adb``
value loads no ``adbutils``."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_PORT = 5037


@dataclass(frozen=True)
class AdbServer:
    """Where the adb server listens."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT

    @property
    def local(self) -> bool:
        return self.host in ("127.0.0.1", "localhost", "::1")

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


def parse_server(text: str) -> AdbServer:
    """``host:port``, ``host`` or ``:port`` -> AdbServer. Raises ValueError naming the text."""
    host, sep, port_text = text.strip().rpartition(":")
    if not sep:
        host, port_text = text.strip(), str(DEFAULT_PORT)
    host = host.strip("[]") or "127.0.0.1"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"bad adb server {text!r}: expected HOST:PORT, e.g. 127.0.0.1:5037")
    return AdbServer(host, int(port_text))


def server_from_env() -> AdbServer:
    """The server adb itself would use: ``$ANDROID_ADB_SERVER_HOST`` and ``_PORT``."""
    host = os.environ.get("ANDROID_ADB_SERVER_HOST") or "127.0.0.1"
    port = os.environ.get("ANDROID_ADB_SERVER_PORT") or str(DEFAULT_PORT)
    return parse_server(f"{host}:{port}")
