"""frida-server on a rooted device or an emulator with ``adb root`` (the ``virtual`` backend).

The binary must match the installed frida's version; it comes from an explicit file or the
cache ``$CLONE_HOME/cache/frida-server/<version>/frida-server-<version>-android-<arch>``
(nothing is downloaded). It is pushed to ``/data/local/tmp`` and started as root.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import adbutils

from device.adb import check, run, shell_is_root
from device.errors import DeviceCommandFailed, FridaServerMissing
from device.processes import processes

REMOTE_DIR = "/data/local/tmp"

_ARCH = {"arm64-v8a": "arm64", "armeabi-v7a": "arm", "armeabi": "arm", "x86": "x86",
         "x86_64": "x86_64"}  # fmt: skip


def arch_for_abis(abis: tuple[str, ...]) -> str:
    """The frida arch of the device's primary ABI (``arm64-v8a`` -> ``arm64``)."""
    for abi in abis:
        if abi in _ARCH:
            return _ARCH[abi]
    raise ValueError(f"no frida-server architecture for the ABIs {', '.join(abis) or 'none'}")


def file_name(version: str, arch: str) -> str:
    return f"frida-server-{version}-android-{arch}"


def remote_path(version: str) -> str:
    return f"{REMOTE_DIR}/frida-server-{version}"


def find_binary(cache: Path, version: str, arch: str, explicit: Path | None = None) -> Path:
    """The frida-server to push: ``explicit`` if given, else the cached one."""
    if explicit is not None:
        if not explicit.is_file():
            raise FridaServerMissing(f"no frida-server file at {explicit}")
        return explicit
    candidate = cache / version / file_name(version, arch)
    if not candidate.is_file():
        raise FridaServerMissing(
            f"no frida-server {version} for {arch}: put {file_name(version, arch)} "
            f"(unpacked) in {candidate.parent} or pass --frida-server FILE"
        )
    return candidate


def _as_root(dev: adbutils.AdbDevice, argv: list[str]) -> list[str]:
    if shell_is_root(dev):
        return argv
    return ["su", "-c", shlex.join(argv)]  # su takes one command string


def running(dev: adbutils.AdbDevice, version: str) -> list[int]:
    """The pids of our frida-server (by its remote file name)."""
    name = remote_path(version)
    return [p.pid for p in processes(dev) if p.name in (name, name.rsplit("/", 1)[-1])]


def ensure_running(dev: adbutils.AdbDevice, binary: Path, version: str) -> None:
    """Push (if missing) and start frida-server ``version`` as root (daemonised)."""
    if running(dev, version):
        return
    remote = remote_path(version)
    if run(dev, ["test", "-x", remote]).code != 0:
        try:
            dev.sync.push(binary, remote, mode=0o755)
        except (adbutils.AdbError, OSError) as e:
            raise DeviceCommandFailed(["push", str(binary), remote], -1, str(e)) from e
    check(dev, _as_root(dev, [remote, "-D"]))
    if not running(dev, version):
        raise DeviceCommandFailed([remote, "-D"], 1, "frida-server did not stay running")


def stop(dev: adbutils.AdbDevice, version: str) -> None:
    for pid in running(dev, version):
        run(dev, _as_root(dev, ["kill", str(pid)]))
