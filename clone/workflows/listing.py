"""``clone list``: the registry joined with what each device says about its clones.

The adb client (``adbutils``, which pulls in ``requests``) and the device modules are
imported only when a device clone is listed: listing host clones, or none, needs no device.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from clone.errors import CloneError
from clone.registry import Backend, CloneRecord
from clone.state import UserState

if TYPE_CHECKING:
    import adbutils

    from device.processes import Process


class CloneState(enum.StrEnum):
    RUNNING = "running"  # installed and its main process is alive
    INSTALLED = "installed"  # installed, not running
    MISSING = "missing"  # registered, but the device does not have it (any more)
    NO_DEVICE = "no-device"  # its device is not connected, so nobody knows
    HOST = "host"  # a host clone (``clone host run``); not on a device


@dataclass(frozen=True)
class CloneRow:
    record: CloneRecord
    state: CloneState
    pids: tuple[int, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            **self.record.to_json(),
            "state": self.state.value,
            "pids": list(self.pids),
        }


@dataclass(frozen=True)
class _DeviceView:
    installed: dict[int | None, frozenset[str]]
    procs: list[Process]
    active: dict[str, int]  # virtual backend: package -> the clone index launched last


def list_clones(records: Sequence[CloneRecord], adb_server: str | None = None) -> list[CloneRow]:
    """One row per record; devices are asked once each, host clones are not asked."""
    on_devices = [r for r in records if r.backend is not Backend.HOST]
    views = _views(on_devices, adb_server) if on_devices else {}
    rows = []
    for record in records:
        if record.backend is Backend.HOST:
            rows.append(CloneRow(record, CloneState.HOST))
            continue
        view = views.get(record.device or "")
        rows.append(_row(record, view))
    return rows


def _row(record: CloneRecord, view: _DeviceView | None) -> CloneRow:
    from device import processes

    if view is None:
        return CloneRow(record, CloneState.NO_DEVICE)
    user = record.state.user if isinstance(record.state, UserState) else None
    package = record.package or record.source_package
    if package not in view.installed.get(user, frozenset()):
        return CloneRow(record, CloneState.MISSING)
    pids = processes.pids_of(view.procs, package, user if user is not None else 0)
    if record.backend is Backend.VIRTUAL and view.active.get(package) != record.index:
        pids = []  # the app runs as another of its virtual clones
    state = CloneState.RUNNING if pids else CloneState.INSTALLED
    return CloneRow(record, state, tuple(pids))


def _views(records: Sequence[CloneRecord], adb_server: str | None) -> dict[str, _DeviceView]:
    import adbutils

    from clone.workflows.device_access import client, device_errors
    from device import adb
    from device.errors import DeviceCommandFailed
    from device.model import DeviceState

    try:
        c = client(adb_server)
        with device_errors():
            ready = {s for s, st, _ in adb.list_serials(c) if st is DeviceState.DEVICE}
    except CloneError:
        return {}  # no adb server: every device clone shows as no-device
    wanted = {r.device for r in records if r.device in ready}
    views = {}
    for serial in sorted(s for s in wanted if s):
        virtual = {
            r.package or r.source_package for r in records
            if r.device == serial and r.backend is Backend.VIRTUAL
        }  # fmt: skip
        user_ids = {
            r.state.user for r in records
            if r.device == serial and isinstance(r.state, UserState)
        }  # fmt: skip
        try:
            views[serial] = _view(c.device(serial=serial), user_ids, virtual)
        except (DeviceCommandFailed, adbutils.AdbError, OSError):
            continue
    return views


def _view(dev: adbutils.AdbDevice, user_ids: set[int], virtual: set[str]) -> _DeviceView:
    from device import packages, processes, users

    installed: dict[int | None, frozenset[str]] = {None: packages.installed(dev)}
    existing = {u.id for u in users.users(dev)} if user_ids else set()
    for uid in user_ids:
        installed[uid] = packages.installed(dev, uid) if uid in existing else frozenset()
    active = {}
    for package in virtual:
        index = active_index(dev, package)
        if index is not None:
            active[package] = index
    return _DeviceView(installed, processes.processes(dev), active)


def active_marker(package: str) -> str:
    """The device file naming the virtual clone of ``package`` launched last."""
    return f"/data/local/tmp/clonespace-active-{package}"


def active_index(dev: adbutils.AdbDevice, package: str) -> int | None:
    """The index of the virtual clone of ``package`` launched last on ``dev`` (its
    ``active_marker``), or None when none is marked."""
    from device import adb

    text = adb.run(dev, ["cat", active_marker(package)]).stdout.strip()
    return int(text) if text.isdigit() else None
