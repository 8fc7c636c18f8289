"""Shared fixtures: an isolated CLONE_HOME and a CLI runner that keeps stderr apart."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from clone.cli import cli


@pytest.fixture
def clone_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh $CLONE_HOME for one test."""
    home = tmp_path / "clone-home"
    monkeypatch.setenv("CLONE_HOME", str(home))
    yield home


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


RunCli = Callable[..., CliResult]


@pytest.fixture
def run_cli(clone_home: Path) -> RunCli:
    """Run ``clone ARGS…`` in-process, as the console script would, in a fresh CLONE_HOME."""

    def run(*args: str | Path, input: str | None = None) -> CliResult:
        argv: Sequence[str] = [str(a) for a in args]
        result = CliRunner().invoke(cli, argv, input=input, catch_exceptions=False)
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return run
