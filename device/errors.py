"""Errors of the device layer. ``clone`` converts them to its own error types.

Bad input (an unknown serial, a bad ``host:port``) subclasses ``ValueError``; failures of the
adb server or of the device subclass ``RuntimeError`` or ``OSError``.
"""

from __future__ import annotations

from collections.abc import Sequence


class AdbUnavailable(OSError):
    """No adb server can be reached (and none could be started)."""


class NoDeviceConnected(RuntimeError):
    """The adb server sees no usable device."""


class DeviceNotFound(ValueError):
    """The chosen serial is not among the devices the adb server sees."""

    def __init__(self, serial: str, known: Sequence[str]) -> None:
        listed = ", ".join(known) if known else "none"
        super().__init__(f"no device with serial {serial!r} (connected: {listed})")
        self.serial = serial
        self.known = tuple(known)


class AmbiguousDevice(ValueError):
    """Several devices are connected and none was chosen."""

    def __init__(self, serials: Sequence[str]) -> None:
        super().__init__(f"several devices are connected ({', '.join(serials)})")
        self.serials = tuple(serials)


class DeviceUnusable(RuntimeError):
    """The device is listed but not ready (offline, unauthorized, in recovery…)."""

    def __init__(self, serial: str, state: str) -> None:
        super().__init__(f"device {serial} is {state}")
        self.serial = serial
        self.state = state


class DeviceCommandFailed(RuntimeError):
    """A shell command on the device failed; ``argv`` and ``output`` say which and how."""

    def __init__(self, argv: Sequence[str], code: int, output: str) -> None:
        last = output.strip().splitlines()[-1] if output.strip() else "no output"
        super().__init__(f"'{' '.join(argv)}' failed on the device (exit {code}): {last}")
        self.argv = tuple(argv)
        self.code = code
        self.output = output


class PackageInstallFailed(RuntimeError):
    """The package manager refused an APK. ``reason`` is its code (``INSTALL_FAILED_…``)."""

    def __init__(self, package: str, reason: str, detail: str) -> None:
        super().__init__(f"{package}: {reason}" + (f": {detail}" if detail else ""))
        self.package = package
        self.reason = reason
        self.detail = detail


class FridaServerMissing(FileNotFoundError):
    """No frida-server binary of the needed version and architecture was found."""
