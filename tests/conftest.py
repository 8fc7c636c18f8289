"""Shared fixtures: an isolated CLONE_HOME and a CLI runner that keeps stderr apart.

Each host run of the suite is supervised by its own ``clone`` process unless its test asks
for the shared supervisor (which runs use by default): every test has a ``$CLONE_HOME`` of
its own, and a supervisor started for each would outlive its test. The tests that matter in
both modes take the ``supervisor`` fixture (tests/hooks/conftest.py), the default itself is
tested in tests/clone/test_cli_host_shared.py, and ``make pytest-shared`` runs the host-run
suites with every run shared.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from clone.cli import cli
from tests import realapks

os.environ.setdefault("CLONE_SUPERVISOR", "in-process")
os.environ.setdefault("CLONE_SUPERVISOR_IDLE_S", "2")  # a supervisor a test starts: not for long


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


# Real APKs from pinned registry packages (see tests/realapks.py), fetched once and cached.
@pytest.fixture(scope="session")
def uiautomator_apk() -> Path:
    """uiautomator2's app-uiautomator.apk: one dex, no native code."""
    return realapks.real_apk(realapks.UIAUTOMATOR)


@pytest.fixture(scope="session")
def native_apk() -> Path:
    """airtest's Yosemite.apk: native code for arm64-v8a and armeabi-v7a only (24.6 MB)."""
    return realapks.real_apk(realapks.NATIVE)


@pytest.fixture(scope="session")
def multidex_apk() -> Path:
    """pocoui's pocoservice-debug.apk: classes.dex … classes3.dex, targetSdk 33."""
    return realapks.real_apk(realapks.MULTIDEX)


@pytest.fixture(scope="session")
def big_apk() -> Path:
    """An APK of at least 20 MB (Yosemite.apk)."""
    return realapks.real_apk(realapks.BIG)
