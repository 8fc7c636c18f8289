"""``clone export`` / ``clone import`` of clones installed on a FAKE phone.

Another CLONE_HOME (standing for another machine) imports the clones and takes over
managing them. The phone is the Python stand-in of fake_adb.py, so these tests show the
CLI's bookkeeping (what travels, that import does not touch the phone, that the new home
then drives the same installed clone), not Android's behaviour.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from clone.state import UserState
from tests.apk.signing.apksigner import verify
from tests.clone.transfer_helpers import clone_in, ok, records, registry_rows
from tests.conftest import RunCli
from tests.device.fake_adb import FakeAdbServer, FakePhone

SOURCE = "com.github.uiautomator"
IMEI = "490154203237518"


def test_fake_another_home_takes_over_a_phones_clone(
    fake_adb: FakeAdbServer,
    fake_phone: FakePhone,
    run_cli: RunCli,
    clone_home: Path,
    uiautomator_apk: Path,
    tmp_path: Path,
) -> None:
    ok(run_cli("install", uiautomator_apk, "--count", "2", "--hooks", "none"))
    name = f"{SOURCE}:2"
    ok(run_cli("accounts", "add", name, "com.google", "alice@example.com"))
    ok(run_cli("identity", "set", name, "imei", IMEI))
    archive = tmp_path / "phone.clone"

    exported = ok(run_cli("export", name, archive, "--json"))
    (warning,) = exported.stderr.strip().splitlines()
    assert warning.startswith(f"clone: warning: {name} is a package clone: its app data lives")
    assert "(device fake-0001) and is not in the archive" in warning
    assert json.loads(exported.stdout)["app_data_included"] is False

    other = tmp_path / "other-machine"
    talked = len(fake_phone.commands)
    imported = ok(clone_in(other, "import", archive, "--json"))
    assert len(fake_phone.commands) == talked  # the import did not contact the phone
    result = json.loads(imported.stdout)
    assert (result["name"], result["package"], result["device"]) == (
        name, f"{SOURCE}.clone2", "fake-0001",
    )  # fmt: skip
    for args in (("identity", "show", name, "--json"), ("accounts", "list", name, "--json")):
        assert clone_in(other, *args).stdout == run_cli(*args).stdout
    mine, theirs = registry_rows(clone_home, ids=False), registry_rows(other, ids=False)
    assert mine is not None and theirs is not None
    assert theirs[0] == [row for row in mine[0] if row[:2] == (SOURCE, 2)]

    # the new home drives the very clone installed on the phone
    assert ok(clone_in(other, "launch", name))
    (listed,) = json.loads(ok(clone_in(other, "list", "--json")).stdout)
    assert (listed["name"], listed["state"]) == (name, "running")
    ok(clone_in(other, "remove", "--yes", name))
    assert set(fake_phone.packages) == {f"{SOURCE}.clone1"}

    again = clone_in(clone_home, "import", archive)  # the first home still has it
    assert again.exit_code == 2
    assert f"already registered here as {name}" in again.stderr


def test_fake_a_user_clone_moves_to_another_number(
    fake_adb: FakeAdbServer,
    fake_phone: FakePhone,
    run_cli: RunCli,
    clone_home: Path,
    uiautomator_apk: Path,
    tmp_path: Path,
) -> None:
    ok(run_cli("install", uiautomator_apk, "--backend", "user", "--hooks", "none"))
    (record,) = records(clone_home)
    ok(run_cli("export", record.name, tmp_path / "u.clone"))

    other = tmp_path / "other-machine"  # it made a user clone of its own on the phone
    ok(clone_in(other, "install", uiautomator_apk, "--backend", "user", "--hooks", "none"))
    taken = clone_in(other, "import", tmp_path / "u.clone")
    assert taken.exit_code == 2 and f"--as {SOURCE}:2" in taken.stderr
    ok(clone_in(other, "import", tmp_path / "u.clone", "--as", f"{SOURCE}:2"))
    moved = next(r for r in records(other) if r.index == 2)
    assert moved.state == record.state and moved.device == record.device

    ok(clone_in(other, "launch", f"{SOURCE}:2"))  # runs the imported clone's Android user
    assert isinstance(record.state, UserState)
    user = str(record.state.user)
    assert ["am", "switch-user", user] in fake_phone.commands  # a full user: on screen
    assert fake_phone.pid_of(SOURCE, int(user)) is not None


def _certificate(apk: Path) -> str:
    """The signer's certificate digest, as ``apksigner verify --print-certs`` prints it."""
    verdict = verify(apk)
    assert verdict.verifies, verdict.output
    (digest,) = re.findall(r"^Signer #1 certificate SHA-256 digest: (\w+)$", verdict.output, re.M)
    return str(digest)


def _build_clone_1(home: Path, apk: Path, out: Path) -> str:
    ok(clone_in(home, "build", apk, "-n", "1", "--hooks", "none", "--out", out))
    return _certificate(out / f"{SOURCE}.clone1.apk")


def test_fake_a_package_clones_signing_key_travels_with_it(
    fake_adb: FakeAdbServer,
    fake_phone: FakePhone,
    run_cli: RunCli,
    clone_home: Path,
    uiautomator_apk: Path,
    tmp_path: Path,
) -> None:
    """The home that imports a package clone builds its updates with the certificate the
    phone knows (else ``adb install -r`` refuses them)."""
    ok(run_cli("install", uiautomator_apk, "--hooks", "none"))
    installed = _build_clone_1(clone_home, uiautomator_apk, tmp_path / "here")
    archive = tmp_path / "c1.clone"
    exported = json.loads(ok(run_cli("export", f"{SOURCE}:1", archive, "--json")).stdout)
    assert exported["signing_key_included"] is True

    other = tmp_path / "other-machine"
    imported = json.loads(ok(clone_in(other, "import", archive, "--json")).stdout)
    key = other / "keys" / "clones" / SOURCE / "1.pem"
    assert imported["signing_key"] == str(key)
    assert key.read_bytes() == (clone_home / "keys" / "clones" / SOURCE / "1.pem").read_bytes()
    assert key.stat().st_mode & 0o777 == 0o600
    assert _build_clone_1(other, uiautomator_apk, tmp_path / "there") == installed

    stranger = tmp_path / "stranger"  # a home that never saw the clone: its own key
    assert _build_clone_1(stranger, uiautomator_apk, tmp_path / "elsewhere") != installed


def test_fake_another_key_already_kept_refuses_the_import(
    fake_adb: FakeAdbServer,
    fake_phone: FakePhone,
    run_cli: RunCli,
    clone_home: Path,
    uiautomator_apk: Path,
    tmp_path: Path,
) -> None:
    ok(run_cli("install", uiautomator_apk, "--hooks", "none"))
    archive = tmp_path / "c1.clone"
    ok(run_cli("export", f"{SOURCE}:1", archive))
    other = tmp_path / "other-machine"
    ok(clone_in(other, "build", uiautomator_apk, "--hooks", "none", "--out", tmp_path / "o"))
    key = other / "keys" / "clones" / SOURCE / "1.pem"
    theirs = key.read_bytes()
    before = registry_rows(other)

    refused = clone_in(other, "import", archive)
    assert refused.exit_code == 2
    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith(f"clone: error: {key} holds another signing key than the one")
    assert "move it away" in line and "another CLONE_HOME" in line
    assert key.read_bytes() == theirs
    assert registry_rows(other) == before
