"""``clone host run``: usage errors, env(1)-style statuses, registration, nothing half-made."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from clone.registry import Backend, CloneRecord
from clone.space import Space
from clone.state import HostState
from clone.workflows.host import build_policy, parse_host_spec
from tests.conftest import RunCli


def _one_line_error(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("clone: error: ")
    return lines[0]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--app", "notes", "--clone", "1", "--", "true"], "--data"),
        (["--app", "notes", "--clone", "1", "--data", "rel/dir", "--", "true"], "rel/dir"),
        (["--app", "notes", "--clone", "1", "--data", "", "--", "true"], "empty"),
        (["--app", "notes", "--clone", "1", "--data", "/", "--", "true"], "'/'"),
        (["--app", "no/tes", "--clone", "1", "--data", "/tmp/x", "--", "true"], "no/tes"),
        (["--app", "..", "--clone", "1", "--data", "/tmp/x", "--", "true"], ".."),
        (["--app", "notes", "--clone", "0", "--data", "/tmp/x", "--", "true"], "--clone"),
        (["--app", "notes", "--clone", "x", "--data", "/tmp/x", "--", "true"], "--clone"),
        (["--app", "notes", "--clone", "1", "--data", "/tmp/x", "--frob", "--", "true"], "frob"),
        (["--app", "notes", "--clone", "1", "--data", "/tmp/x"], "CMD"),
        (["--clone", "1", "--data", "/tmp/x", "--", "true"], "--app"),
        (["--app", "n", "--clone", "1", "--data", "/a", "--data", "/a/", "--", "true"], "twice"),
        (["--app", "n", "--clone", str(2**63), "--data", "/tmp/x", "--", "true"], "--clone"),
        (["--app", "n", "--clone", "1", "--data", "/proc/self", "--", "true"], "/proc"),
        (["--app", "n", "--clone", "1", "--data", "/etc/hostname", "--", "true"], "directory"),
        (["--app", "n", "--clone", "1", "--data", "/dev/null", "--", "true"], "/dev"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    run_cli: RunCli, clone_home: Path, args: list[str], says: str
) -> None:
    result = run_cli("host", "run", *args)
    assert result.exit_code == 2
    assert says in _one_line_error(result.stderr)
    assert not (clone_home / "registry.sqlite").exists() or not Space(clone_home).records()


def test_data_naming_a_fifo_is_refused(run_cli: RunCli, clone_home: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    result = run_cli("host", "run", "--app", "a", "--clone", "1", "--data", fifo, "--", "true")
    assert result.exit_code == 2
    assert "not a directory" in _one_line_error(result.stderr)
    assert not (clone_home / "registry.sqlite").exists() or not Space(clone_home).records()


def test_data_inside_clone_home_is_refused(run_cli: RunCli, clone_home: Path) -> None:
    inside = clone_home / "store" / "x"
    result = run_cli("host", "run", "--app", "a", "--clone", "1", "--data", inside, "--", "true")
    assert result.exit_code == 2
    assert "CLONE_HOME" in _one_line_error(result.stderr)
    assert Space(clone_home).records() == []


def test_command_not_found_is_127_and_registers_nothing(
    run_cli: RunCli, clone_home: Path, tmp_path: Path
) -> None:
    args = ["--app", "a", "--clone", "1", "--data", tmp_path, "--", "no-such-cmd-xyz"]
    result = run_cli("host", "run", *args)
    assert result.exit_code == 127
    assert "no-such-cmd-xyz" in _one_line_error(result.stderr)
    assert not clone_home.exists()  # no home made, let alone a clone registered


@pytest.mark.parametrize("kind", ["file", "directory"])
def test_not_executable_is_126(
    run_cli: RunCli, clone_home: Path, tmp_path: Path, kind: str
) -> None:
    target = tmp_path / "prog"
    if kind == "file":
        target.write_text("#!/bin/sh\n")
        target.chmod(0o644)
    else:
        target.mkdir()
    args = ["--app", "a", "--clone", "1", "--data", tmp_path / "d", "--", target]
    result = run_cli("host", "run", *args)
    assert result.exit_code == 126
    assert str(target) in _one_line_error(result.stderr)
    assert not clone_home.exists()


def test_trace_file_that_cannot_be_written_is_bad_input(
    run_cli: RunCli, clone_home: Path, tmp_path: Path
) -> None:
    args = ["--app", "a", "--clone", "1", "--data", tmp_path / "d"]
    args += ["--trace", tmp_path / "no" / "such" / "dir" / "t.jsonl", "--", "true"]
    result = run_cli("host", "run", *args)
    assert result.exit_code == 2
    assert "trace" in _one_line_error(result.stderr)
    assert Space(clone_home).records() == []


def test_a_clone_of_another_backend_is_refused(
    run_cli: RunCli, clone_home: Path, tmp_path: Path
) -> None:
    with Space(clone_home) as space:
        space.registry.add(CloneRecord("notes", 1, Backend.PACKAGE, "com.notes", "com.notes.c1"))
    args = ["--app", "notes", "--clone", "1", "--data", tmp_path, "--", "true"]
    result = run_cli("host", "run", *args)
    assert result.exit_code == 2
    assert "package clone" in _one_line_error(result.stderr)


def test_host_clone_registers_once_with_identity_and_store(
    clone_home: Path, tmp_path: Path
) -> None:
    data = [tmp_path / "a", tmp_path / "b"]
    with Space(clone_home) as space:
        h = space.host_clone("notes", 3, data=data)
        again = space.host_clone("notes", 3, data=[str(p) for p in data])
        assert h == again
        (record,) = space.records()
        assert (record.name, record.backend) == ("notes:3", Backend.HOST)
        assert record.state == HostState(tuple(str(p) for p in data))
        identity = space.registry.get_identity("notes:3")
        assert identity is not None and len(identity["machine_id"]) == 32
        assert h.store == clone_home / "store" / "host" / "notes" / "3"
        assert h.store.is_dir()


def test_the_data_paths_of_a_clone_cannot_change(clone_home: Path, tmp_path: Path) -> None:
    from clone.errors import BadInput

    with Space(clone_home) as space:
        space.host_clone("notes", 1, data=[tmp_path / "a", tmp_path / "b"])
        with pytest.raises(BadInput, match="same --data"):
            space.host_clone("notes", 1, data=[tmp_path / "b", tmp_path / "a"])


def test_host_policy_is_the_contract(clone_home: Path, tmp_path: Path) -> None:
    with Space(clone_home) as space:
        spec = parse_host_spec("notes", 1, [tmp_path / "d/"])
        space.host_clone("notes", 1, data=[tmp_path / "d"])
        policy = build_policy(space.registry, space.home, spec, trace=True).to_agent_json()
        identity = space.registry.get_identity("notes:1")
    store = str(clone_home / "store" / "host" / "notes" / "1")
    assert policy["version"] == 1
    assert policy["clone"] == "notes:1"
    assert policy["platform"] == "linux"
    lengths = [len(r["virtual"]) for r in policy["redirects"]]
    assert lengths == sorted(lengths, reverse=True)
    assert {"virtual": "/var/lib/dbus/machine-id", "real": f"{store}/machine-id"} in policy[
        "redirects"
    ]
    assert {"virtual": str(tmp_path / "d"), "real": f"{store}/data/0"} in policy["redirects"]
    assert {"virtual": "/etc/machine-id", "real": f"{store}/machine-id"} in policy["redirects"]
    assert policy["deny"][0] == str(clone_home)
    assert policy["allow"][0] == store
    assert policy["deny_errno"] == 13
    assert policy["identity"] == identity
    assert policy["trace"] is True
    json.dumps(policy)  # plain JSON


def test_clone_home_behind_a_symlink_is_denied_by_both_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "real-home"
    real.mkdir()
    link = tmp_path / "link-home"
    os.symlink(real, link)
    with Space(link) as space:
        spec = parse_host_spec("notes", 1, [tmp_path / "d"])
        space.host_clone("notes", 1, data=[tmp_path / "d"])
        policy = build_policy(space.registry, space.home, spec, trace=False).to_agent_json()
    assert set(policy["deny"]) == {str(link), str(real)}
    assert set(policy["allow"]) == {f"{link}/store/host/notes/1", f"{real}/store/host/notes/1"}


RunFake = Callable[..., int]


@pytest.fixture(params=["in-process", "shared"])
def engine(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Callable[[RunFake], None]:
    """Puts a fake in place of what runs the program, in either mode (``CLONE_SUPERVISOR``):
    ``hooks.runner.run``, or the shared supervisor's ``run_shared``."""
    monkeypatch.setenv("CLONE_SUPERVISOR", request.param)

    def use(fake: RunFake) -> None:
        if request.param == "shared":
            import hooks.supervisor.client

            monkeypatch.setattr(hooks.supervisor.client, "run_shared", fake)
        else:
            import hooks.runner

            monkeypatch.setattr(hooks.runner, "run", fake)

    return use


@pytest.mark.parametrize(
    ("error", "code"),
    [("HookStartError", 125), ("AgentBundleMissing", 125), ("ProgramNotExecutable", 126)],
)
def test_engine_failures_use_env_statuses_and_leave_no_clone(
    run_cli: RunCli,
    clone_home: Path,
    tmp_path: Path,
    engine: Callable[[RunFake], None],
    error: str,
    code: int,
) -> None:
    import hooks.errors

    def failing_run(argv: list[str], policy: dict[str, object], **kw: object) -> int:
        assert policy["clone"] == "a:1"
        cls = getattr(hooks.errors, error)
        raise cls("true") if error == "ProgramNotExecutable" else cls("frida said no")

    engine(failing_run)
    args = ["--app", "a", "--clone", "1", "--data", tmp_path / "d", "--", "true"]
    result = run_cli("host", "run", *args)
    assert result.exit_code == code
    _one_line_error(result.stderr)
    assert Space(clone_home).records() == []
    assert not (clone_home / "store" / "host" / "a").exists()


def test_a_process_lost_after_the_program_ran_keeps_the_clone(
    run_cli: RunCli, clone_home: Path, tmp_path: Path, engine: Callable[[RunFake], None]
) -> None:
    """The program wrote its data before a process it started was lost: 125, and the
    clone with its store stays (a failure before it ran leaves nothing, see above)."""
    import hooks.errors

    def losing_run(argv: list[str], policy: dict[str, object], **kw: object) -> int:
        store = clone_home / "store" / "host" / "a" / "1" / "data" / "0"
        (store / "login").write_text("alice\n")
        raise hooks.errors.ProcessesLost("a process of the program lost its policy")

    engine(losing_run)
    args = ["--app", "a", "--clone", "1", "--data", tmp_path / "d", "--", "true"]
    result = run_cli("host", "run", *args)
    assert result.exit_code == 125
    assert "lost its policy" in _one_line_error(result.stderr)
    assert [r.name for r in Space(clone_home).records()] == ["a:1"]
    store = clone_home / "store" / "host" / "a" / "1" / "data" / "0"
    assert (store / "login").read_text() == "alice\n"


@pytest.mark.parametrize("ran", [True, False], ids=["after-it-ran", "before-it-ran"])
def test_a_hand_over_that_froze_says_it_is_fridas_and_to_run_again(
    run_cli: RunCli, tmp_path: Path, engine: Callable[[RunFake], None], ran: bool
) -> None:
    """Frida's fork hand-over freezes now and then, with bare Frida too
    (``benchmarks/fork_freeze.py``): the one line says so and what to do, after the program
    ran or before (the program's own hand-over); 125 either way."""
    import hooks.errors

    def frozen_run(argv: list[str], policy: dict[str, object], **kw: object) -> int:
        held = "process 7 (sh) was held by Frida for 30 s (a hand-over that froze): killed"
        if ran:
            raise hooks.errors.ProcessesLost(f"lost its policy: {held}", froze=True)
        raise hooks.errors.HandOverFroze(held)

    engine(frozen_run)
    args = ["--app", "a", "--clone", "1", "--data", tmp_path / "d", "--", "true"]
    result = run_cli("host", "run", *args)
    assert result.exit_code == 125
    line = _one_line_error(result.stderr)
    assert "(a hand-over that froze)" in line
    assert line.endswith(
        "(Frida's bug, not the program's: it hits 1 to 3 forks in 1,000); run the command again"
    )


def test_the_program_status_is_the_exit_status(
    run_cli: RunCli, clone_home: Path, tmp_path: Path, engine: Callable[[RunFake], None]
) -> None:
    engine(lambda argv, policy, **kw: 42)
    args = ["--app", "a", "--clone", "1", "--data", tmp_path / "d", "--", "true"]
    result = run_cli("host", "run", *args)
    assert (result.exit_code, result.stderr) == (42, "")
    (record,) = Space(clone_home).records()  # the program ran: the clone stays
    assert record.name == "a:1"
    store = clone_home / "store" / "host" / "a" / "1"
    assert (store / "data" / "0").is_dir()
    assert len((store / "machine-id").read_text().strip()) == 32


def test_a_data_path_behind_a_symlink_is_redirected_by_both_names(
    clone_home: Path, tmp_path: Path
) -> None:
    real = tmp_path / "real-notes"
    real.mkdir()
    link = tmp_path / "notes-link"
    os.symlink(real, link)
    with Space(clone_home) as space:
        spec = parse_host_spec("notes", 1, [link])
        space.host_clone("notes", 1, data=[link])
        policy = build_policy(space.registry, space.home, spec, trace=False).to_agent_json()
    target = f"{clone_home}/store/host/notes/1/data/0"
    assert {"virtual": str(link), "real": target} in policy["redirects"]
    assert {"virtual": str(real), "real": target} in policy["redirects"]
