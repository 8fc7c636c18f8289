"""Fixtures for the device-layer tests that run here: Debian's real adb server (no device
behind it) and the FAKE adb server of ``fake_adb.py`` (labelled fake wherever used)."""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Iterator

import pytest

from tests.device.fake_adb import FakeAdbServer, FakePhone


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def real_adb_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """Debian's adb server on a free port (``adb -P PORT start-server``), killed afterwards."""
    adb = shutil.which("adb")
    if adb is None:
        pytest.skip("adb is not installed")
    port = _free_port()
    subprocess.run([adb, "-P", str(port), "start-server"], check=True, capture_output=True)
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(port))
    monkeypatch.delenv("ANDROID_ADB_SERVER_HOST", raising=False)
    monkeypatch.delenv("ANDROID_SERIAL", raising=False)
    try:
        yield port
    finally:
        subprocess.run([adb, "-P", str(port), "kill-server"], check=False, capture_output=True)


@pytest.fixture
def fake_phone() -> FakePhone:
    """The bookkeeping of a FAKE phone (x86_64, SDK 34, not rooted)."""
    return FakePhone()


@pytest.fixture
def fake_adb(fake_phone: FakePhone, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAdbServer]:
    """A FAKE adb server with ``fake_phone`` behind it; adbutils is pointed at it."""
    if shutil.which("aapt") is None:
        pytest.skip("the fake phone reads package names with aapt, which is not installed")
    server = FakeAdbServer([fake_phone]).start()
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(server.port))
    monkeypatch.delenv("ANDROID_ADB_SERVER_HOST", raising=False)
    monkeypatch.delenv("ANDROID_SERIAL", raising=False)
    try:
        yield server
    finally:
        server.stop()
