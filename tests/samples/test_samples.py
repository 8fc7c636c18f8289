"""The samples run: each is executed by pytest, through the installed pytest plugin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _pytest(sample: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CLONE_TEST_DEVICE",)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(SAMPLES / sample)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
        timeout=300,
    )


@pytest.mark.slow
def test_host_logins_sample_passes(tmp_path: Path) -> None:
    done = _pytest("qa_host_logins.py", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


def test_device_sample_skips_without_a_device(tmp_path: Path) -> None:
    done = _pytest("qa_device_logins.py", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 skipped" in done.stdout
