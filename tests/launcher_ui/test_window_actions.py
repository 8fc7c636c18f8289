"""The details and "+ New clone" screens in a real window (Xvfb), driven through the
methods their buttons call (``window_driver``): each action's line as the screen showed
it, and what it changed in the registry."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from clone.space import Space

XVFB_RUN = shutil.which("xvfb-run")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(XVFB_RUN is None, reason="xvfb-run is not installed (apt install xvfb)"),
]


def test_the_details_actions_in_the_window(tmp_path: Path) -> None:
    assert XVFB_RUN is not None
    home, data, archive = tmp_path / "home", tmp_path / "data", tmp_path / "notes-1.clone"
    data.mkdir()
    with Space(home=home) as space:
        space.host_clone("notes", 1, [data])
    out = tmp_path / "seen.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIVY_")}
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [XVFB_RUN, "-a", "-s", "-screen 0 1024x720x24", sys.executable, "-m",
         "tests.launcher_ui.window_driver", str(home), str(out), str(archive)],
        capture_output=True, text=True, env=env, cwd=root, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    seen: dict[str, Any] = json.loads(out.read_text())
    assert seen["errors"] == []
    said = {s["step"]: s for s in seen["steps"]}

    def line(step: str) -> str:
        message: str = said[step]["message"] or said[step]["error"]
        assert message in said[step]["texts"]  # on screen, whole (the status wraps)
        return message

    assert line("regen seed 42") == "New identity for notes:1 (seed 42)"
    assert line("bad seed") == "the seed must be a whole number (0 or more), not '-3'"
    assert line("bad imei").startswith("Could not set imei of notes:1: bad IMEI '1'")
    assert line("good imei") == "Set imei of notes:1"
    assert "490154203237518" in said["good imei"]["texts"]  # the row shows the new value
    assert line("add account") == "Added bob@example.com to notes:1"
    assert "bob@example.com  (com.google)" in said["add account"]["texts"]
    assert line("bad account").startswith("Could not add the account to notes:1: bad account")
    assert line("export") == f"Exported notes:1 to {archive}"
    assert line("export again") == (
        f"Could not export notes:1: notes-1.clone exists in {tmp_path}; choose another name"
    )
    assert line("remove account") == "Removed bob@example.com from notes:1"
    assert "No accounts: the app sees none" in said["remove account"]["texts"]
    assert said["new clone"]["screen"] == "new"
    assert line("count 0") == "the count must be from 1 to 99, not 0"
    assert line("device app without a device") == (
        "no device is connected: connect one, or choose an APK file"
    )
    assert not any("Traceback" in t for s in seen["steps"] for t in s["texts"])

    with Space(home=home) as space:
        assert space.identity("notes:1").imei == "490154203237518"
        assert space.accounts("notes:1") == []
    assert archive.is_file()
