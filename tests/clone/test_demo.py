"""``clone demo`` runs end to end (real APK, real hooked processes) and shows what it claims."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from clone.demo import probe


@pytest.mark.slow
def test_demo_builds_clones_and_isolates_host_clones(
    uiautomator_apk: Path, clone_home: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "clone", "demo", "--apk", str(uiautomator_apk)],
        capture_output=True,
        text=True,
        env={**os.environ, "CLONE_HOME": str(clone_home)},
        check=False,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "com.github.uiautomator.clone1" in out
    assert "com.github.uiautomator.clone2" in out
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.strip()}
    assert rows["real"][1] == "owner"
    assert rows["notes:1"][1] == "alice"
    assert rows["notes:2"][1] == "bob"
    hostnames = {rows[w][2] for w in ("real", "notes:1", "notes:2")}
    machine_ids = {rows[w][3] for w in ("real", "notes:1", "notes:2")}
    assert len(hostnames) == 3 and len(machine_ids) == 3
    assert "refused: Permission denied" in out
    # The demo works in a CLONE_HOME of its own: the user's registry stays untouched, and
    # the demo's clones stay where it says, for 'clone list' and 'clone ui' to show.
    assert not (clone_home / "registry.sqlite").exists()
    demo_home = clone_home / "demo" / "clone-home"
    assert f"CLONE_HOME={demo_home} clone list" in out
    assert f"CLONE_HOME={demo_home} clone ui" in out

    def clone_list(home: Path) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "CLONE_HOME": str(home)}
        return subprocess.run(
            [sys.executable, "-m", "clone", "list"], capture_output=True, text=True, env=env
        )

    mine = clone_list(clone_home)
    assert mine.returncode == 0 and mine.stdout == ""
    assert f"the demo's are in {demo_home}" in mine.stderr
    assert "'clone demo'" not in mine.stderr
    theirs = clone_list(demo_home)
    assert [line.split()[0] for line in theirs.stdout.splitlines()] == [
        "CLONE", "notes:1", "notes:2"
    ]  # fmt: skip


def test_probe_keeps_its_login(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # show() changes directory; restore it afterwards
    assert probe.main([str(tmp_path), "login", "carol"]) == 0
    assert probe.show(tmp_path)["user"] == "carol"
    assert probe.peek(str(tmp_path / "missing"))["ok"] is False


def test_probe_usage_is_exit_2(tmp_path: Path) -> None:
    assert probe.main([str(tmp_path), "frobnicate"]) == 2
