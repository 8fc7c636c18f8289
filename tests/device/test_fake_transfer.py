"""``clone export`` / ``clone import`` of clones installed on a FAKE phone.

Another CLONE_HOME (standing for another machine) imports the clones and takes over
managing them. The phone is the Python stand-in of fake_adb.py, so these tests show the
CLI's bookkeeping (what travels, that import does not touch the phone, that the new home
then drives the same installed clone), not Android's behaviour.
"""

from __future__ import annotations

import json
from pathlib import Path

from clone.state import UserState
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
