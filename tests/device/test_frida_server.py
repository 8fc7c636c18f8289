"""frida-server placement: pure choices, and pushing/starting it on a FAKE rooted phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from clone.workflows.device_access import open_device
from device import frida_server
from device.errors import FridaServerMissing
from tests.device.fake_adb import FakeAdbServer, FakePhone


@pytest.mark.parametrize(
    ("abis", "arch"),
    [(("arm64-v8a", "armeabi-v7a"), "arm64"), (("x86_64", "x86"), "x86_64"), (("armeabi",), "arm")],
)
def test_arch_for_abis(abis: tuple[str, ...], arch: str) -> None:
    assert frida_server.arch_for_abis(abis) == arch


def test_arch_for_unknown_abis() -> None:
    with pytest.raises(ValueError, match="mips"):
        frida_server.arch_for_abis(("mips",))


def test_find_binary_in_cache_or_explicit(tmp_path: Path) -> None:
    cached = tmp_path / "17.2.0" / "frida-server-17.2.0-android-arm64"
    with pytest.raises(FridaServerMissing, match=r"put frida-server-17\.2\.0-android-arm64"):
        frida_server.find_binary(tmp_path, "17.2.0", "arm64")
    cached.parent.mkdir()
    cached.write_bytes(b"\x7fELF")
    assert frida_server.find_binary(tmp_path, "17.2.0", "arm64") == cached
    with pytest.raises(FridaServerMissing, match="no frida-server file at"):
        frida_server.find_binary(tmp_path, "17.2.0", "arm64", tmp_path / "missing")


def test_fake_rooted_phone_gets_frida_server_pushed_and_started(
    fake_adb: FakeAdbServer, fake_phone: FakePhone, tmp_path: Path
) -> None:
    fake_phone.rooted = True
    binary = tmp_path / "frida-server"
    binary.write_bytes(b"\x7fELF fake frida-server")
    handle = open_device()
    frida_server.ensure_running(handle.dev, binary, "17.2.0")
    remote = "/data/local/tmp/frida-server-17.2.0"
    assert fake_phone.files[remote] == binary.read_bytes()
    assert ["su", "-c", f"{remote} -D"] in fake_phone.commands
    assert frida_server.running(handle.dev, "17.2.0")
    pushes = len(fake_phone.commands)
    frida_server.ensure_running(handle.dev, binary, "17.2.0")  # already running: no-op
    assert not any(c[:1] == ["su"] for c in fake_phone.commands[pushes:])
