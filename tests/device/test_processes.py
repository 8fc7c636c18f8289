"""Which processes run: toybox ``ps`` (Android 8+) and toolbox ``ps`` (Android 7), parsed
from recordings (hand-made from the documented formats, see recorded/README.md) and asked
of a FAKE phone that answers like toolbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from clone.workflows.device_access import open_device
from device import frida_server, processes
from tests.device.fake_adb import FakeAdbServer, FakePhone

RECORDED = Path(__file__).parent / "recorded"


def _recorded(name: str) -> str:
    return (RECORDED / name).read_text()


@pytest.mark.parametrize(
    "name", ["ps_android7_toolbox.txt", "ps_android8_toybox.txt", "ps_android14_toybox.txt"]
)
def test_parse_ps_every_android_form(name: str) -> None:
    procs = processes.parse_ps(_recorded(name))
    assert len(processes.pids_of(procs, "com.example", 0)) == 1
    assert len(processes.pids_of(procs, "com.example", 10)) == 1
    assert len(processes.pids_of(procs, "com.example.clone1")) == 1
    assert any(p.name.endswith("frida-server-17.2.0") and p.user == "root" for p in procs)


def test_parse_ps_toolbox_header_only_lists_nothing() -> None:
    assert processes.parse_ps(_recorded("ps_android7_toolbox_with_args.txt")) == []


def test_parse_ps_rejects_unknown_output() -> None:
    with pytest.raises(ValueError, match="unexpected ps header"):
        processes.parse_ps("bad usage: ps [-A]\n")


def test_fake_android_7_processes_falls_back_to_toolbox_ps(
    fake_adb: FakeAdbServer, fake_phone: FakePhone
) -> None:
    fake_phone.sdk = 25
    fake_phone.running[("com.example", 0)] = 3521
    fake_phone.running[("com.example", 10)] = 3710
    dev = open_device().dev
    assert processes.pids(dev, "com.example", 0) == [3521]
    assert processes.pids(dev, "com.example", 10) == [3710]
    assert ["ps"] in fake_phone.commands  # the toolbox form, after the toybox one said nothing


def test_fake_android_7_frida_server_stays_running(
    fake_adb: FakeAdbServer, fake_phone: FakePhone, tmp_path: Path
) -> None:
    fake_phone.sdk = 25
    fake_phone.rooted = True
    binary = tmp_path / "frida-server"
    binary.write_bytes(b"\x7fELF fake frida-server")
    dev = open_device().dev
    frida_server.ensure_running(dev, binary, "17.2.0")  # raised "did not stay running"
    assert frida_server.running(dev, "17.2.0")
