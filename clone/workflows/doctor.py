"""``clone doctor``: what each connected device can do with Clonespace, and what to do
about what it cannot (library code: it returns reports, the CLI prints them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import adbutils

from clone.home import Home
from clone.workflows.device_access import _unusable_hint, client, device_errors
from device import adb
from device.model import DeviceInfo

MIN_HOOKED_SDK = 21  # hooks.payload.embed.MIN_LOADER_SDK: the payload's loader needs it
GADGET_ABIS = ("arm64-v8a", "armeabi-v7a", "x86", "x86_64")  # Frida Gadget exists for these


@dataclass(frozen=True)
class Check:
    """One fact about a device: whether it is fine, what it is, what to do if it is not."""

    name: str
    ok: bool
    detail: str
    hint: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"check": self.name, "ok": self.ok, "detail": self.detail, "hint": self.hint}


@dataclass(frozen=True)
class DeviceReport:
    """The checks of one device and, from them, which backends it can use."""

    info: DeviceInfo
    checks: tuple[Check, ...]
    backends: dict[str, bool]

    def to_json(self) -> dict[str, object]:
        return {
            "device": self.info.to_json(),
            "checks": [c.to_json() for c in self.checks],
            "backends": dict(self.backends),
        }


def doctor(home: Home, adb_server: str | None = None) -> list[DeviceReport]:
    """A report for every device the adb server shows (NoDevice when it shows none)."""
    from device.errors import NoDeviceConnected

    c = client(adb_server)
    with device_errors():
        found = adb.devices(c)
        if not found:
            raise NoDeviceConnected("no device is connected")
        return [_report(home, c, info) for info in found]


def _report(home: Home, c: adbutils.AdbClient, info: DeviceInfo) -> DeviceReport:
    if info.state != "device":
        check = Check("adb", False, f"state {info.state}", _unusable_hint(info.state))
        return DeviceReport(info, (check,), dict.fromkeys(("package", "user", "virtual"), False))
    checks = [Check("adb", True, "connected, USB debugging authorised")]
    plain = "build plain clones with --hooks none"
    sdk = info.sdk or 0
    if sdk >= MIN_HOOKED_SDK:
        checks.append(Check("android", True, f"API {sdk}: hooked clones work"))
    else:
        need = f"API {sdk or '?'}: hooked clones need {MIN_HOOKED_SDK}+"
        checks.append(Check("android", False, need, plain))
    abis = ", ".join(info.abis) or "unknown"
    gadget_abis = [a for a in info.abis if a in GADGET_ABIS]
    if gadget_abis:
        checks.append(Check("abi", True, f"{abis}: a Frida Gadget exists for {gadget_abis[0]}"))
    else:
        checks.append(Check("abi", False, f"{abis}: no Frida Gadget for them", plain))
    if info.rooted:
        checks.append(Check("root", True, "rooted: --backend virtual can run"))
        checks.append(_frida_server(home, info))
    else:
        fix = "use --backend package (no root), or 'adb root' on an emulator"
        checks.append(Check("root", False, "not rooted: --backend virtual needs root", fix))
    allowed = _max_users(c, info.serial)
    if allowed > 1:
        room = f"{allowed} users allowed: --backend user can make {allowed - 1} clone(s)"
        checks.append(Check("multi-user", True, room))
    else:
        no_room = "one user only: --backend user cannot run here"
        checks.append(Check("multi-user", False, no_room, "use --backend package"))
    by_name = {c.name: c.ok for c in checks}
    virtual = by_name["root"] and by_name.get("frida-server", False)
    backends = {"package": True, "user": allowed > 1, "virtual": virtual}
    return DeviceReport(info, tuple(checks), backends)


def _max_users(c: adbutils.AdbClient, serial: str) -> int:
    from device.errors import DeviceCommandFailed
    from device.users import max_users

    try:
        return max_users(c.device(serial=serial))
    except DeviceCommandFailed:
        return 1


def _frida_server(home: Home, info: DeviceInfo) -> Check:
    """Whether ``clone install --backend virtual`` finds a frida-server to push."""
    from importlib.metadata import version

    from device.errors import FridaServerMissing
    from device.frida_server import arch_for_abis, find_binary

    frida = version("frida")
    try:
        arch = arch_for_abis(info.abis)
        path: Path = find_binary(home.cache_dir / "frida-server", frida, arch)
    except (ValueError, FridaServerMissing) as e:
        return Check(
            "frida-server", False, str(e), "or pass --frida-server FILE to 'clone install'"
        )
    return Check("frida-server", True, f"{path.name} is cached: --backend virtual can run")
