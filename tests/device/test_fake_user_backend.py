"""The user backend against a FAKE adb server (see fake_adb.py; no device behind it)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import RunCli
from tests.device.fake_adb import FakeAdbServer, FakePhone

PACKAGE = "com.github.uiautomator"


def test_fake_user_backend_install_launch_remove(
    fake_adb: FakeAdbServer, fake_phone: FakePhone, run_cli: RunCli, uiautomator_apk: Path
) -> None:
    result = run_cli("install", uiautomator_apk, "--count", "2", "--backend", "user", "--json")
    assert result.exit_code == 0, result.stderr
    clones = json.loads(result.stdout)
    assert [(c["name"], c["backend"]) for c in clones] == [
        (f"{PACKAGE}:1", "user"),
        (f"{PACKAGE}:2", "user"),
    ]
    assert sorted(fake_phone.users) == [0, 10, 11]
    assert fake_phone.packages[PACKAGE].users == {0, 10, 11}

    for c in clones:
        assert run_cli("launch", c["name"]).exit_code == 0
    assert fake_phone.pid_of(PACKAGE, 10) and fake_phone.pid_of(PACKAGE, 11)
    started = [c for c in fake_phone.commands if c[:2] == ["am", "start"]]
    assert [c[3:5] for c in started] == [["--user", "10"], ["--user", "11"]]
    listed = json.loads(run_cli("list", "--json").stdout)
    assert [c["state"] for c in listed] == ["running", "running"]

    assert run_cli("wipe", "--yes", f"{PACKAGE}:1").exit_code == 0
    assert fake_phone.packages[PACKAGE].data[10] == set()
    assert fake_phone.packages[PACKAGE].data[11] == {"started"}

    for c in clones:
        assert run_cli("remove", "--yes", c["name"]).exit_code == 0, c
    assert sorted(fake_phone.users) == [0]
    assert PACKAGE not in fake_phone.packages  # we installed it, so the last remove uninstalls


def test_fake_user_limit_is_reported_and_nothing_changes(
    fake_adb: FakeAdbServer, fake_phone: FakePhone, run_cli: RunCli, uiautomator_apk: Path
) -> None:
    fake_phone.max_users = 2
    result = run_cli("install", uiautomator_apk, "--count", "3", "--backend", "user")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "allows 2 users and has 1; 3 more do not fit" in lines[0]
    assert "--count 1" in lines[0]
    assert sorted(fake_phone.users) == [0]
    assert fake_phone.packages == {}
    assert json.loads(run_cli("list", "--json").stdout) == []


def test_fake_user_backend_undoes_on_failure(
    fake_adb: FakeAdbServer, fake_phone: FakePhone, run_cli: RunCli, uiautomator_apk: Path
) -> None:
    fake_phone.refuse_create_user_after = 1  # the 2nd pm create-user fails
    result = run_cli("install", uiautomator_apk, "--count", "2", "--backend", "user")
    assert result.exit_code == 1
    assert "pm create-user" in result.stderr
    assert sorted(fake_phone.users) == [0]
    assert fake_phone.packages == {}
    assert json.loads(run_cli("list", "--json").stdout) == []


def test_fake_user_clones_of_two_installs_remove_the_app_with_the_last(
    fake_adb: FakeAdbServer, fake_phone: FakePhone, run_cli: RunCli, uiautomator_apk: Path
) -> None:
    for _ in range(2):
        assert run_cli("install", uiautomator_apk, "--backend", "user").exit_code == 0
    assert run_cli("remove", "--yes", f"{PACKAGE}:1").exit_code == 0
    assert PACKAGE in fake_phone.packages  # clone 2 still uses it
    assert run_cli("remove", "--yes", f"{PACKAGE}:2").exit_code == 0
    assert PACKAGE not in fake_phone.packages
    assert sorted(fake_phone.users) == [0]


def test_fake_user_backend_seeded_identities_repeat(
    fake_adb: FakeAdbServer, fake_phone: FakePhone, run_cli: RunCli, uiautomator_apk: Path
) -> None:
    def install_seeded() -> list[str]:
        args = ("--count", "2", "--backend", "user", "--seed", "42", "--json")
        result = run_cli("install", uiautomator_apk, *args)
        assert result.exit_code == 0, result.stderr
        names = [c["name"] for c in json.loads(result.stdout)]
        ids = [json.loads(run_cli("identity", "show", n, "--json").stdout) for n in names]
        for name in names:
            assert run_cli("remove", "--yes", name).exit_code == 0
        return [i["imei"] for i in ids]

    first = install_seeded()
    assert len(set(first)) == 2
    assert install_seeded() == first


def test_fake_launch_switches_the_screen_to_a_full_user_and_says_so(
    fake_adb: FakeAdbServer, fake_phone: FakePhone, run_cli: RunCli, uiautomator_apk: Path
) -> None:
    """A full user started in the background shows nothing: launch switches to it."""
    assert run_cli("install", uiautomator_apk, "--backend", "user").exit_code == 0
    assert fake_phone.profiles == set()  # the fake adds no profile: a full user
    result = run_cli("launch", f"{PACKAGE}:1")
    assert result.exit_code == 0, result.stderr
    assert fake_phone.current_user == 10
    assert ["am", "switch-user", "10"] in fake_phone.commands
    assert "switched the screen from user 0 to user 10" in result.stdout
    assert "am switch-user 0" in result.stdout  # how to get back
    again = json.loads(run_cli("launch", f"{PACKAGE}:1", "--json").stdout)
    assert again["launched"]["how"] == "on-screen"


def test_fake_a_managed_profile_is_shown_beside_the_owner(
    fake_adb: FakeAdbServer, fake_phone: FakePhone, run_cli: RunCli, uiautomator_apk: Path
) -> None:
    """Where the device adds a managed profile, clone 1 lives in it and launches beside the
    owner (no switch); clone 2, for which no profile is left, is a full user."""
    fake_phone.max_profiles = 1
    result = run_cli("install", uiautomator_apk, "--count", "2", "--backend", "user")
    assert result.exit_code == 0, result.stderr
    assert fake_phone.profiles == {10}
    assert sorted(fake_phone.users) == [0, 10, 11]
    launched = json.loads(run_cli("launch", f"{PACKAGE}:1", "--json").stdout)
    assert launched["launched"]["how"] == "profile"
    assert "beside its owner" in launched["launched"]["text"]
    assert fake_phone.current_user == 0
    assert not any(c[:2] == ["am", "switch-user"] for c in fake_phone.commands)
    assert fake_phone.pid_of(PACKAGE, 10)
    second = json.loads(run_cli("launch", f"{PACKAGE}:2", "--json").stdout)
    assert second["launched"]["how"] == "switched"
    assert fake_phone.current_user == 11
    for n in (1, 2):
        assert run_cli("remove", f"{PACKAGE}:{n}", "--yes").exit_code == 0
    assert sorted(fake_phone.users) == [0]
