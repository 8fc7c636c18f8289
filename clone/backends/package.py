"""The package backend: each clone a renamed, re-signed APK installed as its own package.

``launch`` takes the launcher activity from the record (else ``cmd package
resolve-activity``) and runs ``am start -n``; ``stop`` is ``am force-stop``; ``wipe`` is
``pm clear``; ``install`` builds the clone APKs for the device and installs them one by
one (undoing all on the first failure); ``remove`` uninstalls, then forgets.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from functools import partial

from clone.backends.base import Where
from clone.backends.on_device import OnDevice, device_of, package_of
from clone.errors import OperationFailed
from clone.registry import CloneRecord, Registry
from clone.state import Backend, PackageState
from clone.workflows import install
from clone.workflows.device_access import DeviceHandle, device_errors
from clone.workflows.install import launcher_component, quietly, record_all, undo_on_error
from device import packages
from identity import Identity


class PackageBackend(OnDevice):
    kind = Backend.PACKAGE

    def install(
        self, where: Where, job: install.InstallJob, advance: install.Advance
    ) -> list[CloneRecord]:
        """Build the clone APKs for the device (each with its identity in its policy), then
        install them one by one."""
        built = install.build_clones(
            where.home.root, job, sorted(job.identities), job.handle.info.abis
        )
        return install_built(
            where.registry, job.handle, job.app.package, built, advance, job.app.launcher
        )

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

    def bound(self, record: CloneRecord) -> str | None:
        return f"its number is part of its installed package {record.package}"

    def same_clone(self, record: CloneRecord, other: CloneRecord) -> bool:
        return super().same_clone(record, other) and other.package == record.package

    def uninstall(self, where: Where, record: CloneRecord, handle: DeviceHandle) -> None:
        package = package_of(record)
        if packages.is_installed(handle.dev, package):
            packages.uninstall(handle.dev, package)


def install_built(
    registry: Registry,
    handle: DeviceHandle,
    source: str,
    built: Sequence[install.BuiltClone],
    advance: install.Advance = lambda n: None,
    launcher: str | None = None,
) -> list[CloneRecord]:
    """Install built clone APKs one by one; undo all on the first failure; then record."""
    dev = handle.dev
    with device_errors():
        present = packages.installed(dev) & {b.package for b in built}
    if present:
        raise OperationFailed(
            f"{', '.join(sorted(present))} already installed on {handle.serial} "
            "but not by this clone registry",
            hint="uninstall it with 'adb uninstall PACKAGE' (or use its CLONE_HOME); "
            "nothing was installed",
        )
    done: list[str] = []

    def undo(left: list[str]) -> None:
        for package in reversed(done):
            quietly(partial(packages.uninstall, dev, package), f"adb uninstall {package}", left)

    records = []
    identities: dict[str, Identity] = {}
    with undo_on_error(undo):
        for clone in built:
            with device_errors():
                packages.install(dev, clone.package, clone.apks)
            done.append(clone.package)
            advance(1)
            records.append(
                CloneRecord(
                    app=source,
                    index=clone.index,
                    backend=Backend.PACKAGE,
                    source_package=source,
                    package=clone.package,
                    device=handle.serial,
                    state=dataclasses.replace(
                        clone.state, launcher=launcher_component(clone.package, launcher)
                    ),
                )
            )
            if clone.identity is not None:
                identities[records[-1].name] = clone.identity
        record_all(registry, records, identities)
    return records


BACKEND = PackageBackend()
