"""Fixtures of the payload tests: a gadget directory of stand-ins (see standins.py) and a
local HTTP server laid out like Frida's release downloads (no test touches the network)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from hooks.payload.gadget import installed_frida_version
from tests.hooks.payload.standins import make_gadget_dir


@pytest.fixture(scope="session")
def frida_version() -> str:
    return installed_frida_version()


@pytest.fixture(scope="session")
def gadget_dir(tmp_path_factory: pytest.TempPathFactory, frida_version: str) -> Path:
    """Stand-ins for all four architectures, named for the installed frida version."""
    return make_gadget_dir(tmp_path_factory.mktemp("gadgets") / "gadgets", frida_version)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def release_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A server on 127.0.0.1 serving ``root`` as ``/<version>/<asset>``: (base URL, root)."""
    root = tmp_path / "releases"
    root.mkdir()
    handler = partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
