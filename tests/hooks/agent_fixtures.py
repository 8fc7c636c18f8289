"""Shared by the agent engine tests: a clone layout in a temp dir and fsops under the runner."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hooks.runner import run
from tests.hooks.programs import build, fsops_results


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
