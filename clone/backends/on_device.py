"""What the three phone backends share: the clone's device, its package, root commands."""

from __future__ import annotations

import dataclasses
import shlex

from clone.backends.base import Action, Unsupported, Where
from clone.errors import BadInput, NoDevice, NotFound
from clone.registry import CloneRecord
from clone.workflows.device_access import DeviceHandle, device_errors, open_device
from device import adb, packages, processes

DEVICE_ACTIONS = frozenset({Action.LAUNCH, Action.STOP, Action.WIPE, Action.REMOVE, Action.PIDS})


def device_of(record: CloneRecord, adb_server: str | None = None) -> DeviceHandle:
    """The device the clone was installed on; NoDevice (exit 1) when it is not connected."""
    try:
        return open_device(record.device, adb_server)
    except NotFound as e:
        raise NoDevice(
            f"the device {record.device} of {record.name} is not connected",
            hint="connect it ('adb devices' must list it) and retry",
        ) from e


def package_of(record: CloneRecord) -> str:
    return record.package or record.source_package


def as_root(handle: DeviceHandle, argv: list[str]) -> list[str]:
    """``argv`` as root: as is on a root shell (emulator after ``adb root``), else ``su -c``."""
    if adb.shell_is_root(handle.dev):
        return argv
    return ["su", "-c", shlex.join(argv)]


class OnDevice(Unsupported):
    """A backend whose clones are Android packages on one device (user 0 unless ``user``)."""

    actions = DEVICE_ACTIONS

    def user(self, record: CloneRecord) -> int | None:
        return None

    def pids(self, where: Where, record: CloneRecord) -> list[int]:
        handle = device_of(record, where.adb)
        with device_errors():
            return processes.pids(handle.dev, package_of(record), self.user(record) or 0)

    def stop(self, where: Where, record: CloneRecord) -> None:
        handle = device_of(record, where.adb)
        with device_errors():
            packages.force_stop(handle.dev, package_of(record), self.user(record))

    def remove(self, where: Where, record: CloneRecord) -> None:
        """Uninstall the clone from its device, then forget it (so a failure leaves the
        registry telling the truth)."""
        handle = device_of(record, where.adb)
        with device_errors():
            self.uninstall(where, record, handle)
        with where.registry.transaction():
            where.registry.remove(record.name)

    def uninstall(self, where: Where, record: CloneRecord, handle: DeviceHandle) -> None:
        raise NotImplementedError

    def renamed(self, record: CloneRecord, app: str, index: int) -> CloneRecord:
        """A clone on a phone keeps its app (the package installed there); its number only
        where ``bound`` says nothing ties it to the phone."""
        kind = f"{record.name} is a {record.backend.value} clone"
        free = self.bound(record) is None
        if app != record.app:
            raise BadInput(
                f"{kind}: its app {record.app} is the package installed on the phone, so --as "
                "cannot change it",
                hint=f"use --as {record.app}:N" if free else None,
            )
        if free:
            return dataclasses.replace(record, index=index)
        raise BadInput(f"{kind}: {self.bound(record)}, so --as cannot change its number")

    def same_clone(self, record: CloneRecord, other: CloneRecord) -> bool:
        return other.backend is record.backend and other.device == record.device


def last_of_its_kind(where: Where, record: CloneRecord) -> bool:
    """No other clone of the app with the same backend on the same device."""
    return not [
        r for r in where.registry.clones(record.app)
        if r.backend is record.backend and r.index != record.index and r.device == record.device
    ]  # fmt: skip
