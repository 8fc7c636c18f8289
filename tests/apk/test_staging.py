"""apk.staging: a build killed outright leaves its hidden directory; the next removes it."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from apk.staging import staged_output


def _dead_pid() -> int:
    done = subprocess.Popen(["true"])
    done.wait()
    return done.pid


def test_stages_of_killed_builds_are_removed_live_ones_kept(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    killed = out / f".clone-build-{_dead_pid()}-0a1b2c"
    live = out / f".clone-build-{os.getpid()}-3d4e5f"
    old = out / ".clone-build-abcdef012345"  # the older, unnamed form
    young = out / ".clone-build-0123456789ab"
    mine = out / "keep.apk"
    for d in (killed, live, old, young):
        (d / "x").mkdir(parents=True)
    mine.write_text("x")
    day_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (day_ago, day_ago))
    with staged_output(out) as stage:
        assert stage.directory.name.startswith(f".clone-build-{os.getpid()}-")
        assert not killed.exists() and not old.exists()
        assert live.exists() and young.exists() and mine.exists()
    assert not stage.directory.exists()
