"""The registry: schema, names, transactions that leave nothing behind on failure."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from clone.errors import BadInput, NotFound
from clone.registry import (
    SCHEMA_VERSION,
    Backend,
    CloneRecord,
    Registry,
    parse_clone_name,
)


def _rec(app: str = "com.example", index: int = 1) -> CloneRecord:
    return CloneRecord(
        app=app,
        index=index,
        backend=Backend.PACKAGE,
        source_package=app,
        package=f"{app}.clone{index}",
    )


def test_schema_version_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    Registry(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_add_find_by_name_and_package(tmp_path: Path) -> None:
    with Registry(tmp_path / "r.sqlite") as reg:
        reg.add(_rec())
        assert reg.get("com.example:1").package == "com.example.clone1"
        assert reg.get("com.example.clone1").name == "com.example:1"
        assert reg.next_index("com.example") == 2
        assert reg.find("com.example:7") is None


def test_unknown_clone_is_not_found(tmp_path: Path) -> None:
    with Registry(tmp_path / "r.sqlite") as reg, pytest.raises(NotFound):
        reg.get("nope:1")


def test_duplicate_is_bad_input(tmp_path: Path) -> None:
    with Registry(tmp_path / "r.sqlite") as reg:
        reg.add(_rec())
        with pytest.raises(BadInput):
            reg.add(_rec())


def test_failed_transaction_records_nothing(tmp_path: Path) -> None:
    with Registry(tmp_path / "r.sqlite") as reg:
        with pytest.raises(RuntimeError), reg.transaction():
            reg.add(_rec(index=1))
            reg.add(_rec(index=2))
            raise RuntimeError("device said no")
        assert reg.clones() == []


def test_identity_and_accounts_go_with_the_clone(tmp_path: Path) -> None:
    with Registry(tmp_path / "r.sqlite") as reg:
        reg.add(_rec())
        reg.set_identity("com.example:1", {"android_id": "0123456789abcdef"})
        reg.add_account("com.example:1", "com.google", "alice@example.com")
        assert reg.get_identity("com.example:1") == {"android_id": "0123456789abcdef"}
        assert reg.accounts("com.example:1")[0]["name"] == "alice@example.com"
        reg.remove("com.example:1")
        reg.add(_rec())
        assert reg.get_identity("com.example:1") is None
        assert reg.accounts("com.example:1") == []


@pytest.mark.parametrize(
    "text",
    [
        *("", "app", "app:", "app:0", "app:-1", ":1", "a b:1", "../x:1", "app:1x", "app:²"),
        *(f"app:{2**63}", f"app:{2**31}", "app:" + "9" * 400),
    ],
)
def test_bad_clone_names(text: str) -> None:
    with pytest.raises(ValueError, match="bad"):
        parse_clone_name(text)


def test_good_clone_name() -> None:
    assert parse_clone_name("com.whatsapp:2") == ("com.whatsapp", 2)
