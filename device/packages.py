"""Package operations over adb: install (one session for split sets), uninstall, clear,
force-stop and launch (which processes run: device.processes). Every command is an argument list.

Parsers of the tools' output are pure functions, tested against recorded output.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path

import adbutils

from device.adb import check, run
from device.errors import DeviceCommandFailed, PackageInstallFailed
from device.install_errors import parse_failure

REMOTE_TMP = "/data/local/tmp"
_SESSION_RE = re.compile(r"\[(\d+)\]")
_COMPONENT_RE = re.compile(r"^[A-Za-z0-9_.]+/[A-Za-z0-9_.$]+$")


def _user_args(user: int | None) -> list[str]:
    return [] if user is None else ["--user", str(user)]


# -- parsers ---------------------------------------------------------------------------


def parse_package_list(text: str) -> frozenset[str]:
    """``pm list packages`` -> the package names (lines ``package:NAME``)."""
    names = set()
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("package:"):
            names.add(line.removeprefix("package:").split(" ")[0])
    return frozenset(names)


def parse_pm_path(text: str) -> list[str]:
    """``pm path PKG`` -> the APK paths on the device, base first (lines ``package:PATH``)."""
    paths = [
        line.strip().removeprefix("package:")
        for line in text.splitlines()
        if line.strip().startswith("package:/")
    ]
    return sorted(paths, key=lambda p: not p.endswith("/base.apk"))


def parse_session_id(text: str) -> int:
    """``Success: created install session [1234]`` -> 1234."""
    match = _SESSION_RE.search(text)
    if not text.strip().startswith("Success") or not match:
        raise ValueError(f"no install session in {text.strip()!r}")
    return int(match.group(1))


def parse_resolved_activity(text: str) -> str | None:
    """``cmd package resolve-activity --brief`` -> ``pkg/.Activity``, or None if none."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if lines and _COMPONENT_RE.match(lines[-1]):
        return lines[-1]
    return None


def parse_am_start(text: str) -> None:
    """``am start`` prints ``Error: …`` (exit 0 on old versions) when it cannot start."""
    for line in text.splitlines():
        if line.startswith(("Error", "Exception")) or "Error type" in line:
            raise ValueError(f"am start failed: {line.strip()}")


# -- queries ---------------------------------------------------------------------------


def installed(dev: adbutils.AdbDevice, user: int | None = None) -> frozenset[str]:
    """The packages installed (for ``user``, default: any)."""
    return parse_package_list(check(dev, ["pm", "list", "packages", *_user_args(user)]))


def third_party(dev: adbutils.AdbDevice) -> frozenset[str]:
    """The apps the user installed (``pm list packages -3``: no system apps)."""
    return parse_package_list(check(dev, ["pm", "list", "packages", "-3"]))


def is_installed(dev: adbutils.AdbDevice, package: str, user: int | None = None) -> bool:
    return package in installed(dev, user)


def apk_paths(dev: adbutils.AdbDevice, package: str) -> list[str]:
    """Where the installed ``package``'s APKs are on the device, base first."""
    argv = ["pm", "path", package]
    result = run(dev, argv)
    paths = parse_pm_path(result.stdout)
    if not paths:
        raise DeviceCommandFailed(argv, result.code, result.output or "no APK path")
    return paths


def pull(dev: adbutils.AdbDevice, remote: str, local: Path) -> Path:
    """Copy the device's file ``remote`` to ``local``."""
    try:
        dev.sync.pull(remote, local)
    except (adbutils.AdbError, OSError) as e:
        raise DeviceCommandFailed(["pull", remote, str(local)], -1, str(e)) from e
    return local


def resolve_launcher(dev: adbutils.AdbDevice, package: str, user: int | None = None) -> str:
    """The launcher activity of ``package`` as ``pkg/.Activity``."""
    argv = [
        "cmd", "package", "resolve-activity", "--brief", *_user_args(user),
        "-a", "android.intent.action.MAIN", "-c", "android.intent.category.LAUNCHER", package,
    ]  # fmt: skip
    result = run(dev, argv)
    component = parse_resolved_activity(result.stdout)
    if component is None:
        raise DeviceCommandFailed(argv, result.code, result.output or "no launcher activity")
    return component


# -- changes ---------------------------------------------------------------------------


def _push(dev: adbutils.AdbDevice, apk: Path) -> str:
    remote = f"{REMOTE_TMP}/clonespace-{secrets.token_hex(6)}.apk"
    try:
        dev.sync.push(apk, remote, mode=0o644)
    except (adbutils.AdbError, OSError) as e:
        raise DeviceCommandFailed(["push", str(apk), remote], -1, str(e)) from e
    return remote


def _remove_remote(dev: adbutils.AdbDevice, paths: Sequence[str]) -> None:
    if paths:
        run(dev, ["rm", "-f", *paths])


def _raise_if_failed(package: str, output: str) -> None:
    failure = parse_failure(output)
    if failure is not None:
        raise PackageInstallFailed(package, *failure)


def install(
    dev: adbutils.AdbDevice,
    package: str,
    apks: Sequence[Path],
    user: int | None = None,
    pushed: Callable[[int], None] = lambda n: None,
    *,
    replace: bool = False,
) -> None:
    """Install one APK, or a split set (base first) in one install session; ``replace``
    updates an installed package in place (``-r``: its data is kept)."""
    flags = ["-t", *(["-r"] if replace else []), *_user_args(user)]
    if len(apks) == 1:
        remote = _push(dev, apks[0])
        pushed(1)
        try:
            result = run(dev, ["pm", "install", *flags, remote])
        finally:
            _remove_remote(dev, [remote])
        _raise_if_failed(package, result.output)
        return
    _install_session(dev, package, apks, flags, pushed)


def _install_session(
    dev: adbutils.AdbDevice,
    package: str,
    apks: Sequence[Path],
    flags: Sequence[str],
    pushed: Callable[[int], None],
) -> None:
    total = sum(p.stat().st_size for p in apks)
    created = run(dev, ["pm", "install-create", *flags, "-S", str(total)])
    _raise_if_failed(package, created.output)
    session = parse_session_id(created.stdout)
    remotes: list[str] = []
    committed = False
    try:
        for i, apk in enumerate(apks):
            remotes.append(_push(dev, apk))
            pushed(1)
            size = str(apk.stat().st_size)
            wrote = run(
                dev,
                ["pm", "install-write", "-S", size, str(session), f"{i}_{apk.name}", remotes[-1]],
            )
            _raise_if_failed(package, wrote.output)
        result = run(dev, ["pm", "install-commit", str(session)])
        committed = True
        _raise_if_failed(package, result.output)
    finally:
        if not committed:
            run(dev, ["pm", "install-abandon", str(session)])
        _remove_remote(dev, remotes)


def uninstall(dev: adbutils.AdbDevice, package: str, user: int | None = None) -> None:
    argv = ["pm", "uninstall", *_user_args(user), package]
    result = run(dev, argv)
    if "Success" not in result.output:
        raise DeviceCommandFailed(argv, result.code, result.output)


def clear(dev: adbutils.AdbDevice, package: str, user: int | None = None) -> None:
    argv = ["pm", "clear", *_user_args(user), package]
    result = run(dev, argv)
    if "Success" not in result.output:
        raise DeviceCommandFailed(argv, result.code, result.output)


def force_stop(dev: adbutils.AdbDevice, package: str, user: int | None = None) -> None:
    check(dev, ["am", "force-stop", *_user_args(user), package])


def launch(dev: adbutils.AdbDevice, component: str, user: int | None = None) -> None:
    """``am start -n COMPONENT`` and wait for it (``-W``)."""
    argv = ["am", "start", "-W", *_user_args(user), "-n", component]
    result = run(dev, argv)
    try:
        parse_am_start(result.output)
    except ValueError as e:
        raise DeviceCommandFailed(argv, result.code, str(e)) from e
    if result.code != 0:
        raise DeviceCommandFailed(argv, result.code, result.output)
