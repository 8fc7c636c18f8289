"""The package backend: each clone a renamed, re-signed APK installed as its own package.

``launch`` takes the launcher activity from the record (else ``cmd package
resolve-activity``) and runs ``am start -n``; ``stop`` is ``am force-stop``; ``wipe`` is
``pm clear``; ``remove`` uninstalls, then forgets.
"""

from __future__ import annotations

from clone.backends.base import Where
from clone.backends.on_device import OnDevice, device_of, package_of
from clone.registry import CloneRecord
from clone.state import Backend, PackageState
from clone.workflows.device_access import DeviceHandle, device_errors
from device import packages


class PackageBackend(OnDevice):
    kind = Backend.PACKAGE

    def launch(self, where: Where, record: CloneRecord) -> None:
        handle = device_of(record, where.adb)
        state = record.state
        assert isinstance(state, PackageState)
        with device_errors():
            component = state.launcher or packages.resolve_launcher(
                handle.dev, package_of(record), None
            )
            packages.launch(handle.dev, str(component), None)

    def wipe(self, where: Where, record: CloneRecord) -> None:
        handle = device_of(record, where.adb)
        with device_errors():
            packages.clear(handle.dev, package_of(record), None)

    def uninstall(self, where: Where, record: CloneRecord, handle: DeviceHandle) -> None:
        package = package_of(record)
        if packages.is_installed(handle.dev, package):
            packages.uninstall(handle.dev, package)


BACKEND = PackageBackend()
