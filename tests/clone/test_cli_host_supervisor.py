"""``clone host supervisor``: the shared supervisors of a CLONE_HOME shown as a table or JSON,
and stopped with ``--stop`` (a real supervisor, started by a real run)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from hooks.supervisor.reach import Place, running
from tests.conftest import RunCli
from tests.hooks.programs import host_run
from tests.hooks.supervisor.supervisors import (
    answering,
    kill_supervisors,
    run_held,
    wait_until,
)


@pytest.fixture
def home(clone_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A home whose runs go to its shared supervisor (the default)."""
    monkeypatch.delenv("CLONE_SUPERVISOR", raising=False)
    monkeypatch.setenv("CLONE_SUPERVISOR_IDLE_S", "60")  # it stays unless stopped
    yield clone_home
    kill_supervisors(clone_home)


def _start_one(home: Path, tmp_path: Path) -> int:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    ran = host_run(home, "s", 1, [data], ["true"])
    assert ran.returncode == 0, ran.stderr
    (pid,) = running(home)
    return pid


def test_none_running_is_said_so(run_cli: RunCli, home: Path) -> None:
    result = run_cli("host", "supervisor")
    assert result.exit_code == 0
    assert result.stdout == f"no shared supervisor runs for {home}\n"
    listed = json.loads(run_cli("host", "supervisor", "--json").stdout)
    assert listed == {
        "schema": 1,
        "home": str(home),
        "shared": True,
        "why_not": None,
        "supervisors": [],
    }
    assert not (home / "run").exists()  # asking starts none


def test_the_supervisor_a_run_started_is_shown(run_cli: RunCli, home: Path, tmp_path: Path) -> None:
    pid = _start_one(home, tmp_path)
    header, row = run_cli("host", "supervisor").stdout.splitlines()
    assert header.split() == ["PID", "BUILD", "STATE", "RUNS", "IDLE"]
    cells = row.split()
    assert cells[:4] == [str(pid), Place.of(home).tag, "idle", "0"] and cells[-1] == "s"
    (shown,) = json.loads(run_cli("host", "supervisor", "--json").stdout)["supervisors"]
    assert shown["pid"] == pid and shown["this_build"] is True
    assert shown["state"] == "idle" and shown["runs"] == 0 and shown["idle_s"] >= 0
    assert running(home) == [pid]  # asking leaves it be


def test_stop_ends_an_idle_supervisor_and_the_next_run_starts_another(
    run_cli: RunCli, home: Path, tmp_path: Path
) -> None:
    pid = _start_one(home, tmp_path)
    result = run_cli("host", "supervisor", "--stop", "--json")
    assert result.exit_code == 0, result.stderr
    (shown,) = json.loads(result.stdout)["supervisors"]
    assert shown["pid"] == pid and shown["state"] == "stopped"
    assert running(home) == []
    assert _start_one(home, tmp_path) != pid
    text = run_cli("host", "supervisor", "--stop").stdout.splitlines()
    assert text[1].split()[2] == "stopped"
    assert run_cli("host", "supervisor", "--stop").stdout.startswith("no shared supervisor")


def test_stop_lets_a_run_going_on_finish(run_cli: RunCli, home: Path, tmp_path: Path) -> None:
    with run_held(home, tmp_path, 4) as release:
        wait_until(lambda: "serving" in run_cli("host", "supervisor").stdout, 60, "a run going")
        (shown,) = json.loads(run_cli("host", "supervisor", "--stop", "--json").stdout)[
            "supervisors"
        ]
        assert shown["state"] == "retiring" and shown["runs"] == 1
        (retiring,) = json.loads(run_cli("host", "supervisor", "--json").stdout)["supervisors"]
        assert retiring == {
            "pid": shown["pid"],
            "build": None,  # it no longer listens, so it is not asked
            "this_build": None,
            "state": "retiring",
            "runs": None,
            "idle_s": None,
        }
        ran = release()
    assert (ran.returncode, ran.stdout, ran.stderr) == (4, "late\n", "")
    wait_until(lambda: running(home) == [], 10, "the retired supervisor left")


def test_a_supervisor_that_does_not_answer_is_one_error_line(run_cli: RunCli, home: Path) -> None:
    answerer = answering(Place.of(home), "refused", "no")
    result = run_cli("host", "supervisor")
    answerer.join(10)
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("clone: error: ") and "answered 'refused'" in line
    assert "supervisor.log" in line


@pytest.mark.parametrize(
    ("mode", "refusal", "why"),
    [
        ("in-process", None, "CLONE_SUPERVISOR is in-process"),
        ("auto", "Yama's ptrace_scope is 1: no", "Yama's ptrace_scope is 1: no"),
    ],
)
def test_where_runs_are_not_shared_it_says_why(
    run_cli: RunCli,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    refusal: str | None,
    why: str,
) -> None:
    # Yama cannot be turned on here: its verdict is stood in for (the kernel's check
    # itself: hooks.supervisor.build.ptrace_refusal)
    monkeypatch.setenv("CLONE_SUPERVISOR", mode)
    monkeypatch.setattr("hooks.supervisor.build.ptrace_refusal", lambda: refusal)
    first, second = run_cli("host", "supervisor").stdout.splitlines()
    assert first == f"runs here are supervised in-process: {why}"
    assert second.startswith("no shared supervisor runs")
    listed = json.loads(run_cli("host", "supervisor", "--json").stdout)
    assert listed["shared"] is False and listed["why_not"] == why


def test_a_bad_option_is_exit_2(run_cli: RunCli, home: Path) -> None:
    result = run_cli("host", "supervisor", "--halt")
    assert result.exit_code == 2
    assert "--halt" in result.stderr


def test_a_bad_mode_is_exit_2_and_stops_nothing(
    run_cli: RunCli, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = _start_one(home, tmp_path)
    monkeypatch.setenv("CLONE_SUPERVISOR", "sharde")
    result = run_cli("host", "supervisor", "--stop")
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("clone: error: bad CLONE_SUPERVISOR 'sharde'")
    assert running(home) == [pid]
