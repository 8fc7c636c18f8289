"""Value types of the device layer: what a device is and what state it is in."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class DeviceState(enum.StrEnum):
    """The connection state the adb server reports (``adb devices``)."""

    DEVICE = "device"
    OFFLINE = "offline"
    UNAUTHORIZED = "unauthorized"
    NO_PERMISSIONS = "no permissions"
    RECOVERY = "recovery"
    BOOTLOADER = "bootloader"
    SIDELOAD = "sideload"
    AUTHORIZING = "authorizing"
    CONNECTING = "connecting"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, text: str) -> DeviceState:
        try:
            return cls(text)
        except ValueError:
            return cls.UNKNOWN


@dataclass(frozen=True)
class DeviceInfo:
    """One device as ``clone devices`` shows it. Properties are empty when not ready."""

    serial: str
    state: DeviceState
    model: str = ""
    sdk: int | None = None
    abis: tuple[str, ...] = ()
    rooted: bool = False

    @property
    def ready(self) -> bool:
        return self.state is DeviceState.DEVICE

    def to_json(self) -> dict[str, object]:
        return {
            "serial": self.serial,
            "state": self.state.value,
            "model": self.model,
            "sdk": self.sdk,
            "abis": list(self.abis),
            "rooted": self.rooted,
        }


@dataclass(frozen=True)
class ShellResult:
    """What one shell command on the device gave."""

    code: int
    stdout: str
    stderr: str = ""

    @property
    def output(self) -> str:
        """stdout then stderr (``pm`` prints its failures on either, by version)."""
        return self.stdout + self.stderr
