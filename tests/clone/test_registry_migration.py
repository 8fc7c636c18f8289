"""Must-show of issue 10: a registry written by the previous release (schema 1, untyped
``meta``) opens, migrates in place and lists the same clones, each with its typed state.

``fixtures/registry_v1.sql`` was dumped from a registry that clonespace at e359e3a (the
release before typed backend state) wrote with its own ``Registry``: one clone of each
backend, identities and accounts. ``registry_v1.expected.json`` is what that release's
``Registry`` read back from it (``meta`` included), recorded at the same time.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from clone import Backend, HostState, PackageState, Space, UserState, VirtualState
from clone.errors import OperationFailed
from clone.registry import SCHEMA_VERSION

FIXTURES = Path(__file__).parent / "fixtures"


def _old_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    db = sqlite3.connect(home / "registry.sqlite")
    db.executescript((FIXTURES / "registry_v1.sql").read_text(encoding="utf-8"))
    db.close()
    return home


def test_a_registry_of_the_previous_release_lists_the_same_clones(tmp_path: Path) -> None:
    expected = json.loads((FIXTURES / "registry_v1.expected.json").read_text(encoding="utf-8"))
    with Space(_old_home(tmp_path)) as space:
        clones = [space.get(r.name) for r in space.records()]
        got = [
            c.to_json() | {
                "source_package": c.record.source_package, "created": c.record.created,
                "meta": c.state.to_json(), "identity": c.identity.to_dict(),
                "accounts": [a.to_dict() for a in c.accounts],
            }
            for c in clones
        ]  # fmt: skip
    assert got == expected
    by_name = {c.name: c.state for c in clones}
    assert by_name["com.example.notes:1"] == PackageState(
        launcher="com.example.notes.clone1/com.example.notes.Main",
        source_sha256="ab" * 32,
        apk_sha256="cd" * 32,
        hooks=expected[3]["meta"]["hooks"],
    )
    assert by_name["com.example.notes:2"] == PackageState()
    assert by_name["com.example.chat:1"] == UserState(
        10, installed_source=True, launcher="com.example.chat/com.example.chat.Main"
    )
    assert by_name["com.example.game:1"] == VirtualState(
        "app_clonespace/1", installed_source=False, frida_server="/opt/frida-server"
    )
    assert by_name["notes:1"] == HostState(("/home/u/.local/share/notes", "/home/u/.config/notes"))
    assert {c.backend for c in clones} == set(Backend)


def test_the_migration_is_in_place_and_once(tmp_path: Path) -> None:
    home = _old_home(tmp_path)
    with Space(home) as space:
        space.records()
    db = sqlite3.connect(home / "registry.sqlite")
    (version,) = db.execute("PRAGMA user_version").fetchone()
    columns = [row[1] for row in db.execute("PRAGMA table_info(clones)")]
    db.close()
    assert version == SCHEMA_VERSION == 2
    assert "state" in columns and "meta" not in columns
    with Space(home) as space:  # opening again changes nothing
        assert [r.name for r in space.records()][-1] == "notes:1"
        space.host_clone("notes", 1, ["/home/u/.local/share/notes", "/home/u/.config/notes"])


def test_a_registry_the_migration_cannot_read_is_left_as_it_was(tmp_path: Path) -> None:
    home = _old_home(tmp_path)
    db = sqlite3.connect(home / "registry.sqlite")
    db.execute("UPDATE clones SET meta = '{\"user\": \"ten\"}' WHERE backend = 'user'")
    db.commit()
    db.close()
    with pytest.raises(OperationFailed, match=r"cannot migrate .* to schema 2: bad meta\.user"):
        Space(home).records()
    db = sqlite3.connect(home / "registry.sqlite")
    (version,) = db.execute("PRAGMA user_version").fetchone()
    db.close()
    assert version == 1
