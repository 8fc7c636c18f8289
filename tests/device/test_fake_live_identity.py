"""Identity and account changes reach an installed package clone (issue #11, defect 1),
against the FAKE adb server: the clone APK is pulled, rebuilt with the new policy, signed
with the clone's own key and installed over the old one (the fake checks, with Debian's
apksigner, that an update keeps the certificate, as Android's package manager does). This is
the CLI's bookkeeping, not a phone: that an app then answers with the identity is the JVM
bed's and the device suite's business."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunCli
from tests.device.fake_adb import FakeAdbServer, FakePhone

SOURCE = "com.github.uiautomator"
CLONE = f"{SOURCE}:1"
PACKAGE = f"{SOURCE}.clone1"


@pytest.fixture(scope="module")
def standin_gadgets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Stand-ins for the Gadgets (real ELF objects, NOT Gadgets; see hooks/payload/standins)."""
    from hooks.payload.gadget import installed_frida_version
    from tests.hooks.payload.standins import make_gadget_dir

    root = tmp_path_factory.mktemp("gadgets")
    return make_gadget_dir(root / "gadgets", installed_frida_version())


@pytest.fixture
def installed(
    fake_adb: FakeAdbServer,
    fake_phone: FakePhone,
    run_cli: RunCli,
    uiautomator_apk: Path,
    standin_gadgets: Path,
) -> FakePhone:
    result = run_cli("install", uiautomator_apk, "--gadget-dir", standin_gadgets)
    assert result.exit_code == 0, result.stderr
    fake_phone.packages[PACKAGE].data[0] = {"notes.db"}  # the app's data before the change
    return fake_phone


def _policies(phone: FakePhone) -> list[dict[str, Any]]:
    """The policy in each lib/<abi>/libcsrt.config.so of the clone APK the phone has."""
    with zipfile.ZipFile(io.BytesIO(phone.packages[PACKAGE].apk)) as z:
        names = [n for n in z.namelist() if n.endswith("/libcsrt.config.so")]
        assert names
        return [json.loads(z.read(n))["interaction"]["parameters"] for n in names]


def _shown(run_cli: RunCli) -> dict[str, Any]:
    shown = run_cli("identity", "show", CLONE, "--json")
    assert shown.exit_code == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert isinstance(data, dict)
    assert data.pop("schema") == 1  # every JSON object names its schema version
    return data


def test_fake_identity_regen_reinstalls_the_clone_keeping_its_data(
    installed: FakePhone, run_cli: RunCli
) -> None:
    before = _shown(run_cli)
    result = run_cli("identity", "regen", CLONE, "--seed", "11")
    assert result.exit_code == 0, result.stderr
    assert f"{CLONE}: reinstalled {PACKAGE} on fake-0001" in result.stdout
    assert "data kept" in result.stdout
    after = _shown(run_cli)
    assert after != before
    # what `identity show` shows is what the clone on the phone now carries
    assert all(p["identity"] == after for p in _policies(installed))
    assert installed.commands[-2][:4] == ["pm", "install", "-t", "-r"]
    assert installed.packages[PACKAGE].data[0] == {"notes.db"}
    assert installed.files == {}  # nothing left in /data/local/tmp


def test_fake_identity_set_json_says_what_happened(installed: FakePhone, run_cli: RunCli) -> None:
    result = run_cli("identity", "set", CLONE, "imei", "490154203237518", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["imei"] == "490154203237518"
    assert data["on_device"]["reinstalled"] is True
    assert data["on_device"]["device"] == "fake-0001"
    assert all(p["identity"]["imei"] == "490154203237518" for p in _policies(installed))


def test_fake_accounts_reach_the_installed_clone(installed: FakePhone, run_cli: RunCli) -> None:
    added = run_cli("accounts", "add", CLONE, "com.google", "alice@example.com", "--json")
    assert added.exit_code == 0, added.stderr
    assert json.loads(added.stdout)["on_device"]["reinstalled"] is True
    alice = {"type": "com.google", "name": "alice@example.com"}
    assert all(
        [{k: a[k] for k in ("type", "name")} for a in p["accounts"]] == [alice]
        for p in _policies(installed)
    )
    removed = run_cli("accounts", "remove", CLONE, "com.google", "alice@example.com")
    assert removed.exit_code == 0, removed.stderr
    assert "reinstalled" in removed.stdout
    assert all(p["accounts"] == [] for p in _policies(installed))


def test_fake_a_disconnected_phone_is_said_and_push_catches_up(
    installed: FakePhone, run_cli: RunCli, fake_adb: FakeAdbServer
) -> None:
    fake_adb.phones.clear()  # the phone went away
    away = run_cli("identity", "regen", CLONE, "--json")
    assert away.exit_code == 0, away.stderr
    on_device = json.loads(away.stdout)["on_device"]
    assert on_device["reinstalled"] is False
    assert "not connected" in on_device["message"]
    assert f"clone identity push {CLONE}" in on_device["message"]
    fake_adb.phones[installed.serial] = installed
    pushed = run_cli("identity", "push", CLONE)
    assert pushed.exit_code == 0, pushed.stderr
    assert "reinstalled" in pushed.stdout
    assert all(p["identity"] == _shown(run_cli) for p in _policies(installed))


def test_fake_a_clone_signed_with_another_key_is_refused(
    installed: FakePhone, run_cli: RunCli, clone_home: Path
) -> None:
    (clone_home / "keys" / "clones" / SOURCE / "1.pem").unlink()
    result = run_cli("identity", "regen", CLONE)
    assert result.exit_code == 1
    assert "keeps its old policy" in result.stderr
    assert installed.commands[-1][:2] != ["pm", "install"]
