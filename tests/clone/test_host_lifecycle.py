"""wipe and remove of a host clone act on its store, not only on the registry."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def clone(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clone", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "CLONE_HOME": str(home)},
        check=False,
        timeout=120,
    )


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "app-data"
    path.mkdir()
    return path


def host_run(home: Path, data: Path, script: str) -> subprocess.CompletedProcess[str]:
    run = ["host", "run", "--app", "notes", "--clone", "1", "--data", str(data)]
    return clone(home, *run, "--", "sh", "-c", script)


@pytest.mark.slow
def test_wipe_empties_the_clones_data(tmp_path: Path, data: Path) -> None:
    home = tmp_path / "home"
    assert host_run(home, data, f"echo alice > {data}/login").returncode == 0
    assert host_run(home, data, f"cat {data}/login").stdout == "alice\n"

    done = clone(home, "wipe", "--yes", "notes:1")
    assert done.returncode == 0, done.stderr

    after = host_run(home, data, f"cat {data}/login")
    assert after.returncode != 0 and after.stdout == ""
    assert clone(home, "list", "--json").stdout.count('"notes:1"') == 1  # still registered


@pytest.mark.slow
def test_remove_deletes_the_store(tmp_path: Path, data: Path) -> None:
    home = tmp_path / "home"
    assert host_run(home, data, f"echo alice > {data}/login").returncode == 0
    store = home / "store" / "host" / "notes" / "1"
    assert any(p.name == "login" for p in store.rglob("*"))

    done = clone(home, "remove", "--yes", "notes:1")
    assert done.returncode == 0, done.stderr

    assert not store.exists()
    assert "notes:1" not in clone(home, "list", "--json").stdout
    assert not (data / "login").exists()  # the real data directory was never touched
