"""One CLI grammar (issue 14): readable bare help, did-you-mean, JSON errors with a schema,
a line for every action, confirmations for destructive ones, one table style."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clone.space import Space
from tests.conftest import RunCli
from tests.realapks import UIAUTOMATOR, real_apk


@pytest.fixture
def notes(clone_home: Path, tmp_path: Path) -> str:
    """A registered host clone, notes:1 (registering runs nothing)."""
    data = tmp_path / "notes-data"
    data.mkdir()
    with Space(home=clone_home) as space:
        return space.host_clone("notes", 1, data=[data]).name


def _error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("clone: error: "), stderr
    return lines[0]


def _json_error(result: Any) -> dict[str, Any]:
    assert result.stderr == ""
    doc = json.loads(result.stdout)
    assert doc["schema"] == 1
    assert set(doc["error"]) == {"code", "message", "hint"}
    error: dict[str, Any] = doc["error"]
    return error


def test_bare_clone_prints_readable_help(run_cli: RunCli) -> None:
    result = run_cli()
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: ")
    assert "Commands:" in result.stdout and len(result.stdout.splitlines()) > 10
    assert result.stderr == ""


def test_bare_group_prints_its_help(run_cli: RunCli) -> None:
    result = run_cli("accounts")
    assert result.exit_code == 0
    assert "Commands:" in result.stdout and "add" in result.stdout


@pytest.mark.parametrize(
    ("args", "guess"),
    [(["lsit"], "'list'"), (["identity", "shwo", "x:1"], "'show'"), (["host", "rnu"], "'run'")],
)
def test_unknown_commands_get_a_did_you_mean(run_cli: RunCli, args: list[str], guess: str) -> None:
    result = run_cli(*args)
    assert result.exit_code == 2
    line = _error_line(result.stderr)
    assert f"no such command '{args[-2] if len(args) == 3 else args[-1]}'" in line
    assert f"did you mean {guess}" in line


def test_a_misspelt_clone_name_gets_a_did_you_mean(run_cli: RunCli, notes: str) -> None:
    result = run_cli("launch", "notse:1")
    assert result.exit_code == 2
    assert _error_line(result.stderr) == (
        "clone: error: no clone named 'notse:1'; did you mean 'notes:1'?"
    )


def test_an_app_name_alone_is_told_the_app_n_form(run_cli: RunCli, notes: str) -> None:
    result = run_cli("launch", "notes")
    assert result.exit_code == 2
    line = _error_line(result.stderr)
    assert "no clone named 'notes'" in line
    assert "a clone is named APP:N, e.g. notes:1" in line


def test_errors_are_json_on_stdout_with_json(run_cli: RunCli, notes: str) -> None:
    result = run_cli("launch", "notse:1", "--json")
    assert result.exit_code == 2
    assert _json_error(result) == {
        "code": "not_found",
        "message": "no clone named 'notse:1'",
        "hint": "did you mean 'notes:1'?",
    }
    unsupported = run_cli("launch", notes, "--json")  # a host clone cannot be launched
    assert unsupported.exit_code == 2
    assert _json_error(unsupported)["code"] == "not_supported"


def test_usage_errors_are_json_too(run_cli: RunCli) -> None:
    result = run_cli("lsit", "--json")
    assert result.exit_code == 2
    error = _json_error(result)
    assert error["code"] == "usage"
    assert "did you mean 'list'" in error["message"]
    assert "--help" in error["hint"]


@pytest.mark.parametrize(
    "args",
    [
        ["launch", "x:1"], ["stop", "x:1"], ["wipe", "x:1"], ["remove", "x:1"],
        ["accounts", "add", "x:1", "com.google", "a"], ["accounts", "remove", "x:1", "t", "a"],
        ["list"], ["devices"], ["doctor"], ["build", "a.apk"], ["install", "a.apk"],
        ["export", "x:1", "f"], ["import", "f"], ["identity", "show", "x:1"], ["demo"],
        ["host", "run", "--app", "a", "--clone", "1", "--data", "/d", "--", "true"],
    ],
)  # fmt: skip
def test_every_command_takes_json(run_cli: RunCli, args: list[str]) -> None:
    cut = args.index("--") if "--" in args else len(args)
    result = run_cli(*args[:cut], "--help")
    assert result.exit_code == 0
    assert "--json" in result.stdout


def test_wipe_needs_yes_without_a_terminal(run_cli: RunCli, notes: str) -> None:
    result = run_cli("wipe", notes)
    assert result.exit_code == 2
    line = _error_line(result.stderr)
    assert "needs confirmation" in line and "pass --yes to wipe notes:1" in line
    as_json = run_cli("remove", notes, "--json")
    assert as_json.exit_code == 2
    assert "--yes" in _json_error(as_json)["hint"]
    assert run_cli("list", "--json").stdout.count('"notes:1"') == 1  # nothing was removed


def test_wipe_and_remove_say_what_they_did(run_cli: RunCli, notes: str) -> None:
    wiped = run_cli("wipe", notes, "--yes")
    assert wiped.exit_code == 0, wiped.stderr
    assert wiped.stdout.startswith("wiped notes:1")
    removed = run_cli("remove", notes, "-y", "--json")
    assert removed.exit_code == 0, removed.stderr
    doc = json.loads(removed.stdout)
    assert doc["schema"] == 1 and doc["action"] == "removed"
    assert doc["clone"]["name"] == "notes:1"
    assert json.loads(run_cli("list", "--json").stdout) == []


def test_wipe_asks_on_a_terminal(
    run_cli: RunCli, notes: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("clone.cli.device.interactive", lambda: True)
    declined = run_cli("remove", notes, input="n\n")
    assert declined.exit_code == 1
    assert "remove notes:1?" in declined.stderr
    assert "nothing changed" in declined.stderr
    assert run_cli("list", "--json").stdout.count('"notes:1"') == 1
    accepted = run_cli("remove", notes, input="y\n")
    assert accepted.exit_code == 0, accepted.stderr
    assert accepted.stdout.startswith("removed notes:1")


def test_accounts_add_says_what_it_did(run_cli: RunCli, notes: str) -> None:
    result = run_cli("accounts", "add", notes, "com.google", "alice@example.com")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "added the com.google account alice@example.com to notes:1\n"
    as_json = run_cli("accounts", "add", notes, "com.google", "bob@example.com", "--json")
    doc = json.loads(as_json.stdout)
    assert doc.pop("on_device")["reinstalled"] is False  # a host clone: nothing on a phone
    assert doc == {
        "schema": 1,
        "action": "added",
        "clone": "notes:1",
        "account": {"type": "com.google", "name": "bob@example.com"},
    }


def test_list_is_a_table_with_a_header(run_cli: RunCli, notes: str) -> None:
    result = run_cli("list")
    assert result.exit_code == 0
    header, row = result.stdout.splitlines()
    assert header.split() == ["CLONE", "BACKEND", "PACKAGE", "DEVICE", "STATE", "PIDS"]
    assert row.split()[:2] == ["notes:1", "host"]


def test_build_refuses_to_overwrite_without_force(run_cli: RunCli, tmp_path: Path) -> None:
    apk, out = real_apk(UIAUTOMATOR), tmp_path / "dist"
    first = run_cli("build", apk, "--out", out, "--hooks", "none")
    assert first.exit_code == 0, first.stderr
    again = run_cli("build", apk, "--out", out, "--hooks", "none")
    assert again.exit_code == 2
    line = _error_line(again.stderr)
    assert "com.github.uiautomator.clone1.apk exists" in line and "--force" in line
    forced = run_cli("build", apk, "--out", out, "--hooks", "none", "--force")
    assert forced.exit_code == 0, forced.stderr


def test_build_and_install_count_alike(run_cli: RunCli) -> None:
    for command in ("build", "install"):
        shown = run_cli(command, "--help").stdout
        assert "-n, --count INTEGER" in shown
        assert "[default: 1]" in " ".join(shown.split())


def test_a_missing_apk_reads_the_same_for_build_and_install(
    run_cli: RunCli, tmp_path: Path
) -> None:
    missing = tmp_path / "nope.apk"
    lines = {_error_line(run_cli(cmd, missing).stderr) for cmd in ("build", "install")}
    assert lines == {
        f"clone: error: no APK at {missing}; "
        "pass an .apk file, an .apks/.xapk, or a directory of split APKs"
    }


def test_host_run_json_reports_the_exit_status(
    run_cli: RunCli, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "d"
    data.mkdir()
    result = run_cli(
        "host", "run", "--app", "a", "--clone", "1", "--data", data, "--json", "--", "sh", "-c",
        "exit 3",
    )  # fmt: skip
    assert result.exit_code == 3, result.stderr
    assert json.loads(result.stdout) == {"schema": 1, "clone": "a:1", "exit_status": 3}


def test_clone_names_complete_in_the_shell(
    run_cli: RunCli, notes: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("_CLONE_COMPLETE", "bash_complete")
    monkeypatch.setenv("COMP_WORDS", "clone launch no")
    monkeypatch.setenv("COMP_CWORD", "2")
    result = run_cli()
    assert result.exit_code == 0
    assert result.stdout.split() == ["plain,notes:1"]
    monkeypatch.setenv("COMP_WORDS", "clone identity show x")
    monkeypatch.setenv("COMP_CWORD", "3")
    assert run_cli().stdout.split() == []


def test_a_known_app_with_an_unknown_number_is_not_given_another_clone(
    run_cli: RunCli, notes: str
) -> None:
    result = run_cli("launch", "notes:2")  # notes:1 exists: suggesting it would mislead
    assert _error_line(result.stderr) == (
        "clone: error: no clone named 'notes:2'; 'clone list' shows the clones"
    )


def test_host_run_bad_input_points_at_its_help(run_cli: RunCli) -> None:
    result = run_cli("host", "run", "--app", "a", "--clone", "1", "--data", "rel", "--", "true")
    assert result.exit_code == 2
    assert _error_line(result.stderr).endswith("; see 'clone host run --help'")
