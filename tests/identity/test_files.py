"""The identity files of a host clone and what they contain."""

from __future__ import annotations

from pathlib import Path

from identity import generate_identity
from identity.files import identity_file_text, identity_files, net_interfaces


def test_identity_files_contents() -> None:
    ident = generate_identity(11)
    files = identity_files(ident, ["eth0", "wlan0", "bt0", "lo"])
    assert files == {
        "/etc/machine-id": ident.machine_id + "\n",
        "/var/lib/dbus/machine-id": ident.machine_id + "\n",
        "/etc/hostname": ident.hostname + "\n",
        "/proc/sys/kernel/hostname": ident.hostname + "\n",
        "/sys/class/net/eth0/address": ident.wifi_mac + "\n",
        "/sys/class/net/wlan0/address": ident.wifi_mac + "\n",
        "/sys/class/net/bt0/address": ident.bt_mac + "\n",
    }


def test_other_paths_carry_no_identity() -> None:
    ident = generate_identity(11)
    for path in ("/etc/passwd", "/sys/class/net/lo/address", "/sys/class/net/eth0/mtu"):
        assert identity_file_text(ident, path) is None
    assert identity_file_text(ident, "/sys/devices/pci0000:00/net/eth1/address") == (
        ident.wifi_mac + "\n"
    )


def test_net_interfaces_lists_this_machine(tmp_path: Path) -> None:
    for name in ("lo", "eth0", "wlan0", "dummy0"):
        (tmp_path / name).mkdir()
    assert net_interfaces(str(tmp_path)) == ["eth0", "wlan0"]
    assert net_interfaces(str(tmp_path / "missing")) == []
    real = Path("/sys/class/net")
    if real.is_dir():
        assert "lo" not in net_interfaces()
