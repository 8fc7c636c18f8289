"""Android multi-user helpers for the ``user`` backend (``pm create-user`` & co.)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import adbutils

from device.adb import run
from device.errors import DeviceCommandFailed

_MAX_RE = re.compile(r"Maximum supported users:\s*(\d+)")
_CREATED_RE = re.compile(r"Success: created user id (\d+)")
_USER_RE = re.compile(r"UserInfo\{(\d+):(.*):([0-9a-fA-F]+)\}(.*)")


@dataclass(frozen=True)
class AndroidUser:
    id: int
    name: str
    running: bool


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
            users.append(
                AndroidUser(int(match.group(1)), match.group(2), "running" in match.group(4))
            )
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


def remove_user(dev: adbutils.AdbDevice, user: int) -> None:
    argv = ["pm", "remove-user", str(user)]
    result = run(dev, argv)
    if "Success" not in result.output:
        raise DeviceCommandFailed(argv, result.code, result.output)


def start_user(dev: adbutils.AdbDevice, user: int) -> None:
    """Start the user in the background so its apps can run (``am start-user``)."""
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
