"""The registry's SQLite file: opening it, its schema and the forward migrations.

``$CLONE_HOME/registry.sqlite``, in WAL mode with foreign keys on, its schema version in
``PRAGMA user_version``. Opening it brings it to ``SCHEMA_VERSION``, one transaction per
step. This module holds the file and not the model (``clone.registry``: the records, their
typed states), so that ``clone list`` can ask whether any clone is registered without
loading the model (issue 13's start-up cost); only migrating a schema-1 file loads it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from clone.errors import OperationFailed

SCHEMA_VERSION = 2
MAX_INDEX = 2**31 - 1  # a clone number fits the registry's INTEGER with room to spare


def _typed_state(db: sqlite3.Connection) -> None:
    """Schema 2: column ``meta`` becomes ``state``, each row's JSON read as its backend's
    typed state and written back as that type writes it (keys it never had are dropped)."""
    db.execute("ALTER TABLE clones RENAME COLUMN meta TO state")
    rows = db.execute("SELECT id, backend, state FROM clones").fetchall()
    if not rows:  # a new registry: nothing to read, so the model is not loaded
        return
    import json

    from clone.state import Backend, state_from_json

    for cid, backend, text in rows:
        state = state_from_json(Backend(backend), json.loads(text), what="meta", strict=False)
        db.execute(
            "UPDATE clones SET state = ? WHERE id = ?",
            (json.dumps(state.to_json(), sort_keys=True), cid),
        )


_MIGRATIONS: dict[int, str | Callable[[sqlite3.Connection], None]] = {
    1: """
    CREATE TABLE clones (
        id INTEGER PRIMARY KEY,
        app TEXT NOT NULL,
        idx INTEGER NOT NULL CHECK (idx >= 1),
        backend TEXT NOT NULL,
        package TEXT,
        source_package TEXT NOT NULL,
        device TEXT,
        created REAL NOT NULL,
        meta TEXT NOT NULL DEFAULT '{}',
        UNIQUE (app, idx)
    );
    CREATE INDEX clones_package ON clones (package);
    CREATE TABLE identities (
        clone_id INTEGER PRIMARY KEY REFERENCES clones (id) ON DELETE CASCADE,
        data TEXT NOT NULL
    );
    CREATE TABLE accounts (
        clone_id INTEGER NOT NULL REFERENCES clones (id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        name TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (clone_id, type, name)
    );
    """,
    2: _typed_state,
}


def open_registry(path: Path) -> sqlite3.Connection:
    """The registry at ``path`` (created with its directory if missing), at
    ``SCHEMA_VERSION``, in autocommit mode (writers open their own transactions).
    OperationFailed (exit 1) when it cannot be opened or migrated."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        db = sqlite3.connect(path, isolation_level=None, timeout=30)
    except sqlite3.DatabaseError as e:
        raise _cannot_open(path, e) from e
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        _migrate(db, path)
    except OperationFailed:
        db.close()
        raise
    except sqlite3.DatabaseError as e:
        db.close()
        raise _cannot_open(path, e) from e
    return db


def has_clones(db: sqlite3.Connection) -> bool:
    """Whether any clone is registered."""
    (found,) = db.execute("SELECT EXISTS (SELECT 1 FROM clones)").fetchone()
    return bool(found)


def _cannot_open(path: Path, error: sqlite3.DatabaseError) -> OperationFailed:
    return OperationFailed(
        f"cannot open the registry {path}: {error}",
        hint="move the file away or set CLONE_HOME to another directory",
    )


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    (version,) = db.execute("PRAGMA user_version").fetchone()
    if version > SCHEMA_VERSION:
        raise OperationFailed(
            f"registry {path} has schema {version}, newer than this clonespace ({SCHEMA_VERSION})",
            hint="upgrade clonespace",
        )
    for target in range(version + 1, SCHEMA_VERSION + 1):
        step = _MIGRATIONS[target]
        db.execute("BEGIN IMMEDIATE")
        try:
            if callable(step):
                step(db)
            else:
                for statement in step.split(";"):
                    if statement.strip():
                        db.execute(statement)
            db.execute(f"PRAGMA user_version = {target}")
        except (sqlite3.DatabaseError, ValueError) as e:
            db.execute("ROLLBACK")
            raise OperationFailed(
                f"cannot migrate the registry {path} to schema {target}: {e}",
                hint="your clones are unchanged; report this with the file",
            ) from e
        db.execute("COMMIT")
