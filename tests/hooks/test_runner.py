"""hooks.runner: exit status, stdio, cwd/env, errors — a real program under the real agent."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hooks import agent_bundle, procfs
from hooks.errors import (
    AgentBundleMissing,
    HandOverFroze,
    HookStartError,
    PolicyError,
    ProcessesLost,
    ProgramNotExecutable,
    ProgramNotFound,
)
from hooks.rpc import AgentRpc
from hooks.runner import run
from hooks.session import AgentSessions
from tests.hooks.agent_fixtures import Layout, run_captured


@pytest.mark.parametrize(
    ("script", "expected"),
    [("exit 0", 0), ("exit 3", 3), ("kill -9 $$", 128 + 9), ("kill -TERM $$", 128 + 15)],
)
def test_exit_status_is_the_programs(layout: Layout, script: str, expected: int) -> None:
    assert run(["/bin/sh", "-c", script], layout.policy()) == expected


def test_stdout_is_the_callers(layout: Layout, capfd: pytest.CaptureFixture[str]) -> None:
    ran = run_captured(["echo", "hello from the clone"], layout.policy(), capfd)
    assert ran.status == 0
    assert ran.stdout == "hello from the clone\n"


def test_cwd_and_env_reach_the_program(layout: Layout, capfd: pytest.CaptureFixture[str]) -> None:
    capfd.readouterr()
    status = run(
        ["/bin/sh", "-c", 'echo "$CS_VALUE"; /bin/pwd -P'],
        layout.policy(),
        env={"CS_VALUE": "forty-two", "PATH": "/usr/bin:/bin"},
        cwd=layout.root,
    )
    assert status == 0
    assert capfd.readouterr().out.splitlines() == ["forty-two", str(layout.root)]


def test_missing_program_raises_before_starting(layout: Layout) -> None:
    with pytest.raises(ProgramNotFound, match="no-such-program-xyz"):
        run(["no-such-program-xyz"], layout.policy())


def test_non_executable_program_raises(layout: Layout) -> None:
    plain = layout.root / "plain.txt"
    plain.write_text("not a program\n")
    with pytest.raises(ProgramNotExecutable):
        run([str(plain)], layout.policy())


def test_bad_policy_is_rejected_by_the_agent(layout: Layout) -> None:
    bad = {**layout.policy(), "redirects": [{"virtual": "relative/path", "real": "/x"}]}
    with pytest.raises(PolicyError, match="relative/path"):
        run(["/bin/true"], bad)


def test_a_policy_made_by_a_function_is_made_once_while_the_gate_is_attached(
    layout: Layout,
) -> None:
    # the function runs while Frida attaches to the gate: the gate is there, the program
    # (which would write the marker) has not run yet
    seen: list[tuple[bool, bool]] = []
    marker = layout.data / "ran"

    def policy() -> dict[str, Any]:
        seen.append((bool(_gates()), (layout.store / "ran").exists()))
        return layout.policy()

    assert run(["/bin/sh", "-c", f"echo x > {marker}"], policy) == 0
    assert seen == [(True, False)]
    assert (layout.store / "ran").read_text() == "x\n"  # the policy made reached the program


class _NoPolicy(Exception):
    pass


def test_a_policy_function_that_raises_ends_the_run_before_the_program(layout: Layout) -> None:
    def policy() -> dict[str, Any]:
        raise _NoPolicy("cannot make it")

    marker = layout.root / "ran"
    with pytest.raises(_NoPolicy, match="cannot make it"):
        run(["/bin/sh", "-c", f"echo x > {marker}"], policy)
    assert not marker.exists()
    assert _gates() == []  # killed and reaped: not even a zombie left


def _gates() -> list[int]:
    """This process's children named ``sh`` (a run's gate)."""
    return [p for p in procfs.pids() if procfs.name(p) == "sh" and _parent(p) == os.getpid()]


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def test_missing_bundle_says_make_agent(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(agent_bundle, "_BUNDLE", tmp_path / "nope" / "agent.js")
    with pytest.raises(AgentBundleMissing, match="make agent"):
        agent_bundle.agent_path()


def test_events_are_delivered_when_tracing(
    layout: Layout, capfd: pytest.CaptureFixture[str]
) -> None:
    target = layout.data / "note.txt"
    ran = run_captured(["/bin/sh", "-c", f"echo x > {target}"], layout.policy(trace=True), capfd)
    assert ran.status == 0
    redirects = [e for e in ran.events if e["type"] == "redirect" and e["path"] == str(target)]
    assert redirects, ran.events
    assert redirects[0]["real"] == str(layout.store / "note.txt")
    assert isinstance(redirects[0]["pid"], int)


def test_no_events_without_trace(layout: Layout, capfd: pytest.CaptureFixture[str]) -> None:
    ran = run_captured(["/bin/sh", "-c", f"echo x > {layout.data}/n"], layout.policy(), capfd)
    assert ran.status == 0
    assert ran.events == []
    assert (layout.store / "n").read_text() == "x\n"


def test_missing_working_directory_is_bad_input(layout: Layout) -> None:
    with pytest.raises(ValueError, match="not a directory"):
        run(["/bin/true"], layout.policy(), cwd=layout.root / "no-such-dir")


def test_on_running_is_not_called_when_the_program_leaves_nothing(layout: Layout) -> None:
    calls: list[tuple[int, list[int]]] = []
    status = run(
        ["sh", "-c", "sleep 0.1 & wait; exit 4"], layout.policy(), on_running=_record(calls)
    )
    assert (status, calls) == (4, [])


def _record(calls: list[tuple[int, list[int]]]) -> Callable[[int, list[int]], None]:
    return lambda status, pids: calls.append((status, pids))


@pytest.mark.parametrize(("fails_at", "raised"), [(1, HookStartError), (2, ProcessesLost)])
def test_what_failed_says_whether_the_program_ran(
    layout: Layout, monkeypatch: pytest.MonkeyPatch, fails_at: int, raised: type[Exception]
) -> None:
    """Instrumenting fails (injected) for the program itself (the 1st process handed over),
    or for a child it starts (the 2nd): HookStartError, or ProcessesLost after it ran."""
    real = AgentSessions.instrument
    calls: list[int] = []

    def instrument(self: AgentSessions, pid: int) -> AgentRpc:
        calls.append(pid)
        if len(calls) == fails_at:
            raise HookStartError("injected: Frida could not attach")
        return real(self, pid)

    monkeypatch.setattr(AgentSessions, "instrument", instrument)
    with pytest.raises(raised, match="injected"):
        run(["sh", "-c", "/bin/true"], layout.policy())


@pytest.mark.parametrize(("failure", "froze"), [(HandOverFroze, True), (HookStartError, False)])
def test_a_process_lost_says_whether_its_hand_over_froze(
    layout: Layout, monkeypatch: pytest.MonkeyPatch, failure: type[Exception], froze: bool
) -> None:
    """A process killed after the program ran is ProcessesLost either way; ``froze`` says
    whether Frida's hand-over of it froze (the CLI then says it is Frida's, and to run again).
    The failure is injected, as ``AgentSessions.kill_unfollowed`` reports one."""
    real = AgentSessions.wait_all_exited

    def wait_all_exited(self: AgentSessions, *args: Any, **kwargs: Any) -> None:
        self.failures.append(failure("process 7 (sh) was …: killed"))
        real(self, *args, **kwargs)

    monkeypatch.setattr(AgentSessions, "wait_all_exited", wait_all_exited)
    with pytest.raises(ProcessesLost, match="process 7") as raised:
        run(["sh", "-c", "/bin/true"], layout.policy())
    assert raised.value.froze is froze


def test_sigint_waits_for_the_program_then_raises(layout: Layout) -> None:
    """SIGINT to this process (the program sends it to its parent, us) does not cut the run
    short: the program finishes under its policy, then KeyboardInterrupt is raised."""
    script = f"kill -INT $PPID; sleep 0.3; echo done > {layout.data}/after"
    with pytest.raises(KeyboardInterrupt):
        run(["sh", "-c", script], layout.policy())
    assert (layout.store / "after").read_text() == "done\n"
    assert not (layout.data / "after").exists()


def test_an_installed_copy_without_the_agent_says_how_to_get_one(tmp_path: Path) -> None:
    from hooks.agent_bundle import how_to_build

    checkout = tmp_path / "checkout" / "hooks" / "agent"
    checkout.mkdir(parents=True)
    (checkout / "package.json").write_text("{}")
    assert "make agent" in how_to_build(checkout / "dist" / "agent.js")
    installed = tmp_path / "site-packages" / "hooks" / "agent" / "dist" / "agent.js"
    assert "reinstall Clonespace from a wheel built in a checkout" in how_to_build(installed)
