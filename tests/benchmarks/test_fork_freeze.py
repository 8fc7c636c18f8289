"""The parts of benchmarks/fork_freeze.py that decide what it counts: the loop it runs, how
each column runs it, and what counts as frozen."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import fork_freeze


def test_the_loop_forks_as_many_subshells_as_asked() -> None:
    argv = fork_freeze.loop(5)
    traced = [*argv[:-1], argv[-1].replace("( : );", "( echo x );")]
    result = subprocess.run(traced, capture_output=True, text=True, check=True)
    assert result.stdout == "x\n" * 5


def test_each_column_runs_the_program_its_own_way(tmp_path: Path) -> None:
    program = ["sh", "-c", ":"]
    frida = fork_freeze.command("frida", tmp_path, program)
    assert frida[1].endswith("frida_gated.py") and frida[-4:] == ["--", *program]
    shared = fork_freeze.command("shared", tmp_path, program)
    assert "env" not in shared  # the default mode, as users run it
    assert shared[-5:] == [str(tmp_path), "--", *program]
    assert fork_freeze.command("in-process", tmp_path, program)[:2] == [
        "env",
        "CLONE_SUPERVISOR=in-process",
    ]


def test_a_run_past_the_limit_is_frozen_and_killed_one_that_fails_is_left_out() -> None:
    env = dict(os.environ)
    assert fork_freeze.frozen(["true"], env, limit=5) is False
    assert fork_freeze.frozen(["false"], env, limit=5) is None
    assert fork_freeze.frozen(["sleep", "30"], env, limit=0.2) is True  # returns: killed
