"""QA example: alice and bob log into one app at once, each in a clone of their own.

Runs on this machine: the app is a Linux program run under the hook engine.
    pytest samples/qa_host_logins.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from clone import Space
from clone.demo import probe

PROBE = [sys.executable, probe.__file__]


def show(clone: Any, data: Path) -> dict[str, Any]:
    done = clone.run([*PROBE, str(data), "show"])
    assert done.returncode == 0, done.stderr
    value: dict[str, Any] = json.loads(done.stdout)
    return value


def test_each_clone_keeps_its_own_login(clone_space: Space, tmp_path: Path) -> None:
    data = tmp_path / "notes"  # where the app keeps its data, outside any clone
    alice = clone_space.host_clone("notes", 1, data=[data])
    bob = clone_space.host_clone("notes", 2, data=[data])

    assert alice.run([*PROBE, str(data), "login", "alice"]).returncode == 0
    assert bob.run([*PROBE, str(data), "login", "bob"]).returncode == 0

    assert show(alice, data)["user"] == "alice"
    assert show(bob, data)["user"] == "bob"
    assert not (data / "login").exists()  # the app's real data directory is untouched


def test_each_clone_is_its_own_device(clone_space: Space, tmp_path: Path) -> None:
    data = tmp_path / "notes"
    seen = {}
    for n in (1, 2):
        clone = clone_space.host_clone("notes", n, data=[data])
        clone_space.regen_identity(clone.name, seed=n)  # reproducible identities
        seen[n] = show(clone, data)
        identity = clone_space.identity(clone.name)
        assert seen[n]["hostname"] == identity.hostname
        assert seen[n]["machine_id"] == identity.machine_id
    assert seen[1]["hostname"] != seen[2]["hostname"]
