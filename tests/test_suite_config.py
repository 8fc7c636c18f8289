"""The suite's own configuration (pyproject.toml): a test failed by Frida's fork hand-over
freeze, and by nothing else, runs once more. Checked by running a small suite with the
options as the project states them, against the words a frozen hand-over's error uses."""

from __future__ import annotations

import shlex
import tomllib
from pathlib import Path

import pytest

from clone.workflows.host import HAND_OVER_FROZE

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent

_SUITE = """
import pathlib

def _fails_once(name, message):
    mark = pathlib.Path(name)
    if not mark.exists():
        mark.write_text("")
        raise AssertionError(message)

def test_frozen_once():
    _fails_once("frozen", {froze!r})

def test_frozen_twice():
    raise AssertionError({froze!r})

def test_other_failure_once():
    _fails_once("other", {other!r})
"""


def _addopts() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return shlex.split(config["tool"]["pytest"]["ini_options"]["addopts"])


def test_only_a_frozen_hand_over_is_run_again_and_only_once(pytester: pytest.Pytester) -> None:
    # the one line `clone host run` prints (tests/hooks/test_session.py checks its first half)
    held = "process 7 (sh) was held by Frida for 30 s (a hand-over that froze): killed"
    froze = f"clone: error: the hook engine failed: {held}; {HAND_OVER_FROZE}"
    other = "clone: error: process 7 (sh) was not handed over to the hooks within 30 s: killed"
    pytester.makepyfile(_SUITE.format(froze=froze, other=other))
    result = pytester.runpytest(*_addopts())
    outcomes = result.parseoutcomes()  # (warnings too, in a whole run of the suite)
    assert [outcomes.get(k) for k in ("passed", "failed", "rerun")] == [1, 2, 2]
    result.stdout.fnmatch_lines(
        ["FAILED *::test_frozen_twice*", "FAILED *::test_other_failure_once*"]
    )
