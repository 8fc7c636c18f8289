"""hooks.supervisor.client: a run instrumented by the shared supervisor behaves as one
supervised in-process (tests/hooks/test_runner.py): the program's status, stdio, cwd and
environment, its children redirected; and it fails closed both ways: the client killed
kills the run, the supervisor killed kills every run. Real processes, real Frida."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from hooks import procfs
from hooks.errors import PolicyError
from hooks.supervisor.client import run_shared
from hooks.supervisor.reach import running
from tests.hooks.agent_fixtures import Layout, make_layout
from tests.hooks.supervisor.supervisors import wait_until

_CLIENT = """
import json, sys
from hooks.supervisor.client import run_shared
policy = json.loads(sys.argv[1])
sys.exit(run_shared(sys.argv[3:], policy, home=sys.argv[2]))
"""
_ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("script", "expected"),
    [("exit 0", 0), ("exit 3", 3), ("kill -9 $$", 128 + 9), ("kill -TERM $$", 128 + 15)],
)
def test_exit_status_is_the_programs(
    layout: Layout, supervisor_home: Path, script: str, expected: int
) -> None:
    assert run_shared(["/bin/sh", "-c", script], layout.policy(), home=supervisor_home) == expected


def test_stdout_cwd_and_env_reach_the_program(
    layout: Layout, supervisor_home: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    capfd.readouterr()
    status = run_shared(
        ["/bin/sh", "-c", 'echo "$CS_VALUE"; /bin/pwd -P'],
        layout.policy(),
        home=supervisor_home,
        env={"CS_VALUE": "forty-two", "PATH": "/usr/bin:/bin"},
        cwd=layout.root,
    )
    assert status == 0
    assert capfd.readouterr().out.splitlines() == ["forty-two", str(layout.root)]


def test_the_program_its_execs_and_a_fork_that_outlives_it_are_redirected(
    layout: Layout, supervisor_home: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    # the file is only in the clone's store: reading it by its virtual path needs the agent.
    # The background fork is often reported by Frida after its parent has exited (a race:
    # hence a few runs).
    (layout.store / "mine.txt").write_text("clone 1's\n")
    mine = layout.data / "mine.txt"
    script = f'cat {mine}; sh -c "cat {mine}"; (sleep 0.3; cat {mine}) & exit 3'
    for _ in range(4):
        capfd.readouterr()
        assert run_shared(["/bin/sh", "-c", script], layout.policy(), home=supervisor_home) == 3
        assert capfd.readouterr().out.splitlines() == ["clone 1's"] * 3
    assert not mine.exists()


def test_trace_events_come_through(layout: Layout, supervisor_home: Path) -> None:
    events: list[dict[str, Any]] = []
    target = layout.data / "note.txt"
    status = run_shared(
        ["/bin/sh", "-c", f"echo x > {target}"],
        layout.policy(trace=True),
        home=supervisor_home,
        on_event=events.append,
    )
    assert status == 0
    redirects = [e for e in events if e["type"] == "redirect" and e["path"] == str(target)]
    assert redirects, events
    assert redirects[0]["real"] == str(layout.store / "note.txt")


def test_a_bad_policy_is_a_policy_error(layout: Layout, supervisor_home: Path) -> None:
    bad = {**layout.policy(), "redirects": [{"virtual": "relative/path", "real": "/x"}]}
    with pytest.raises(PolicyError, match="relative/path"):
        run_shared(["/bin/true"], bad, home=supervisor_home)
    # the supervisor goes on serving the next run
    assert run_shared(["/bin/sh", "-c", "exit 4"], layout.policy(), home=supervisor_home) == 4


def _client(
    policy: dict[str, Any], home: Path, *argv: str, pass_fds: tuple[int, ...] = ()
) -> subprocess.Popen[str]:
    """A client in a process of its own (tests kill it), running ``argv``."""
    return subprocess.Popen(
        [sys.executable, "-c", _CLIENT, json.dumps(policy), str(home), *argv],
        cwd=_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        pass_fds=pass_fds,
    )


def test_the_program_inherits_the_clients_fds(layout: Layout, supervisor_home: Path) -> None:
    # the client starts the program, not the supervisor: an fd beyond 0-2 reaches it (bash:
    # dash takes single-digit fds only)
    read_end, write_end = os.pipe()
    try:
        script = f"echo through fd {write_end} >&{write_end}"
        client = _client(layout.policy(), supervisor_home, "/bin/bash", "-c", script,
                         pass_fds=(write_end,))  # fmt: skip
        os.close(write_end)
        _, err = client.communicate(timeout=60)
        assert client.returncode == 0, err
        assert os.read(read_end, 100) == f"through fd {write_end}\n".encode()
    finally:
        os.close(read_end)


def test_two_concurrent_runs_each_instrument_only_their_own_children(
    layout: Layout, supervisor_home: Path
) -> None:
    # one virtual path, two clones: clone 1 reads store 1, clone 2 store 2. Each run starts
    # execs and forks while the other does; a child routed to the wrong run would print the
    # other clone's file, one routed to none would be killed.
    (layout.store / "who.txt").write_text("one\n")
    (layout.other / "who.txt").write_text("two\n")
    second = {
        **layout.policy(),
        "clone": "notes:2",
        "redirects": [{"virtual": str(layout.data), "real": str(layout.other)}],
        "allow": [str(layout.other.parent)],
    }
    who = layout.data / "who.txt"
    step = f'cat {who}; sh -c "cat {who}"; (cat {who}) & wait'
    script = f"sleep 0.5; for i in 1 2 3 4; do {step}; done"
    policies = (layout.policy(), second)
    clients = [_client(p, supervisor_home, "/bin/sh", "-c", script) for p in policies]
    outputs = [c.communicate(timeout=120) for c in clients]
    for client, (out, err), name in zip(clients, outputs, ["one", "two"], strict=True):
        assert client.returncode == 0, err
        assert out.splitlines() == [name] * 12
    assert len(running(supervisor_home)) == 1


def _sleeping(
    layout: Layout, home: Path, tmp_path: Path, first: str = ""
) -> tuple[subprocess.Popen[str], int]:
    """A client whose program runs ``first`` (commands ended by ``;`` or ``&``), then sleeps
    (exec'd: the gate's own pid); returned once it sleeps, with the program's pid."""
    pidfile = tmp_path / "pid"
    script = f"{first} echo $$ > {pidfile}; exec sleep 60"
    client = _client(layout.policy(), home, "/bin/sh", "-c", script)
    try:
        wait_until(lambda: pidfile.exists() and pidfile.read_text().endswith("\n"), 60, "started")
        pid = int(pidfile.read_text())
        wait_until(lambda: Path(f"/proc/{pid}/comm").read_text() == "sleep\n", 30, "exec'd sleep")
        assert client.poll() is None
    except BaseException:
        client.kill()
        client.communicate()
        raise
    return client, pid


def test_the_client_killed_kills_its_run(
    layout: Layout, supervisor_home: Path, tmp_path: Path
) -> None:
    client, program = _sleeping(layout, supervisor_home, tmp_path)
    client.kill()
    client.communicate()
    wait_until(lambda: not procfs.alive(program), 30, "the program died")
    assert len(running(supervisor_home)) == 1  # the supervisor itself goes on


def test_the_supervisor_killed_kills_the_run_and_the_client_says_so(
    layout: Layout, supervisor_home: Path, tmp_path: Path
) -> None:
    client, program = _sleeping(layout, supervisor_home, tmp_path, "(sleep 60) &")
    (supervisor,) = running(supervisor_home)
    started = time.monotonic()
    os.kill(supervisor, signal.SIGKILL)
    _, err = client.communicate(timeout=60)
    assert client.returncode != 0
    assert "ProcessesLost" in err and "shared supervisor" in err
    assert not procfs.alive(program)
    assert time.monotonic() - started < 30
    leftovers = [p for p in procfs.pids() if _sleeps_60(p)]
    assert leftovers == []


def _sleeps_60(pid: int) -> bool:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return argv[:2] == [b"sleep", b"60"] and procfs.alive(pid)


def test_a_second_layout_gets_its_own_supervisor(tmp_path: Path, supervisor_home: Path) -> None:
    other_home = tmp_path / "other-home"
    layout = make_layout(tmp_path / "l")
    assert run_shared(["/bin/true"], layout.policy(), home=supervisor_home) == 0
    assert run_shared(["/bin/true"], layout.policy(), home=other_home) == 0
    first, second = running(supervisor_home), running(other_home)
    assert len(first) == len(second) == 1 and first != second
    for pid in second:
        os.kill(pid, signal.SIGKILL)
