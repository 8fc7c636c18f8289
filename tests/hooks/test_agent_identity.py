"""The identity hooks of the agent, inside real processes on this machine.

* The real agent (``hooks.runner.run``) makes ``gethostname``/``uname``/``hostname``/``uname -n``
  and reads of ``/sys/class/net/<if>/address`` answer the clone's identity, and reports spoofs.
* The pure decision functions of the Android hooks (property answers, account filtering,
  authority mapping, …) are compiled from ``src/identity/probe.ts`` and called over RPC in
  a real spawned process.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from identity import generate_identity
from tests.hooks.agent_fixtures import compile_agent_entry, sleeping_process
from vfs_redirect.layouts import android_package_layout

C_PROGRAM = r"""
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(void) {
    char name[256];
    struct utsname uts;
    char tiny[4];
    if (gethostname(name, sizeof name) != 0) { perror("gethostname"); return 1; }
    if (uname(&uts) != 0) { perror("uname"); return 1; }
    printf("gethostname %s\nnodename %s\nsysname %s\n", name, uts.nodename, uts.sysname);
    int rc = gethostname(tiny, sizeof tiny);
    printf("tiny %d %s\n", rc, rc == 0 ? "ok" : strerror(errno));
    return 0;
}
"""


def _policy(
    identity: dict[str, str], trace: bool = True, redirects: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    return {
        "version": 1,
        "clone": "probe:1",
        "platform": "linux",
        "redirects": sorted(redirects or [], key=lambda r: -len(r["virtual"])),
        "deny": [],
        "allow": [],
        "deny_errno": 13,
        "identity": identity,
        "accounts": [],
        "trace": trace,
    }


def _run(
    argv: list[str],
    identity: dict[str, str],
    out: Path,
    redirects: list[dict[str, str]] | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    runner = pytest.importorskip("hooks.runner")
    events: list[dict[str, Any]] = []
    shell = f'exec "$@" > {out} 2>&1'
    policy = _policy(identity, redirects=redirects)
    status = runner.run(["sh", "-c", shell, "sh", *argv], policy, on_event=events.append)
    text = out.read_text()
    assert status == 0, text
    return text, events


@pytest.fixture(scope="module")
def identity() -> dict[str, str]:
    return generate_identity(2024).to_dict()


@pytest.fixture(scope="module")
def gethost(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("gcc") is None:
        pytest.skip("gcc is needed")
    out = tmp_path_factory.mktemp("prog")
    (out / "gethost.c").write_text(C_PROGRAM)
    subprocess.run(
        ["gcc", "-O1", "-Wall", "-Werror", "-o", out / "gethost", out / "gethost.c"], check=True
    )
    return out / "gethost"


@pytest.mark.slow
def test_c_program_sees_the_clone_hostname(
    gethost: Path, identity: dict[str, str], tmp_path: Path
) -> None:
    text, events = _run([str(gethost)], identity, tmp_path / "out")
    real = socket.gethostname()
    assert real != identity["hostname"]
    lines = dict(line.split(" ", 1) for line in text.splitlines())
    assert lines["gethostname"] == identity["hostname"]
    assert lines["nodename"] == identity["hostname"]
    assert lines["sysname"] == os.uname().sysname  # the other fields stay real
    assert lines["tiny"] == "-1 File name too long"  # as glibc: ENAMETOOLONG
    ops = {(e["type"], e["op"], e.get("value")) for e in events}
    assert ("spoof", "gethostname", identity["hostname"]) in ops
    assert ("spoof", "uname", identity["hostname"]) in ops


@pytest.mark.slow
@pytest.mark.parametrize("command", [["uname", "-n"], ["hostname"]])
def test_system_tools_see_the_clone_hostname(
    command: list[str], identity: dict[str, str], tmp_path: Path
) -> None:
    if shutil.which(command[0]) is None:
        pytest.skip(f"{command[0]} is not installed")
    text, _ = _run(command, identity, tmp_path / "out")
    assert text.strip() == identity["hostname"]


def _hardware_interface() -> str:
    for name in sorted(os.listdir("/sys/class/net")):
        if name != "lo" and Path(f"/sys/class/net/{name}/address").exists():
            return name
    pytest.skip("no network interface besides lo")


@pytest.mark.slow
def test_identity_files_answer_the_clone_values(identity: dict[str, str], tmp_path: Path) -> None:
    """Redirect rules for identity files: the agent fills the clone's own files."""
    ifname = _hardware_interface()
    path = f"/sys/class/net/{ifname}/address"
    assert Path(path).read_text().strip() != identity["wifi_mac"]
    store = tmp_path / "store"
    rules = [
        {"virtual": path, "real": f"{store}/net/{ifname}-address"},
        {"virtual": "/etc/machine-id", "real": f"{store}/machine-id"},
        {"virtual": "/etc/hostname", "real": f"{store}/hostname"},
    ]
    lo = Path("/sys/class/net/lo/address").read_text().strip()
    argv = ["cat", path, "/etc/machine-id", "/etc/hostname", "/sys/class/net/lo/address"]
    text, events = _run(argv, identity, tmp_path / "out", redirects=rules)
    assert text.splitlines() == [
        identity["wifi_mac"],
        identity["machine_id"],
        identity["hostname"],
        lo,
    ]
    assert {e.get("path") for e in events if e["type"] == "redirect"} >= {path, "/etc/machine-id"}


@pytest.mark.slow
def test_the_android_layouts_address_rule_serves_the_clones_mac(
    identity: dict[str, str], tmp_path: Path
) -> None:
    """A package clone's policy carries rules for /sys/class/net/<if>/address (wlan0, eth0):
    here the interface this machine has, its file moved under tmp_path, read by cat."""
    layout = android_package_layout("com.example.app", "com.example.app.clone1")
    rules = [r for r in layout.redirects if r.virtual.startswith("/sys/class/net/")]
    assert rules, "the Android layout has no network address rules"
    present = [r for r in rules if Path(r.virtual).exists()]
    if not present:
        pytest.skip("this machine has none of the interfaces the Android rules name")
    rule = present[0]
    assert rule.real.startswith("/data/user_de/0/com.example.app.clone1/")
    moved = [{"virtual": rule.virtual, "real": f"{tmp_path}{rule.real}"}]
    text, _ = _run(["cat", rule.virtual], identity, tmp_path / "out", redirects=moved)
    assert text.strip() == identity["wifi_mac"]
    assert Path(rule.virtual).read_text().strip() != identity["wifi_mac"]


@pytest.mark.slow
def test_without_trace_nothing_is_reported(identity: dict[str, str], tmp_path: Path) -> None:
    runner = pytest.importorskip("hooks.runner")
    events: list[dict[str, Any]] = []
    out = tmp_path / "out"
    status = runner.run(
        ["sh", "-c", f"uname -n > {out}"], _policy(identity, trace=False), on_event=events.append
    )
    assert status == 0
    assert out.read_text().strip() == identity["hostname"]
    assert events == []


# -- pure decisions, called over RPC inside a real process ------------------------------


@pytest.fixture(scope="module")
def probe_source(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("probe") / "probe.js"
    return compile_agent_entry("src/identity/probe.ts", out).read_text()


class Probe:
    def __init__(self, script: Any, policy: dict[str, Any]) -> None:
        self._script = script
        self.policy = policy

    def __call__(self, name: str, *args: Any, policy: dict[str, Any] | None = None) -> Any:
        return self._script.exports_sync.decide(name, policy or self.policy, list(args))


@pytest.fixture(scope="module")
def probe(probe_source: str, identity: dict[str, str]) -> Iterator[Probe]:
    with sleeping_process(120) as (pid, session):
        script = session.create_script(probe_source)
        script.load()
        assert script.exports_sync.pid() == pid  # really inside that process
        policy = _policy(identity) | {
            "accounts": [
                {"type": "com.google", "name": "alice@example.com"},
                {"type": "org.telegram", "name": "+15551234567"},
                {"type": "com.google"},  # malformed: dropped
            ],
            "original_package": "com.example.notes",
            "clone_package": "com.example.notes.clone2",
            "original_signatures": ["3082aa01", "not hex"],
            "authorities": {"com.example.legacy": "com.example.notes.clone2.legacy"},
            "permissions": {"org.vendor.push.RECEIVE": "org.vendor.push.RECEIVE.clone2"},
            "actions": {"com.example.notes.SYNC": "com.example.notes.clone2.SYNC"},
        }
        yield Probe(script, policy)


@pytest.mark.slow
def test_property_answers(probe: Probe, identity: dict[str, str]) -> None:
    assert probe("property", "ro.serialno") == identity["serial"]
    assert probe("property", "ro.boot.serialno") == identity["serial"]
    assert probe("property", "ro.product.model") == identity["model"]
    assert probe("property", "ro.product.vendor.brand") == identity["brand"]
    assert probe("property", "ro.product.system.name") == identity["product"]
    assert probe("property", "ro.build.fingerprint") == identity["fingerprint"]
    assert probe("property", "gsm.sim.operator.numeric") == identity["sim_operator"]
    assert probe("property", "ro.build.version.sdk") is None
    assert probe("property", "ro.product.cpu.abi") is None


@pytest.mark.slow
def test_java_api_answers(probe: Probe, identity: dict[str, str]) -> None:
    assert probe("telephony", "getImei") == identity["imei"]
    assert probe("telephony", "getDeviceId") == identity["imei"]
    assert probe("telephony", "getMeid") == identity["meid"]
    assert probe("telephony", "getSubscriberId") == identity["imsi"]
    assert probe("telephony", "getSimSerialNumber") == identity["iccid"]
    assert probe("telephony", "getLine1Number") == identity["phone_number"]
    assert probe("telephony", "getSimOperator") == identity["imsi"][: len(identity["sim_operator"])]
    assert probe("telephony", "getCallState") is None
    assert probe("settings", "android_id") == identity["android_id"]
    assert probe("settings", "bluetooth_address") == identity["bt_mac"].upper()
    assert probe("settings", "adb_enabled") is None
    fields = probe("buildFields")
    assert fields["SERIAL"] == identity["serial"] and fields["MODEL"] == identity["model"]
    assert fields["ID"] == identity["fingerprint"].split("/")[3]
    signed = [
        b - 256 if b > 127 else b for b in bytes.fromhex(identity["wifi_mac"].replace(":", ""))
    ]
    assert probe("macBytes", identity["wifi_mac"]) == signed


@pytest.mark.slow
def test_net_address_and_hostname_decisions(probe: Probe, identity: dict[str, str]) -> None:
    assert probe("netAddress", "/sys/class/net/wlan0/address") == identity["wifi_mac"] + "\n"
    assert probe("netAddress", "/sys/devices/pci0/net/eth0/address") == identity["wifi_mac"] + "\n"
    assert probe("netAddress", "/sys/class/net/bt0/address") == identity["bt_mac"] + "\n"
    assert probe("netAddress", "/sys/class/net/lo/address") is None
    assert probe("netAddress", "/sys/class/net/wlan0/mtu") is None
    assert probe("hostname") == identity["hostname"]
    assert probe("identityFile", "/etc/machine-id") == identity["machine_id"] + "\n"
    assert probe("identityFile", "/proc/sys/kernel/hostname") == identity["hostname"] + "\n"
    assert probe("identityFile", "/etc/passwd") is None
    rules = [
        {"virtual": "/var/lib/dbus/machine-id", "real": "/s/mid"},
        {"virtual": "/home/u/notes", "real": "/s/data/0"},
        {"virtual": "/sys/class/net/wlan0/address", "real": "/s/wlan0"},
    ]
    plan = probe("identityFilePlan", policy=probe.policy | {"redirects": rules})
    assert plan == [
        ["/s/mid", identity["machine_id"] + "\n"],
        ["/s/wlan0", identity["wifi_mac"] + "\n"],
    ]
    assert probe("hostnameFits", "abc", 4) is True
    assert probe("hostnameFits", "abcd", 4) is False


@pytest.mark.slow
def test_account_filtering(probe: Probe) -> None:
    alice = {"type": "com.google", "name": "alice@example.com"}
    tg = {"type": "org.telegram", "name": "+15551234567"}
    assert probe("accounts", None) == [alice, tg]
    assert probe("accounts", "com.google") == [alice]
    assert probe("accounts", "com.whatsapp") == []
    bob = {"type": "com.google", "name": "bob@example.com"}
    assert probe("addAccount", "com.google", "bob@example.com") == {
        "list": [alice, tg, bob],
        "added": True,
    }
    assert probe("addAccount", "com.google", "alice@example.com")["added"] is False
    assert probe("removeAccount", "com.google", "alice@example.com") == {
        "list": [tg],
        "removed": True,
    }
    assert probe("removeAccount", "com.google", "carol@example.com")["removed"] is False


@pytest.mark.slow
def test_package_and_authority_mapping(probe: Probe) -> None:
    assert probe("isSelf", "com.example.notes") is True
    assert probe("isSelf", "com.example.notes.clone2") is True
    assert probe("isSelf", "com.example.other") is False
    to_clone = "authorityToClone"
    assert (
        probe(to_clone, "com.example.notes.fileprovider") == "com.example.notes.clone2.fileprovider"
    )
    assert (
        probe(to_clone, "com.example.notes.clone2.fileprovider")
        == "com.example.notes.clone2.fileprovider"
    )
    assert probe(to_clone, "com.example.notes") == "com.example.notes.clone2"
    assert probe(to_clone, "com.example.notesextra") == "com.example.notesextra"
    assert probe(to_clone, "com.example.legacy") == "com.example.notes.clone2.legacy"
    assert probe(to_clone, "a.b;com.example.notes.x") == "a.b;com.example.notes.clone2.x"
    assert probe(to_clone, "media") == "media"
    back = "authorityToOriginal"
    assert probe(back, "com.example.notes.clone2.fileprovider") == "com.example.notes.fileprovider"
    assert probe(back, "com.example.notes.clone2.legacy") == "com.example.legacy"
    assert probe("permissionToClone", "com.example.notes.permission.C2D") == (
        "com.example.notes.clone2.permission.C2D"
    )
    assert probe("permissionToClone", "android.permission.CAMERA") == "android.permission.CAMERA"
    declared = "org.vendor.push.RECEIVE"  # declared by the app, not under its package name
    assert probe("permissionToClone", declared) == "org.vendor.push.RECEIVE.clone2"
    assert probe("actionToClone", "com.example.notes.SYNC") == "com.example.notes.clone2.SYNC"
    assert probe("actionToClone", "com.example.notes.OTHER") == "com.example.notes.OTHER"
    assert probe("actionToOriginal", "com.example.notes.clone2.SYNC") == "com.example.notes.SYNC"
    assert probe("actionToOriginal", "android.intent.action.VIEW") == "android.intent.action.VIEW"
    assert probe("signatures") == ["3082aa01"]
    not_renamed = probe.policy | {"clone_package": "com.example.notes"}
    assert probe("isSelf", "com.example.notes", policy=not_renamed) is None


@pytest.mark.slow
def test_gsf_query_detection(probe: Probe) -> None:
    assert probe("isGsfIdQuery", "com.google.android.gsf.gservices", ["android_id"]) is True
    assert probe("isGsfIdQuery", "com.google.android.gsf.gservices", ["other"]) is False
    assert probe("isGsfIdQuery", "com.example", ["android_id"]) is False
    assert probe("isGsfIdQuery", None, None) is False


@pytest.mark.slow
def test_android_hooks_bundle_with_the_java_bridge(tmp_path: Path) -> None:
    """The Android hooks compile into one bundle that carries frida-java-bridge."""
    text = compile_agent_entry("src/android/index.ts", tmp_path / "android.js").read_text()
    assert "frida-java-bridge/lib/android.js" in text
    for hooked in ("android.telephony.TelephonyManager", "IPackageManager$Stub$Proxy"):
        assert hooked in text


def test_the_agent_bundle_carries_the_identity_hooks() -> None:
    agent_bundle = pytest.importorskip("hooks.agent_bundle")
    try:
        text = agent_bundle.agent_source()
    except Exception as e:  # the bundle is built by `make agent`
        pytest.skip(f"agent not built: {e}")
    assert "frida-java-bridge/lib/android.js" in text
    assert "clonespace-identity" in text and "android.accounts.AccountManager" in text
