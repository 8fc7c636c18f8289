"""Apps already on a phone, as sources of new clones: list them, pull one's APK set.

What ``clone install`` takes is a file on this machine; an app installed on the phone
becomes one by ``pm path PKG`` and ``adb pull`` of each APK it names (base first, then
its splits), into a directory ``clone install`` reads as a split set. The launcher's
"New clone" uses this; the clones this registry made are left out of the list.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from clone.errors import BadInput, NotFound
from clone.registry import Registry
from clone.workflows.device_access import device_errors, open_device
from clone.workflows.transfer import Progress, no_progress

PACKAGE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$")


def device_apps(registry: Registry, serial: str | None, adb: str | None) -> list[str]:
    """The user-installed apps of the device (``pm list packages -3``), sorted, without
    the clones this registry installed."""
    from device import packages

    handle = open_device(serial, adb)
    with device_errors():
        found = packages.third_party(handle.dev)
    ours = {r.package for r in registry.clones() if r.device == handle.serial and r.package}
    return sorted(found - ours)


def pull_app(
    package: str,
    dest: Path,
    serial: str | None,
    adb: str | None,
    progress: Progress | None = None,
) -> Path:
    """Pull the APK set of the installed ``package`` into the new directory ``dest``
    (``0.apk`` the base, then the splits). Returns the base APK for a single APK, else
    ``dest`` (a split set, as ``clone install`` takes it).

    ``progress("pulling PKG from SERIAL", files)`` is opened once the paths are known; its
    ``advance(1)`` follows each file pulled. On any failure (a cancel raised by ``advance``
    too) ``dest`` is removed again.
    """
    from device import packages

    if not PACKAGE_RE.match(package):
        raise BadInput(f"not a package name: {package!r}")
    handle = open_device(serial, adb)
    with device_errors():
        if not packages.is_installed(handle.dev, package):
            raise NotFound(
                f"{package} is not installed on {handle.serial}",
                hint="pick an app from the device's list",
            )
        remote = packages.apk_paths(handle.dev, package)
        dest.mkdir(parents=True)
        local = []
        label = f"pulling {package} from {handle.serial}"
        try:
            with (progress or no_progress)(label, len(remote)) as advance:
                for i, path in enumerate(remote):
                    local.append(packages.pull(handle.dev, path, dest / f"{i}.apk"))
                    advance(1)
        except BaseException:
            shutil.rmtree(dest, ignore_errors=True)  # no half-pulled app left behind
            raise
    return local[0] if len(local) == 1 else dest
