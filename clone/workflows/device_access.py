"""Reaching a device from a workflow: the adb server, the chosen device, and the one place
where the device layer's exceptions become ``clone.errors`` (with what to do next)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import adbutils

from clone.errors import BadInput, DeviceError, InstallError, NoDevice, NotFound
from clone.workflows.adb_option import parse_adb_option
from device import adb
from device.errors import (
    AdbUnavailable,
    AmbiguousDevice,
    DeviceCommandFailed,
    DeviceNotFound,
    DeviceUnusable,
    NoDeviceConnected,
    PackageInstallFailed,
)
from device.install_errors import explain
from device.model import DeviceInfo

CONNECT_HINT = (
    "connect a phone with USB debugging on (it must show in 'adb devices'), start an "
    "emulator, or 'adb connect HOST:PORT'"
)


@dataclass(frozen=True)
class DeviceHandle:
    """A chosen, ready device: the adb client, the device and what it is."""

    client: adbutils.AdbClient
    dev: adbutils.AdbDevice
    info: DeviceInfo

    @property
    def serial(self) -> str:
        return self.info.serial


@contextmanager
def device_errors() -> Iterator[None]:
    """Turn device-layer exceptions raised inside into ``clone.errors``."""
    try:
        yield
    except NoDeviceConnected as e:
        raise NoDevice(str(e), hint=CONNECT_HINT) from e
    except DeviceNotFound as e:
        raise NotFound(str(e), hint="'clone devices' lists the connected devices") from e
    except AmbiguousDevice as e:
        raise BadInput(str(e), hint="choose one with --device SERIAL or $ANDROID_SERIAL") from e
    except DeviceUnusable as e:
        raise DeviceError(str(e), hint=_unusable_hint(e.state)) from e
    except AdbUnavailable as e:
        raise DeviceError(str(e), hint="start it with 'adb start-server' or pass --adb") from e
    except PackageInstallFailed as e:
        why = explain(e.reason)
        detail = f" ({e.detail})" if e.detail and e.reason == "UNKNOWN" else ""
        raise InstallError(
            f"installing {e.package} failed: {e.reason}: {why.cause}{detail}",
            reason=e.reason,
            hint=why.action,
        ) from e
    except DeviceCommandFailed as e:
        raise DeviceError(str(e), hint="check the device ('adb devices', 'adb logcat')") from e


def _unusable_hint(state: str) -> str:
    if state == "unauthorized":
        return "unlock the device and accept its 'Allow USB debugging' prompt"
    if state == "offline":
        return "reconnect the cable or run 'adb reconnect'"
    return "boot the device into Android"


def client(adb_server: str | None = None) -> adbutils.AdbClient:
    server = parse_adb_option(adb_server)
    with device_errors():
        return adb.connect(server)


def open_device(serial: str | None = None, adb_server: str | None = None) -> DeviceHandle:
    """The device to work on (``--device``, ``$ANDROID_SERIAL`` or the only one)."""
    c = client(adb_server)
    with device_errors():
        dev = adb.choose(c, serial)
        return DeviceHandle(c, dev, adb.info(c, dev))


def list_devices(adb_server: str | None = None) -> list[DeviceInfo]:
    c = client(adb_server)
    with device_errors():
        return adb.devices(c)
