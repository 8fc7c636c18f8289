"""The pytest plugin as a QA team uses it: markers registered, one device per xdist worker
(from --clone-device A,B and one or several --adb servers), an absent device refused at
once. Each case runs pytest in a fresh directory against FAKE adb servers."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.device.fake_adb import FakeAdbServer, FakePhone

pytest.importorskip("xdist")

QA_TESTS = """
import os
from pathlib import Path

import pytest


@pytest.mark.device
@pytest.mark.parametrize("n", range(6))
def test_each_worker_has_its_device(n, clone_device, clone_adb, clone_space):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    line = f"{worker} {clone_device} {clone_adb}\\n"
    with open(Path(os.environ["SEEN"]) / worker, "a") as f:
        f.write(line)
"""


@pytest.fixture
def servers() -> Iterator[tuple[FakeAdbServer, FakeAdbServer]]:
    one = FakeAdbServer([FakePhone(serial="fake-a")]).start()
    two = FakeAdbServer([FakePhone(serial="fake-b")]).start()
    try:
        yield one, two
    finally:
        one.stop()
        two.stop()


def _pytest(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    project = tmp_path / "qa"
    project.mkdir()
    (project / "test_app.py").write_text(QA_TESTS)
    seen = tmp_path / "seen"
    seen.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLONE_", "PYTEST_"))}
    env |= {"SEEN": str(seen), "CLONE_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--strict-markers",
         *args, "test_app.py"],
        cwd=project, env=env, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    return done, seen


def _seen(seen: Path) -> dict[str, set[str]]:
    return {p.name: set(p.read_text().splitlines()) for p in seen.iterdir()}


def test_two_workers_two_devices_on_one_adb_server(
    tmp_path: Path, servers: tuple[FakeAdbServer, FakeAdbServer]
) -> None:
    both = FakeAdbServer([FakePhone(serial="fake-a"), FakePhone(serial="fake-b")]).start()
    try:
        adb = f"127.0.0.1:{both.port}"
        done, seen = _pytest(tmp_path, "-n", "2", "--clone-device", "fake-a,fake-b", "--adb", adb)
    finally:
        both.stop()
    assert done.returncode == 0, done.stdout + done.stderr
    assert _seen(seen) == {"gw0": {f"gw0 fake-a {adb}"}, "gw1": {f"gw1 fake-b {adb}"}}


def test_one_adb_server_per_device(
    tmp_path: Path, servers: tuple[FakeAdbServer, FakeAdbServer]
) -> None:
    one, two = (f"127.0.0.1:{s.port}" for s in servers)
    done, seen = _pytest(
        tmp_path, "-n", "2", "--clone-device", "fake-a,fake-b", "--adb", f"{one},{two}"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert _seen(seen) == {"gw0": {f"gw0 fake-a {one}"}, "gw1": {f"gw1 fake-b {two}"}}


def test_an_absent_device_ends_the_session_at_once(
    tmp_path: Path, servers: tuple[FakeAdbServer, FakeAdbServer]
) -> None:
    one = f"127.0.0.1:{servers[0].port}"
    done, seen = _pytest(tmp_path, "--clone-device", "fake-a,fake-z", "--adb", one)
    assert done.returncode == 4  # pytest's usage error
    assert f"clonespace: device not connected: fake-z (adb {one})" in done.stderr
    assert _seen(seen) == {}  # no test ran


def test_more_workers_than_devices_is_a_usage_error(
    tmp_path: Path, servers: tuple[FakeAdbServer, FakeAdbServer]
) -> None:
    one = f"127.0.0.1:{servers[0].port}"
    done, seen = _pytest(tmp_path, "-n", "2", "--clone-device", "fake-a", "--adb", one)
    assert done.returncode == 4
    assert "clonespace: 2 xdist workers but 1 devices (fake-a)" in done.stderr
    assert _seen(seen) == {}


def test_without_a_device_the_marked_tests_skip_and_the_marker_is_known(tmp_path: Path) -> None:
    done, seen = _pytest(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6 skipped" in done.stdout
    assert _seen(seen) == {}
