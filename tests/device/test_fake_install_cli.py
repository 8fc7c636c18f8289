"""``clone install`` end to end (real build pipeline) against a FAKE adb server.

The clone APKs are really built (renamed, re-signed); the device is the Python stand-in of
fake_adb.py, so these tests show the CLI's bookkeeping, not Android's behaviour.
"""

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


def test_fake_install_two_clones_then_remove(
    fake_adb: FakeAdbServer, fake_phone: FakePhone, run_cli: RunCli, uiautomator_apk: Path
) -> None:
    result = run_cli("install", uiautomator_apk, "--count", "2", "--hooks", "none", "--json")
    assert result.exit_code == 0, result.stderr
    clones = json.loads(result.stdout)
    assert [(c["name"], c["package"], c["device"]) for c in clones] == [
        (f"{SOURCE}:1", f"{SOURCE}.clone1", "fake-0001"),
        (f"{SOURCE}:2", f"{SOURCE}.clone2", "fake-0001"),
    ]
    # aapt (real) read the pushed clone APKs: the device got the renamed packages
    assert set(fake_phone.packages) == {f"{SOURCE}.clone1", f"{SOURCE}.clone2"}
    assert fake_phone.files == {}  # the pushed APKs were deleted again

    assert run_cli("launch", f"{SOURCE}:2").exit_code == 0
    listed = {c["name"]: c["state"] for c in json.loads(run_cli("list", "--json").stdout)}
    assert listed == {f"{SOURCE}:1": "installed", f"{SOURCE}:2": "running"}
    # the launcher came from the build record (our manifest reader), not resolve-activity
    assert not any(c[:3] == ["cmd", "package", "resolve-activity"] for c in fake_phone.commands)

    again = run_cli("install", uiautomator_apk, "--hooks", "none", "--json")  # next index is 3
    assert [c["index"] for c in json.loads(again.stdout)] == [3]

    for n in (1, 2, 3):
        assert run_cli("remove", "--yes", f"{SOURCE}:{n}").exit_code == 0
    assert fake_phone.packages == {}
    assert json.loads(run_cli("list", "--json").stdout) == []


def test_fake_refused_second_clone_undoes_the_first(
    fake_adb: FakeAdbServer, fake_phone: FakePhone, run_cli: RunCli, uiautomator_apk: Path
) -> None:
    fake_phone.refuse_nth_install[2] = (
        "INSTALL_FAILED_UPDATE_INCOMPATIBLE: Package signatures do not match"
    )
    result = run_cli("install", uiautomator_apk, "--count", "2", "--hooks", "none")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        f"clone: error: installing {SOURCE}.clone2 failed: INSTALL_FAILED_UPDATE_INCOMPATIBLE"
    )
    assert "'clone remove' that clone" in lines[0]
    assert ["pm", "uninstall", f"{SOURCE}.clone1"] in fake_phone.commands
    assert fake_phone.packages == {}
    assert json.loads(run_cli("list", "--json").stdout) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--count", "0"), "bad --count 0"),
        (("--frida-server", "/nonexistent"), "--frida-server is only for --backend virtual"),
        (("--backend", "virtual", "--frida-server", "/nonexistent"), "no frida-server file"),
    ],
)
def test_fake_bad_install_options_change_nothing(
    fake_adb: FakeAdbServer,
    fake_phone: FakePhone,
    run_cli: RunCli,
    uiautomator_apk: Path,
    args: tuple[str, ...],
    message: str,
) -> None:
    result = run_cli("install", uiautomator_apk, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert fake_phone.commands == []


def test_missing_apk_is_bad_input(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("install", tmp_path / "nope.apk")
    assert result.exit_code == 2
    assert "no APK at" in result.stderr


def test_fake_default_hooks_without_gadget_change_nothing(
    fake_adb: FakeAdbServer,
    fake_phone: FakePhone,
    run_cli: RunCli,
    uiautomator_apk: Path,
    tmp_path: Path,
) -> None:
    """The package backend embeds the Gadget by default; with none at hand: one line, no
    change on the device."""
    empty = tmp_path / "gadgets"
    empty.mkdir()
    result = run_cli("install", uiautomator_apk, "--gadget-dir", empty)
    assert result.exit_code in (1, 2)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "gadget" in result.stderr.lower()
    assert not [c for c in fake_phone.commands if c[0] in ("pm", "am", "rm")]
    assert fake_phone.packages == {}
    assert json.loads(run_cli("list", "--json").stdout) == []


@pytest.fixture(scope="module")
def standin_gadgets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Stand-ins for the Gadgets (real ELF objects, NOT Gadgets; see hooks/payload/standins)."""
    from hooks.payload.gadget import installed_frida_version
    from tests.hooks.payload.standins import make_gadget_dir

    root = tmp_path_factory.mktemp("gadgets")
    return make_gadget_dir(root / "gadgets", installed_frida_version())


def _embedded_policy(apk: bytes, abi: str) -> dict[str, object]:
    with zipfile.ZipFile(io.BytesIO(apk)) as z:
        config = json.loads(z.read(f"lib/{abi}/libcsrt.config.so"))
    parameters = config["interaction"]["parameters"]
    assert isinstance(parameters, dict)
    return parameters


def test_fake_hooked_clones_carry_the_identity_they_are_registered_with(
    fake_adb: FakeAdbServer,
    fake_phone: FakePhone,
    run_cli: RunCli,
    uiautomator_apk: Path,
    standin_gadgets: Path,
) -> None:
    """The identity inside each installed clone APK's Gadget config (what the agent answers
    with on the phone) is the one the registry shows for that clone."""
    result = run_cli(
        "install", uiautomator_apk, "--count", "2", "--gadget-dir", standin_gadgets, "--json"
    )
    assert result.exit_code == 0, result.stderr
    clones = json.loads(result.stdout)
    assert [c["hooks"]["mode"] for c in clones] == ["gadget", "gadget"]
    seen = []
    for clone in clones:
        apk = fake_phone.packages[clone["package"]].apk
        shown = run_cli("identity", "show", clone["name"], "--json")
        assert shown.exit_code == 0, shown.stderr
        registered = json.loads(shown.stdout)
        assert registered.pop("schema") == 1
        for abi in clone["hooks"]["abis"]:  # the fake phone's x86_64 and x86
            policy = _embedded_policy(apk, abi)
            assert policy["clone"] == clone["name"]
            assert policy["identity"] == registered
        seen.append(registered["android_id"])
    assert len(set(seen)) == 2  # each clone its own device


def test_fake_install_warnings_are_one_line_each_on_stderr(
    fake_adb: FakeAdbServer,
    fake_phone: FakePhone,
    run_cli: RunCli,
    uiautomator_apk: Path,
    standin_gadgets: Path,
) -> None:
    """uiautomator's minSdk is 19; the hooked clone needs API 21: a warning, not an error."""
    result = run_cli("install", uiautomator_apk, "--gadget-dir", standin_gadgets)
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("clone: warning: ") for line in lines), lines
    assert any("supports API 19" in line for line in lines)
    assert result.stdout.split() == [
        *("CLONE", "BACKEND", "PACKAGE", "DEVICE"),
        *(f"{SOURCE}:1", "package", f"{SOURCE}.clone1", "fake-0001"),
    ]


def test_fake_no_gadget_at_hand_is_one_line_naming_both_ways_out(
    fake_adb: FakeAdbServer,
    fake_phone: FakePhone,
    run_cli: RunCli,
    uiautomator_apk: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No --gadget-dir, an empty cache, and the download unreachable (a closed local port)."""
    monkeypatch.setenv("CLONE_GADGET_URL", "http://127.0.0.1:9/releases")
    result = run_cli("install", uiautomator_apk)
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("clone: error: no Frida Gadget ")
    assert "--gadget-dir DIR holding frida-gadget-" in line  # the fake phone: x86, x86_64
    assert "-android-x86.so" in line and "-android-x86_64.so" in line
    assert line.endswith("--hooks none")
    assert not [c for c in fake_phone.commands if c[0] in ("pm", "am", "rm")]
    assert json.loads(run_cli("list", "--json").stdout) == []


def test_fake_seeded_install_gives_each_clone_number_the_same_identity_again(
    fake_adb: FakeAdbServer,
    fake_phone: FakePhone,
    run_cli: RunCli,
    uiautomator_apk: Path,
    standin_gadgets: Path,
) -> None:
    """QA runs reproduce their phones: install, remove, install again with the same --seed,
    and clone n answers with the identity it had, both in the registry and in its APK."""

    def install_seeded(seed: str) -> list[dict[str, Any]]:
        args = ("--count", "2", "--gadget-dir", standin_gadgets, "--seed", seed, "--json")
        result = run_cli("install", uiautomator_apk, *args)
        assert result.exit_code == 0, result.stderr
        shown = []
        for clone in json.loads(result.stdout):
            registered = json.loads(run_cli("identity", "show", clone["name"], "--json").stdout)
            assert registered.pop("schema") == 1
            apk = fake_phone.packages[clone["package"]].apk
            assert _embedded_policy(apk, clone["hooks"]["abis"][0])["identity"] == registered
            shown.append(registered)
            assert run_cli("remove", "--yes", clone["name"]).exit_code == 0
        return shown

    first = install_seeded("7")
    assert first[0]["android_id"] != first[1]["android_id"]
    assert install_seeded("7") == first
    assert [i["android_id"] for i in install_seeded("8")] != [i["android_id"] for i in first]


def test_fake_bad_seed_is_bad_input(
    fake_adb: FakeAdbServer, fake_phone: FakePhone, run_cli: RunCli, uiautomator_apk: Path
) -> None:
    result = run_cli("install", uiautomator_apk, "--hooks", "none", "--seed", "-1")
    assert result.exit_code == 2
    assert fake_phone.packages == {}
