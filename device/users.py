"""Android multi-user helpers for the ``user`` backend (``pm create-user`` & co.)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import adbutils

from device.adb import run
from device.errors import DeviceCommandFailed

_MAX_RE = re.compile(r"Maximum supported users:\s*(\d+)")
_CREATED_RE = re.compile(r"Success: created user id (\d+)")
_USER_RE = re.compile(r"UserInfo\{(\d+):(.*):([0-9a-fA-F]+)\}(.*)")


FLAG_MANAGED_PROFILE = 0x20  # android.content.pm.UserInfo
FLAG_PROFILE = 0x1000  # Android 11+: any profile
PROFILE_REFUSED = "couldn't create"  # pm create-user --profileOf when no profile may be added


@dataclass(frozen=True)
class AndroidUser:
    id: int
    name: str
    running: bool
    flags: int = 0

    @property
    def is_profile(self) -> bool:
        """A profile (a managed one: a work profile) shows its apps beside its parent's,
        on the parent's screen; a full user's apps show only while it is on screen."""
        return bool(self.flags & (FLAG_MANAGED_PROFILE | FLAG_PROFILE))


def parse_max_users(text: str) -> int:
    """``pm get-max-users`` -> the number (``Maximum supported users: 4``)."""
    match = _MAX_RE.search(text)
    if not match:
        raise ValueError(f"no user limit in {text.strip()!r}")
    return int(match.group(1))


def parse_created_user(text: str) -> int:
    """``pm create-user NAME`` -> the new user id."""
    match = _CREATED_RE.search(text)
    if not match:
        raise ValueError(f"no new user id in {text.strip()!r}")
    return int(match.group(1))


def parse_users(text: str) -> list[AndroidUser]:
    """``pm list users`` lines ``UserInfo{10:clone:410} running``."""
    users = []
    for line in text.splitlines():
        match = _USER_RE.search(line)
        if match:
            uid, name, flags, rest = match.groups()
            users.append(AndroidUser(int(uid), name, "running" in rest, int(flags, 16)))
    return users


def max_users(dev: adbutils.AdbDevice) -> int:
    result = run(dev, ["pm", "get-max-users"])
    try:
        return parse_max_users(result.output)
    except ValueError as e:
        raise DeviceCommandFailed(["pm", "get-max-users"], result.code, str(e)) from e


def users(dev: adbutils.AdbDevice) -> list[AndroidUser]:
    result = run(dev, ["pm", "list", "users"])
    return parse_users(result.output)


def create_user(dev: adbutils.AdbDevice, name: str) -> int:
    argv = ["pm", "create-user", name]
    result = run(dev, argv)
    try:
        return parse_created_user(result.output)
    except ValueError as e:
        raise DeviceCommandFailed(argv, result.code, result.output) from e


def create_profile(dev: adbutils.AdbDevice, name: str, parent: int = 0) -> int | None:
    """A new managed profile of ``parent`` (``pm create-user --profileOf P --managed``);
    None when the device adds no profile (no managed-users feature, or one exists)."""
    argv = ["pm", "create-user", "--profileOf", str(parent), "--managed", name]
    result = run(dev, argv)
    try:
        return parse_created_user(result.output)
    except ValueError as e:
        if PROFILE_REFUSED in result.output or "Unknown option" in result.output:
            return None
        raise DeviceCommandFailed(argv, result.code, result.output) from e


def parse_current_user(text: str) -> int:
    """``am get-current-user`` -> the user on screen."""
    value = text.strip().splitlines()[-1].strip() if text.strip() else ""
    if not value.isdigit():
        raise ValueError(f"no current user in {text.strip()!r}")
    return int(value)


def current_user(dev: adbutils.AdbDevice) -> int:
    argv = ["am", "get-current-user"]
    result = run(dev, argv)
    try:
        return parse_current_user(result.stdout)
    except ValueError as e:
        raise DeviceCommandFailed(argv, result.code, str(e)) from e


def switch_user(dev: adbutils.AdbDevice, user: int, wait: float = 20.0) -> None:
    """Put ``user`` on screen (``am switch-user``) and wait until it is the current user."""
    argv = ["am", "switch-user", str(user)]
    result = run(dev, argv)
    if result.code != 0 or "Error" in result.output:
        raise DeviceCommandFailed(argv, result.code, result.output)
    deadline = time.monotonic() + wait
    while current_user(dev) != user:
        if time.monotonic() > deadline:
            raise DeviceCommandFailed(argv, 0, f"user {user} was not on screen after {wait:g} s")
        time.sleep(0.25)


def remove_user(dev: adbutils.AdbDevice, user: int) -> None:
    argv = ["pm", "remove-user", str(user)]
    result = run(dev, argv)
    if "Success" not in result.output:
        raise DeviceCommandFailed(argv, result.code, result.output)


def start_user(dev: adbutils.AdbDevice, user: int) -> None:
    """Start the user (``am start-user``): in the background for a full user, beside its
    parent for a profile."""
    argv = ["am", "start-user", str(user)]
    result = run(dev, argv)
    if result.code != 0 or "Error" in result.output:
        raise DeviceCommandFailed(argv, result.code, result.output)


def install_existing(dev: adbutils.AdbDevice, package: str, user: int) -> None:
    """Make an installed package available to another user."""
    argv = ["pm", "install-existing", "--user", str(user), package]
    result = run(dev, argv)
    if "installed for user" not in result.output and "Success" not in result.output:
        raise DeviceCommandFailed(argv, result.code, result.output)
