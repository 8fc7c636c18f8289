"""``clone identity show|regen|set`` and ``clone accounts list|add|remove``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clone.registry import Backend, CloneRecord
from clone.space import Space
from clone.workflows.identity import assign_identity, identity_policy
from identity import Identity
from tests.conftest import RunCli


@pytest.fixture
def notes(clone_home: Path) -> str:
    """A registered clone ``notes:1`` with an identity, as a backend would leave it."""
    with Space(home=clone_home) as space:
        reg = space.registry
        with reg.transaction():
            record = reg.add(CloneRecord("notes", 1, Backend.HOST, "notes"))
            assign_identity(reg, record)
    return "notes:1"


def _show(run_cli: RunCli, name: str) -> dict[str, str]:
    result = run_cli("identity", "show", name, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    assert data.pop("schema") == 1  # every JSON object names its schema version
    return data


def test_show_json_has_the_contract_fields(run_cli: RunCli, notes: str) -> None:
    data = _show(run_cli, notes)
    for key in ("android_id", "imei", "imsi", "iccid", "serial", "wifi_mac", "bt_mac",
                "advertising_id", "machine_id", "hostname"):  # fmt: skip
        assert data[key]
    assert Identity.from_dict(data).to_dict() == data


def test_show_text_lists_fields(run_cli: RunCli, notes: str) -> None:
    result = run_cli("identity", "show", notes)
    assert result.exit_code == 0
    data = _show(run_cli, notes)
    assert "imei" in result.stdout and data["imei"] in result.stdout


def test_show_by_package_name(run_cli: RunCli, clone_home: Path) -> None:
    with Space(home=clone_home) as space:
        record = space.registry.add(
            CloneRecord("com.example", 2, Backend.PACKAGE, "com.example", "com.example.clone2")
        )
        assign_identity(space.registry, record, seed=9)
    assert _show(run_cli, "com.example.clone2") == _show(run_cli, "com.example:2")


def test_regen_with_a_seed_reproduces(run_cli: RunCli, notes: str) -> None:
    before = _show(run_cli, notes)
    assert run_cli("identity", "regen", notes, "--seed", "42").exit_code == 0
    first = _show(run_cli, notes)
    assert run_cli("identity", "regen", notes, "--seed", "43").exit_code == 0
    other = _show(run_cli, notes)
    assert run_cli("identity", "regen", notes, "--seed", "42").exit_code == 0
    assert _show(run_cli, notes) == first
    assert first != before and first["imei"] != other["imei"]


def test_regen_without_seed_draws_a_new_one(run_cli: RunCli, notes: str) -> None:
    before = _show(run_cli, notes)
    result = run_cli("identity", "regen", notes, "--json")
    assert result.exit_code == 0
    shown = json.loads(result.stdout)
    assert shown.pop("on_device") == {
        "backend": "host",
        "device": None,
        "reinstalled": False,
        "message": "nothing on a phone: the clone's next run uses it",
    }
    assert shown == {"schema": 1, **_show(run_cli, notes)}
    assert _show(run_cli, notes)["android_id"] != before["android_id"]


def test_set_changes_one_field(run_cli: RunCli, notes: str) -> None:
    before = _show(run_cli, notes)
    result = run_cli("identity", "set", notes, "imei", "490154203237518")
    assert result.exit_code == 0, result.stderr
    after = _show(run_cli, notes)
    assert after == before | {"imei": "490154203237518"}
    assert run_cli("identity", "set", notes, "hostname", "Work-Box").exit_code == 0
    assert _show(run_cli, notes)["hostname"] == "work-box"


def test_set_profile(run_cli: RunCli, notes: str) -> None:
    result = run_cli("identity", "set", notes, "profile", "pixel_6")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"{notes}: profile = Pixel 6"
    data = _show(run_cli, notes)
    assert (data["model"], data["device"]) == ("Pixel 6", "oriole")
    bad = run_cli("identity", "set", notes, "profile", "nokia")
    assert bad.exit_code == 2 and "unknown device profile 'nokia'" in bad.stderr
    assert _show(run_cli, notes) == data


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("imei", "490154203237519", "bad IMEI '490154203237519': Luhn check digit should be 8"),
        ("imei", "12345", "bad IMEI '12345': must have 15 digits, not 5"),
        ("wifi_mac", "01:00:5e:00:00:01", "bad MAC address '01:00:5e:00:00:01': is multicast"),
        ("bt_mac", "00:1a:7d:da:71:13", "is not locally administered"),
        ("colour", "red", "unknown identity field 'colour'"),
        ("sim_operator", "310260", "sim_operator follows the IMSI"),
        ("machine_id", "0" * 32, "must not be all zero"),
    ],
)
def test_set_bad_input_changes_nothing(
    run_cli: RunCli, notes: str, field: str, value: str, message: str
) -> None:
    before = _show(run_cli, notes)
    result = run_cli("identity", "set", notes, field, value)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("clone: error: ")
    assert message in lines[0]
    assert _show(run_cli, notes) == before


@pytest.mark.parametrize("command", [["show"], ["regen"], ["set", "imei", "490154203237518"]])
def test_unknown_clone_is_exit_2(run_cli: RunCli, notes: str, command: list[str]) -> None:
    before = _show(run_cli, notes)
    result = run_cli("identity", command[0], "ghost:1", *command[1:])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "clone: error: no clone named 'ghost:1'; 'clone list' shows the clones"
    ]
    assert _show(run_cli, notes) == before


def test_bad_seed_is_a_usage_error(run_cli: RunCli, notes: str) -> None:
    result = run_cli("identity", "regen", notes, "--seed", "x")
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1


def test_a_clone_without_identity_gets_one(run_cli: RunCli, clone_home: Path) -> None:
    with Space(home=clone_home) as space:
        space.registry.add(CloneRecord("old", 1, Backend.HOST, "old"))
    data = _show(run_cli, "old:1")
    assert _show(run_cli, "old:1") == data


def test_accounts_add_list_remove(run_cli: RunCli, notes: str, clone_home: Path) -> None:
    assert run_cli("accounts", "list", notes, "--json").stdout.strip() == "[]"
    assert run_cli("accounts", "add", notes, "com.google", "alice@example.com").exit_code == 0
    assert run_cli("accounts", "add", notes, "org.telegram", "+15551234567").exit_code == 0
    listed = json.loads(run_cli("accounts", "list", notes, "--json").stdout)
    assert listed == [
        {"schema": 1, "type": "com.google", "name": "alice@example.com"},
        {"schema": 1, "type": "org.telegram", "name": "+15551234567"},
    ]
    text = run_cli("accounts", "list", notes).stdout
    assert text.splitlines() == ["com.google\talice@example.com", "org.telegram\t+15551234567"]
    with Space(home=clone_home) as space:
        policy_accounts = identity_policy(space.registry, notes)["accounts"]
        assert [{"schema": 1, **a} for a in policy_accounts] == listed
    assert run_cli("accounts", "remove", notes, "com.google", "alice@example.com").exit_code == 0
    listed = json.loads(run_cli("accounts", "list", notes, "--json").stdout)
    assert listed == [{"schema": 1, "type": "org.telegram", "name": "+15551234567"}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "notes:1", "com google", "a"], "bad account type 'com google'"),
        (["add", "notes:1", "com.google", ""], "bad account name ''"),
        (["remove", "notes:1", "com.google", "nobody"], "has no com.google account 'nobody'"),
        (["list", "ghost:1"], "no clone named 'ghost:1'"),
        (["add", "ghost:1", "com.google", "a"], "no clone named 'ghost:1'"),
    ],
)
def test_accounts_bad_input(run_cli: RunCli, notes: str, args: list[str], message: str) -> None:
    result = run_cli("accounts", *args)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr
    assert run_cli("accounts", "list", notes).stdout == ""


def test_duplicate_account_is_exit_2(run_cli: RunCli, notes: str) -> None:
    assert run_cli("accounts", "add", notes, "com.google", "a@b.c").exit_code == 0
    result = run_cli("accounts", "add", notes, "com.google", "a@b.c")
    assert result.exit_code == 2 and "already has" in result.stderr


def test_space_identity_api(clone_home: Path, notes: str) -> None:
    with Space(home=clone_home) as space:
        record = space.record(notes)
        first = space.regen_identity(record, seed=5)
        assert space.identity(notes) == first == space.regen_identity(notes, seed=5)
        assert space.identity(record).android_id == first.android_id


def test_set_help_names_every_profile(run_cli: RunCli) -> None:
    from identity.profiles import PROFILES

    text = " ".join(run_cli("identity", "set", "--help").stdout.split())
    assert all(p.key in text for p in PROFILES)
