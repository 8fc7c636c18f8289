"""The probe app (samples/probe): built once, then checked by Android's own tools, and cloned."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from samples.probe import assembler
from samples.probe.build import build_probe, main
from samples.probe.errors import SmaliFailedError, SmaliMissingError
from samples.probe.manifest import PERMISSIONS, PROVIDER_AUTHORITY
from tests.apk import oracles
from tests.apk.signing.apksigner import verify
from tests.conftest import RunCli

_ELEMENT = re.compile(r"^\s*E: ([\w-]+) ")
_EXPORTED = re.compile(r"^\s*A: android:exported\(0x01010010\)=\(type 0x12\)(0x[0-9a-f]+)$")
_CLASS = re.compile(
    r"Class descriptor\s+: 'Lcom/clonespace/probe/(\w+);'\n.*\n\s+Superclass\s+: '(.+)'"
)
ROOT = Path(__file__).resolve().parents[2]

# Every framework member the probe's code names, as dexdump -d prints the call or field.
FRAMEWORK_REFERENCES = (
    "Landroid/app/Application;.attachBaseContext:(Landroid/content/Context;)V",
    "Landroid/app/Application;.onCreate:()V",
    "Landroid/app/Activity;.onCreate:(Landroid/os/Bundle;)V",
    "Landroid/app/Activity;.setContentView:(Landroid/view/View;)V",
    "Landroid/widget/TextView;.<init>:(Landroid/content/Context;)V",
    "Landroid/widget/TextView;.setText:(Ljava/lang/CharSequence;)V",
    "Landroid/content/ContentProvider;.getContext:()Landroid/content/Context;",
    "Landroid/content/Context;.getPackageName:()Ljava/lang/String;",
    "Landroid/content/Context;.getApplicationInfo:()Landroid/content/pm/ApplicationInfo;",
    "Landroid/content/pm/ApplicationInfo;.dataDir:Ljava/lang/String;",
    "Landroid/provider/Settings$Secure;.getString:"
    "(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;",
    "Landroid/os/Build;.getSerial:()Ljava/lang/String;",
    "Landroid/os/Build;.SERIAL:Ljava/lang/String;",
    "Landroid/os/Build;.MODEL:Ljava/lang/String;",
    "Landroid/content/Context;.getSystemService:(Ljava/lang/String;)Ljava/lang/Object;",
    "Landroid/telephony/TelephonyManager;.getImei:()Ljava/lang/String;",
    "Landroid/net/wifi/WifiManager;.getConnectionInfo:()Landroid/net/wifi/WifiInfo;",
    "Landroid/net/wifi/WifiInfo;.getMacAddress:()Ljava/lang/String;",
    "Landroid/bluetooth/BluetoothAdapter;.getDefaultAdapter:()Landroid/bluetooth/BluetoothAdapter;",
    "Landroid/bluetooth/BluetoothAdapter;.getAddress:()Ljava/lang/String;",
    "Landroid/accounts/AccountManager;.get:(Landroid/content/Context;)Landroid/accounts/AccountManager;",
    "Landroid/accounts/AccountManager;.getAccounts:()[Landroid/accounts/Account;",
    "Landroid/accounts/Account;.type:Ljava/lang/String;",
    "Landroid/accounts/Account;.name:Ljava/lang/String;",
    "Landroid/content/Context;.getPackageManager:()Landroid/content/pm/PackageManager;",
    "Landroid/content/pm/PackageManager;.getPackageInfo:"
    "(Ljava/lang/String;I)Landroid/content/pm/PackageInfo;",
    "Landroid/content/pm/PackageInfo;.signatures:[Landroid/content/pm/Signature;",
    "Landroid/content/pm/Signature;.toCharsString:()Ljava/lang/String;",
    "Landroid/content/Context;.getContentResolver:()Landroid/content/ContentResolver;",
    "Landroid/content/pm/PackageManager;.resolveContentProvider:"
    "(Ljava/lang/String;I)Landroid/content/pm/ProviderInfo;",
    "Lorg/json/JSONObject;.put:(Ljava/lang/String;Ljava/lang/Object;)Lorg/json/JSONObject;",
    "Lorg/json/JSONObject;.NULL:Ljava/lang/Object;",
    "Landroid/util/Log;.i:(Ljava/lang/String;Ljava/lang/String;)I",
)
REPORT_KEYS = (
    "step", "package", "data_dir", "android_id", "serial", "build_serial", "model", "imei",
    "wifi_mac", "bt_mac", "accounts", "signature", "own_provider",
)  # fmt: skip


@pytest.fixture(scope="session")
def probe_apk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("probe") / "probe.apk"
    try:
        return build_probe(out)
    except SmaliMissingError as e:
        pytest.skip(str(e))


def _exported(tree: str) -> dict[str, str]:
    """``android:exported`` (a boolean: aapt prints its raw data) by the tag that has it."""
    found: dict[str, str] = {}
    element = ""
    for line in tree.splitlines():
        if m := _ELEMENT.match(line):
            element = m.group(1)
        elif m := _EXPORTED.match(line):
            found[element] = m.group(1)
    return found


def _tool(*args: str | Path) -> str:
    tool = shutil.which(str(args[0]))
    if tool is None:
        pytest.fail(f"{args[0]} is not installed (make installs it with apt-get)")
    done = subprocess.run(
        [tool, *map(str, args[1:])], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="session")
def dexdump(probe_apk: Path) -> str:
    return _tool("dexdump", "-d", probe_apk)


def test_signed_v1_v2_v3(probe_apk: Path) -> None:
    as_built = verify(probe_apk)
    assert as_built.verifies, as_built.output
    assert as_built.schemes[2] and as_built.schemes[3], as_built.output
    # apksigner checks v1 only for platforms before 24: ask it to, to see the JAR signature
    with_v1 = verify(probe_apk, min_sdk=23)
    assert with_v1.verifies, with_v1.output
    assert with_v1.schemes[1], with_v1.output


def test_badging(probe_apk: Path) -> None:
    badging = _tool("aapt", "dump", "badging", probe_apk)
    lines = badging.splitlines()
    assert "package: name='com.clonespace.probe' versionCode='1' versionName='1.0'" in lines
    assert "sdkVersion:'24'" in lines
    assert "targetSdkVersion:'34'" in lines
    assert "application-label:'Clonespace probe'" in lines
    launchable = "launchable-activity: name='com.clonespace.probe.ProbeActivity'"
    assert any(line.startswith(launchable) for line in lines)
    for permission in PERMISSIONS:
        assert f"uses-permission: name='{permission}'" in lines


def test_manifest_components(probe_apk: Path) -> None:
    names = oracles.manifest_names(probe_apk)
    assert names.application_name == "com.clonespace.probe.ProbeApplication"
    assert names.authorities == {PROVIDER_AUTHORITY}
    assert oracles.attribute_values(probe_apk, "provider", "name") == [
        "com.clonespace.probe.ProbeProvider"
    ]
    tree = _tool("aapt", "dump", "xmltree", probe_apk, "AndroidManifest.xml")
    assert _exported(tree) == {"provider": "0x0", "activity": "0xffffffff"}  # false, true


def test_zipaligned(probe_apk: Path) -> None:
    assert oracles.zipalign_ok(probe_apk)


def test_dex_holds_the_four_classes(dexdump: str) -> None:
    assert dict(_CLASS.findall(dexdump)) == {
        "Probe": "Ljava/lang/Object;",
        "ProbeActivity": "Landroid/app/Activity;",
        "ProbeApplication": "Landroid/app/Application;",
        "ProbeProvider": "Landroid/content/ContentProvider;",
    }


@pytest.mark.parametrize("reference", FRAMEWORK_REFERENCES)
def test_dex_names_the_framework_member(dexdump: str, reference: str) -> None:
    assert reference in dexdump


def test_report_has_every_key_and_the_log_tag(dexdump: str) -> None:
    strings = set(re.findall(r'const-string v\d+, "([^"]*)"', dexdump))
    assert set(REPORT_KEYS) <= strings
    assert {"clonespace-probe", "android_id", "phone", "wifi", PROVIDER_AUTHORITY} <= strings


def test_module_main_writes_the_apk(tmp_path: Path, probe_apk: Path) -> None:
    out = tmp_path / "probe.apk"
    done = subprocess.run(
        [sys.executable, "-m", "samples.probe.build", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    assert oracles.badging(out).package == "com.clonespace.probe"


def test_missing_smali_is_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(assembler, "JAR_DIR", tmp_path / "no-jars")
    out = tmp_path / "probe.apk"
    assert main([str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith("probe: error: ")
    assert "smali" in line or "java" in line
    assert not out.exists()


def test_smali_refusal_is_one_error_line(tmp_path: Path) -> None:
    try:
        toolchain = assembler.find_toolchain()
    except SmaliMissingError as e:
        pytest.skip(str(e))
    (tmp_path / "Broken.smali").write_text(".class public LBroken;\n.super\n")
    with pytest.raises(SmaliFailedError) as failed:
        toolchain.assemble(tmp_path, tmp_path / "classes.dex")
    message = str(failed.value)
    assert message.startswith(f"smali failed on {tmp_path}: ")
    assert "\n" not in message
    assert "Broken.smali" in message


def test_clones_of_the_probe(run_cli: RunCli, probe_apk: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    result = run_cli("build", probe_apk, "--count", "2", "--hooks", "none", "--out", out, "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["source"]["package"] == "com.clonespace.probe"
    assert doc["source"]["min_sdk"] == 24
    packages = [c["package"] for c in doc["clones"]]
    assert packages == ["com.clonespace.probe.clone1", "com.clonespace.probe.clone2"]
    for clone in doc["clones"]:
        apk = Path(clone["apk"])
        verdict = verify(apk)
        assert verdict.verifies, verdict.output
        badging = oracles.badging(apk)
        assert badging.package == clone["package"]
        assert badging.launchable_activity == "com.clonespace.probe.ProbeActivity"
        assert oracles.manifest_names(apk).authorities == {f"{clone['package']}.provider"}
