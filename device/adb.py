"""The adb side: which server, which device, and shell commands as argument lists.

Commands are lists (``run(dev, ["pm", "clear", pkg])``); adbutils quotes each argument
with ``shlex.quote``. ``--adb host:port`` (or ``$ANDROID_ADB_SERVER_HOST``/``_PORT``) picks
a remote server, so a device farm's devices work the same as local ones.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Sequence

import adbutils

from device.errors import (
    AdbUnavailable,
    AmbiguousDevice,
    DeviceCommandFailed,
    DeviceNotFound,
    DeviceUnusable,
    NoDeviceConnected,
)
from device.model import DeviceInfo, DeviceState, ShellResult
from device.server import AdbServer, server_from_env

_TIMEOUT = 120.0


def _reachable(server: AdbServer) -> bool:
    try:
        with socket.create_connection((server.host, server.port), timeout=2):
            return True
    except OSError:
        return False


def _start_local_server(server: AdbServer) -> None:
    exe = shutil.which("adb")
    if exe is None:
        raise AdbUnavailable(
            f"no adb server at {server} and no adb program to start one "
            "(install adb, or pass --adb HOST:PORT of a running server)"
        )
    done = subprocess.run(
        [exe, "-P", str(server.port), "start-server"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0 or not _reachable(server):
        raise AdbUnavailable(f"could not start an adb server on port {server.port}: {done.stderr}")


def connect(server: AdbServer | None = None) -> adbutils.AdbClient:
    """A client of a running adb server; a local one is started when none runs."""
    server = server or server_from_env()
    if not _reachable(server):
        if not server.local:
            raise AdbUnavailable(f"cannot reach the adb server at {server}")
        _start_local_server(server)
    return adbutils.AdbClient(host=server.host, port=server.port, socket_timeout=_TIMEOUT)


def list_serials(client: adbutils.AdbClient) -> list[tuple[str, DeviceState, dict[str, str]]]:
    """(serial, state, tags) for every device the server lists (``host:devices-l``)."""
    try:
        infos = client.list(extended=True)
    except (adbutils.AdbError, OSError) as e:
        raise AdbUnavailable(f"the adb server did not list its devices: {e}") from e
    return [(i.serial, DeviceState.parse(i.state), dict(i.tags)) for i in infos]


def choose(client: adbutils.AdbClient, serial: str | None = None) -> adbutils.AdbDevice:
    """The device to work on: ``serial``, else ``$ANDROID_SERIAL``, else the only one."""
    listed = list_serials(client)
    wanted = serial or os.environ.get("ANDROID_SERIAL") or None
    if wanted:
        states = {s: state for s, state, _ in listed}
        if wanted not in states:
            raise DeviceNotFound(wanted, sorted(states))
        if states[wanted] is not DeviceState.DEVICE:
            raise DeviceUnusable(wanted, states[wanted].value)
        return client.device(serial=wanted)
    ready = [s for s, state, _ in listed if state is DeviceState.DEVICE]
    if not ready:
        if listed:
            s, state, _ = listed[0]
            raise DeviceUnusable(s, state.value)
        raise NoDeviceConnected("no Android device is connected")
    if len(ready) > 1:
        raise AmbiguousDevice(ready)
    return client.device(serial=ready[0])


def run(dev: adbutils.AdbDevice, argv: Sequence[str], timeout: float = _TIMEOUT) -> ShellResult:
    """Run one command (a list, never a shell string) and return its exit code and output."""
    try:
        v2 = "shell_v2" in dev.get_features().split(",")  # exit codes and stderr apart
        done = dev.shell2(list(argv), timeout=timeout, v2=v2)
    except (adbutils.AdbError, OSError, EOFError) as e:
        raise DeviceCommandFailed(argv, -1, str(e)) from e
    return ShellResult(done.returncode, done.stdout or done.output, done.stderr or "")


def check(dev: adbutils.AdbDevice, argv: Sequence[str], timeout: float = _TIMEOUT) -> str:
    """Run ``argv``; its stdout, or DeviceCommandFailed when it exits non-zero."""
    result = run(dev, argv, timeout)
    if result.code != 0:
        raise DeviceCommandFailed(argv, result.code, result.output)
    return result.stdout


def getprop(dev: adbutils.AdbDevice, name: str) -> str:
    return run(dev, ["getprop", name]).stdout.strip()


def is_rooted(dev: adbutils.AdbDevice) -> bool:
    """adbd runs as root (``adb root`` on an emulator) or an ``su`` binary exists."""
    if run(dev, ["id", "-u"]).stdout.strip() == "0":
        return True
    return run(dev, ["which", "su"]).code == 0


def shell_is_root(dev: adbutils.AdbDevice) -> bool:
    return run(dev, ["id", "-u"]).stdout.strip() == "0"


def parse_sdk(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def parse_abilist(text: str) -> tuple[str, ...]:
    """``ro.product.cpu.abilist`` (``arm64-v8a,armeabi-v7a,armeabi``) -> a tuple."""
    return tuple(a.strip() for a in text.split(",") if a.strip())


def describe(
    client: adbutils.AdbClient, serial: str, state: DeviceState, tags: dict[str, str]
) -> DeviceInfo:
    """A DeviceInfo; properties are read only from a ready device."""
    if state is not DeviceState.DEVICE:
        return DeviceInfo(serial, state, model=tags.get("model", ""))
    dev = client.device(serial=serial)
    abis = parse_abilist(getprop(dev, "ro.product.cpu.abilist"))
    if not abis:
        abis = parse_abilist(getprop(dev, "ro.product.cpu.abi"))
    return DeviceInfo(
        serial=serial,
        state=state,
        model=getprop(dev, "ro.product.model") or tags.get("model", ""),
        sdk=parse_sdk(getprop(dev, "ro.build.version.sdk")),
        abis=abis,
        rooted=is_rooted(dev),
    )


def devices(client: adbutils.AdbClient) -> list[DeviceInfo]:
    """Every device the server sees, described."""
    return [describe(client, s, state, tags) for s, state, tags in list_serials(client)]


def info(client: adbutils.AdbClient, dev: adbutils.AdbDevice) -> DeviceInfo:
    serial = dev.serial or ""
    return describe(client, serial, DeviceState.DEVICE, {})
