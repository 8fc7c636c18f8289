"""Small helpers of the opt-in device tests: shell commands on the real device under test."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import adbutils
import pytest

from device import adb as adblayer
from device import packages, processes


def device(serial: str) -> adbutils.AdbDevice:
    return adblayer.connect().device(serial=serial)


def wait_for(check: Callable[[], bool], what: str, limit: float = 30.0) -> None:
    """Poll ``check`` until true (apps take a moment to start); fail naming ``what``."""
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.5)


def user_args(user: int | None) -> list[str]:
    return [] if user is None else ["--user", str(user)]


def write_marker(dev: adbutils.AdbDevice, package: str, user: int | None = None) -> bool:
    """Create ``files/clonespace-marker`` in the app's data dir (run-as: debuggable apps).
    False when run-as cannot do it on this device."""
    base = ["run-as", *user_args(user), package]
    made = adblayer.run(dev, [*base, "mkdir", "-p", "files"])
    touched = adblayer.run(dev, [*base, "touch", "files/clonespace-marker"])
    return made.code == 0 and touched.code == 0


def has_marker(dev: adbutils.AdbDevice, package: str, user: int | None = None) -> bool:
    argv = ["run-as", *user_args(user), package, "ls", "files/clonespace-marker"]
    return adblayer.run(dev, argv).code == 0


def pids(dev: adbutils.AdbDevice, package: str, user: int = 0) -> list[int]:
    return processes.pids(dev, package, user)


def leftover_clones(dev: adbutils.AdbDevice, source: str) -> list[str]:
    return sorted(p for p in packages.installed(dev) if p.startswith(f"{source}.clone"))


@contextlib.contextmanager
def hooked_clones(space: Any, apk: Path, source: str, serial: str) -> Iterator[list[Any]]:
    """Two hooked clones of ``apk`` installed on the device, removed afterwards; skips (with
    the reason) when no real Frida Gadget is at hand (``$CLONE_TEST_GADGET_DIR`` or the
    cache)."""
    from clone.errors import CloneError

    dev = device(serial)
    assert leftover_clones(dev, source) == [], "the device has clones from before"
    gadget_dir = os.environ.get("CLONE_TEST_GADGET_DIR")
    try:
        installed = space.install(
            apk, count=2, device=serial, hooks="gadget", gadget_dir=gadget_dir
        )
    except CloneError as e:
        if "gadget" in str(e).lower():
            pytest.skip(f"no real Frida Gadget: {e}")
        raise
    try:
        yield installed
    finally:
        for c in installed:
            c.remove()
        assert leftover_clones(dev, source) == []
