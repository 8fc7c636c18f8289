"""The pytest plugin (entry point ``pytest11``): fixtures for QA tests of cloned apps.

Fixtures:

- ``clone_space``: a ``Space`` in a fresh temporary ``CLONE_HOME``; every clone it holds is
  removed afterwards (uninstalled from its device, its store deleted), and its host runs'
  shared supervisor stopped.
- ``clone_device``: the serial of this test run's device; the test is skipped when none is
  named.
- ``clone_adb``: the adb server (``HOST:PORT``) that device is on, or None for the default
  (``$ANDROID_ADB_SERVER_HOST``/``_PORT``, else the local one); pass it on as ``adb=``.

Options (also ``$CLONE_TEST_DEVICE`` and ``$CLONE_TEST_ADB``):

- ``--clone-device SERIAL[,SERIAL…]``: the devices. With pytest-xdist (``-n N``), worker
  ``gwK`` gets the K-th, so each worker drives its own phone; more workers than devices is
  a usage error.
- ``--adb HOST:PORT[,HOST:PORT…]``: the adb servers: one for every device, or one per
  device in the same order (a QA team's phones plugged into several machines).

A named device that its adb server does not show ends the session before any test runs,
with one line naming it. The ``device`` marker (registered here, so ``--strict-markers``
accepts it) labels tests that need a phone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from clone.space import Space

DEVICE_ENV = "CLONE_TEST_DEVICE"
ADB_ENV = "CLONE_TEST_ADB"
MARKERS = ("device: needs a phone or emulator (--clone-device SERIAL or $CLONE_TEST_DEVICE)",)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("clonespace")
    group.addoption(
        "--clone-device",
        default=None,
        metavar="SERIAL[,SERIAL...]",
        help=f"devices for device tests, one per xdist worker (or ${DEVICE_ENV})",
    )
    group.addoption(
        "--adb",
        dest="clone_adb",
        default=None,
        metavar="HOST:PORT[,HOST:PORT...]",
        help=f"adb servers of those devices: one for all, or one per device (or ${ADB_ENV})",
    )


def pytest_configure(config: pytest.Config) -> None:
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)


@dataclass(frozen=True)
class Target:
    """One device and the adb server it is on (None: the default server)."""

    serial: str
    adb: str | None


def targets(config: pytest.Config) -> list[Target]:
    """The devices named for this session, each with its adb server; UsageError when the
    two lists do not pair up or an adb server is malformed."""
    devices = _split(config.getoption("--clone-device") or os.environ.get(DEVICE_ENV))
    servers = _split(config.getoption("clone_adb") or os.environ.get(ADB_ENV))
    for server in servers:
        try:
            Space.check_adb(server)
        except Exception as e:
            raise pytest.UsageError(f"clonespace: bad --adb {server!r}: {e}") from e
    if not devices:
        return []
    if len(servers) > 1 and len(servers) != len(devices):
        raise pytest.UsageError(
            f"clonespace: {len(devices)} devices but {len(servers)} adb servers: "
            "give one adb server for all, or one per device in the same order"
        )
    return [
        Target(serial, servers[0] if len(servers) == 1 else servers[i] if servers else None)
        for i, serial in enumerate(devices)
    ]


def _split(value: object) -> list[str]:
    return [part.strip() for part in str(value or "").split(",") if part.strip()]


def worker_index() -> int | None:
    """This pytest-xdist worker's number (``gw3`` -> 3), None outside xdist."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else None


def target_for_worker(found: list[Target], index: int | None, workers: int | None) -> Target:
    """The device of worker ``index`` (of ``workers``); the first one outside xdist."""
    if index is None:
        return found[0]
    if workers is not None and workers > len(found):
        raise pytest.UsageError(
            f"clonespace: {workers} xdist workers but {len(found)} devices "
            f"({', '.join(t.serial for t in found)}): each worker needs its own; "
            f"run with -n {len(found)} or name more devices"
        )
    return found[index % len(found)]


def pytest_sessionstart(session: pytest.Session) -> None:
    """Ends the session at once when a named device is not there (checked once, by the
    xdist controller or the only process)."""
    if worker_index() is not None:
        return
    found = targets(session.config)
    if not found:
        return
    workers = getattr(session.config.option, "numprocesses", None)  # pytest-xdist's -n
    if isinstance(workers, int) and workers > 0:
        target_for_worker(found, 0, workers)  # refuses more workers than devices
    missing = []
    for adb in dict.fromkeys(t.adb for t in found):
        try:
            present = {d.serial for d in Space.devices(adb) if d.state == "device"}
        except Exception as e:
            where = adb or "the default adb server"
            raise pytest.UsageError(f"clonespace: cannot list the devices of {where}: {e}") from e
        missing += [t for t in found if t.adb == adb and t.serial not in present]
    if missing:
        names = ", ".join(f"{t.serial} (adb {t.adb or 'default'})" for t in missing)
        raise pytest.UsageError(f"clonespace: device not connected: {names}")


@pytest.fixture(scope="session")
def _clone_target(request: pytest.FixtureRequest) -> Target | None:
    found = targets(request.config)
    if not found:
        return None
    count = os.environ.get("PYTEST_XDIST_WORKER_COUNT", "")
    return target_for_worker(found, worker_index(), int(count) if count.isdigit() else None)


@pytest.fixture
def clone_device(_clone_target: Target | None) -> str:
    """The serial of this worker's device; skips the test when none is named."""
    if _clone_target is None:
        pytest.skip(f"no device: set {DEVICE_ENV} or pass --clone-device SERIAL")
    return _clone_target.serial


@pytest.fixture
def clone_adb(_clone_target: Target | None) -> str | None:
    """The adb server (HOST:PORT) of this worker's device, None for the default one."""
    return _clone_target.adb if _clone_target is not None else None


@pytest.fixture
def clone_space(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Space]:
    """A Space in a fresh temporary CLONE_HOME; every clone it holds is removed afterwards
    (uninstalled from its device, its store deleted), and the shared supervisor its host
    runs started is stopped, not left for its idle minute after every test. A removal that
    fails is a test error."""
    home = tmp_path_factory.mktemp("clone-home")
    space = Space(home=home)
    try:
        yield space
        remove_all(space)
    finally:
        try:
            space.stop_supervisors()
        finally:
            space.close()


def remove_all(space: Space) -> None:
    """Remove every clone of ``space``; raise naming those that could not be removed."""
    failed = []
    for record in space.records():
        try:
            space.get(record.name).remove()
        except Exception as e:  # every clone gets its turn; the failures are reported below
            failed.append(f"{record.name}: {e}")
    if failed:
        raise RuntimeError("clone_space could not remove: " + "; ".join(failed))
