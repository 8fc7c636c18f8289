"""Shared by the agent engine tests: a clone layout in a temp dir, fsops under the runner,
and a sleeping process to load an agent into."""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from hooks.runner import run
from hooks.session import attach
from tests.hooks.programs import build, fsops_results

if TYPE_CHECKING:
    import frida


AGENT_DIR = Path(__file__).resolve().parents[2] / "hooks" / "agent"


def compile_agent_entry(entry: str, out: Path) -> Path:
    """Another entry point of the agent project (``src/….ts``, a test probe) compiled with
    its frida-compile into ``out``; skips when the agent's node_modules are missing."""
    compiler = AGENT_DIR / "node_modules" / ".bin" / "frida-compile"
    if not compiler.exists():
        pytest.skip("the agent's node_modules are not installed (make agent)")
    subprocess.run(
        [str(compiler), entry, "-o", str(out), "-c"], cwd=AGENT_DIR, check=True, capture_output=True
    )
    return out


# A policy that touches nothing a test process uses: an agent loaded with it just runs.
INERT_POLICY: dict[str, Any] = {
    "version": 1,
    "clone": "com.example:2",
    "platform": "linux",
    "redirects": [{"virtual": "/nonexistent/app", "real": "/nonexistent/store/2"}],
    "deny": [],
    "allow": [],
    "deny_errno": 13,
    "identity": {},
    "accounts": [],
    "trace": False,
}


@contextlib.contextmanager
def sleeping_process(seconds: int = 120) -> Iterator[tuple[int, frida.Session]]:
    """A ``sleep`` that has finished starting (asleep in the kernel), and a Frida session on
    it (``hooks.session.attach``, which retries Frida's transient failures): Frida's injector
    crashes more often on a process still being loaded."""
    import frida

    with asleep(seconds) as target:
        session = attach(frida.get_local_device(), target.pid)
        try:
            yield target.pid, session
        finally:
            with contextlib.suppress(frida.InvalidOperationError):
                session.detach()


@contextlib.contextmanager
def asleep(seconds: int = 120) -> Iterator[subprocess.Popen[bytes]]:
    """A ``sleep`` done starting (asleep in the kernel), killed afterwards."""
    target = subprocess.Popen(["sleep", str(seconds)])
    try:
        wait_asleep(target.pid)
        yield target
    finally:
        target.kill()
        target.wait()


def wait_asleep(pid: int, timeout: float = 10.0) -> None:
    """Waits until the ``sleep`` ``pid`` sleeps in the kernel (done starting)."""
    deadline = time.monotonic() + timeout
    wchan = Path(f"/proc/{pid}/wchan")
    while "nanosleep" not in wchan.read_text():
        if time.monotonic() > deadline:
            raise AssertionError(f"sleep {pid} did not fall asleep within {timeout} s")
        time.sleep(0.01)


@dataclass(frozen=True)
class Layout:
    """``data``: the app's real data dir (virtual path); ``store``: clone 1's copy of it;
    ``other``: clone 2's store, which clone 1 must never reach."""

    root: Path
    data: Path
    store: Path
    other: Path

    def policy(self, *, trace: bool = False) -> dict[str, Any]:
        stores = self.root / "ch" / "store"
        return {
            "version": 1,
            "clone": "notes:1",
            "platform": "linux",
            "redirects": [{"virtual": str(self.data), "real": str(self.store)}],
            "deny": [str(stores)],
            "allow": [str(stores / "1")],
            "deny_errno": 13,
            "identity": {},
            "accounts": [],
            "trace": trace,
        }


@dataclass(frozen=True)
class Ran:
    status: int
    stdout: str
    events: list[dict[str, Any]]

    @property
    def results(self) -> list[tuple[str, str, str]]:
        """fsops lines as (OK/ERR, op, value)."""
        return fsops_results(self.stdout)


def make_layout(tmp_path: Path) -> Layout:
    root = tmp_path.resolve()
    data = root / "home" / "u" / ".local" / "share" / "notes"
    store = root / "ch" / "store" / "1" / "data"
    other = root / "ch" / "store" / "2" / "data"
    for d in (data, store, other):
        d.mkdir(parents=True)
    (data / "original.txt").write_text("the real user's notes\n")
    (other / "secret.txt").write_text("clone 2's login\n")
    return Layout(root, data, store, other)


def fsops_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """fsops, built once per session under the base temp dir (``tests/hooks/conftest.py``'s
    ``fsops`` fixture, and for the tests elsewhere that run it)."""
    return build("fsops", tmp_path_factory.getbasetemp() / "programs")


def run_captured(
    argv: Sequence[str | Path],
    policy: dict[str, Any],
    capfd: pytest.CaptureFixture[str],
    *,
    cwd: Path | None = None,
) -> Ran:
    """Runs argv under the agent; returns its status, stdout and the events it reported."""
    events: list[dict[str, Any]] = []
    capfd.readouterr()
    status = run([str(a) for a in argv], policy, on_event=events.append, cwd=cwd)
    return Ran(status, capfd.readouterr().out, events)
