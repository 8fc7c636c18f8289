"""The registry: which clones exist, where, and their identities and accounts.

SQLite in WAL mode under ``$CLONE_HOME/registry.sqlite``, with a schema version
(``PRAGMA user_version``) and forward migrations: schema 2 holds each clone's typed backend
state (``clone.state``) in column ``state``, where schema 1 had an untyped ``meta`` dict;
opening a schema-1 registry migrates it in place, in one transaction (the file, its schema
and migrations are clone/registry_file.py's). Workflows write in one transaction, after the
device (or host) confirmed the work, so a failed operation records nothing.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clone.errors import BadInput, NotFound
from clone.registry_file import MAX_INDEX, SCHEMA_VERSION, open_registry
from clone.state import (
    STATE_TYPES,
    Backend,
    BackendState,
    HostState,
    PackageState,
    state_from_json,
)

__all__ = [
    "MAX_INDEX",
    "SCHEMA_VERSION",
    "Backend",
    "CloneRecord",
    "Registry",
    "parse_app_name",
    "parse_clone_name",
]

_APP_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


def parse_app_name(text: str) -> str:
    """An app name: a package name or a simple word (``notes``, ``com.whatsapp``)."""
    if not _APP_RE.match(text) or len(text) > 200:
        raise ValueError(f"bad app name {text!r}: use letters, digits, '.', '_' or '-'")
    return text


def parse_clone_name(text: str) -> tuple[str, int]:
    """``APP:N`` -> (APP, N). Raises ValueError naming the offending text."""
    app, sep, num = text.rpartition(":")
    if not sep or not num.isascii() or not num.isdigit() or int(num) < 1:
        raise ValueError(f"bad clone name {text!r}: expected APP:N, e.g. notes:1")
    if len(num) > 10 or int(num) > MAX_INDEX:
        raise ValueError(f"bad clone name {text!r}: N is at most {MAX_INDEX}")
    return parse_app_name(app), int(num)


@dataclass(frozen=True)
class CloneRecord:
    """One registered clone."""

    app: str
    index: int
    backend: Backend
    source_package: str
    package: str | None = None
    device: str | None = None
    created: float = field(default_factory=time.time)
    # The backend's own facts; left out, a package or host clone gets an empty state.
    state: BackendState = field(default_factory=PackageState)

    def __post_init__(self) -> None:
        wanted = STATE_TYPES[self.backend]
        if self.backend is Backend.HOST and self.state == PackageState():
            object.__setattr__(self, "state", HostState())
        if not isinstance(self.state, wanted):
            raise TypeError(
                f"a {self.backend.value} clone's state is a {wanted.__name__}, "
                f"not {type(self.state).__name__}"
            )

    @property
    def name(self) -> str:
        return f"{self.app}:{self.index}"

    def to_json(self) -> dict[str, object]:
        """The fields scripts see (``clone list --json`` adds the device's view)."""
        return {
            "name": self.name,
            "app": self.app,
            "index": self.index,
            "backend": self.backend.value,
            "package": self.package,
            "device": self.device,
        }


class Registry:
    """Access to ``registry.sqlite``. Use as a context manager or call ``close()``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = open_registry(path)
        self._depth = 0

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction; nested uses join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        else:
            self._db.execute("COMMIT")
        finally:
            self._depth = 0

    # -- clones -----------------------------------------------------------------------

    def next_index(self, app: str) -> int:
        (top,) = self._db.execute(
            "SELECT COALESCE(MAX(idx), 0) FROM clones WHERE app = ?", (app,)
        ).fetchone()
        return int(top) + 1

    def add(self, record: CloneRecord) -> CloneRecord:
        with self.transaction():
            try:
                self._db.execute(
                    "INSERT INTO clones (app, idx, backend, package, source_package, device,"
                    " created, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        record.app,
                        record.index,
                        record.backend.value,
                        record.package,
                        record.source_package,
                        record.device,
                        record.created,
                        json.dumps(record.state.to_json(), sort_keys=True),
                    ),
                )
            except sqlite3.IntegrityError as e:
                raise BadInput(
                    f"clone {record.name} is already registered",
                    hint=f"remove it first with 'clone remove {record.name}'",
                ) from e
        return record

    def find(self, name: str) -> CloneRecord | None:
        """A clone by ``APP:N`` or by its package name; None when unknown."""
        row = None
        if ":" in name:
            try:
                app, idx = parse_clone_name(name)
            except ValueError as e:
                raise BadInput(str(e)) from e
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM clones WHERE app = ? AND idx = ?", (app, idx)
            ).fetchone()
        else:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM clones WHERE package = ?", (name,)
            ).fetchone()
        return _record(row) if row else None

    def get(self, name: str) -> CloneRecord:
        """Like ``find`` but raises NotFound (exit 2) for an unknown clone."""
        record = self.find(name)
        if record is None:
            raise NotFound(f"no clone named {name!r}", hint=self._name_hint(name))
        return record

    def _name_hint(self, name: str) -> str:
        """What the user may have meant by an unknown clone ``name``."""
        import difflib

        records = self.clones()
        same_app = [r.name for r in records if r.app == name]
        if same_app:
            return f"a clone is named APP:N, e.g. {', '.join(same_app[:3])}"
        app = name.rpartition(":")[0]
        if any(r.app == app for r in records):  # the app is right, its N is not
            return "'clone list' shows the clones"
        known = [r.name for r in records] + [r.package for r in records if r.package]
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        if close:
            return f"did you mean {close[0]!r}?"
        if ":" not in name:
            return (
                "a clone is named APP:N (e.g. notes:1) or by its package; 'clone list' shows them"
            )
        return "'clone list' shows the clones"

    def clones(self, app: str | None = None) -> list[CloneRecord]:
        if app is None:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM clones ORDER BY app, idx")
        else:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM clones WHERE app = ? ORDER BY idx", (app,)
            )
        return [_record(r) for r in rows.fetchall()]

    def remove(self, name: str) -> None:
        record = self.get(name)
        with self.transaction():
            self._db.execute(
                "DELETE FROM clones WHERE app = ? AND idx = ?", (record.app, record.index)
            )

    def _id(self, name: str) -> int:
        record = self.get(name)
        (cid,) = self._db.execute(
            "SELECT id FROM clones WHERE app = ? AND idx = ?", (record.app, record.index)
        ).fetchone()
        return int(cid)

    # -- identities -------------------------------------------------------------------

    def set_identity(self, name: str, data: Mapping[str, Any]) -> None:
        cid = self._id(name)
        with self.transaction():
            self._db.execute(
                "INSERT INTO identities (clone_id, data) VALUES (?, ?) "
                "ON CONFLICT (clone_id) DO UPDATE SET data = excluded.data",
                (cid, json.dumps(dict(data), sort_keys=True)),
            )

    def get_identity(self, name: str) -> dict[str, Any] | None:
        cid = self._id(name)
        row = self._db.execute("SELECT data FROM identities WHERE clone_id = ?", (cid,)).fetchone()
        return dict(json.loads(row[0])) if row else None

    # -- accounts ---------------------------------------------------------------------

    def accounts(self, name: str) -> list[dict[str, Any]]:
        cid = self._id(name)
        rows = self._db.execute(
            "SELECT type, name, data FROM accounts WHERE clone_id = ? ORDER BY type, name",
            (cid,),
        ).fetchall()
        return [{"type": t, "name": n, **json.loads(d)} for t, n, d in rows]

    def add_account(
        self, name: str, type_: str, account: str, data: Mapping[str, Any] | None = None
    ) -> None:
        cid = self._id(name)
        with self.transaction():
            try:
                self._db.execute(
                    "INSERT INTO accounts (clone_id, type, name, data) VALUES (?, ?, ?, ?)",
                    (cid, type_, account, json.dumps(dict(data or {}), sort_keys=True)),
                )
            except sqlite3.IntegrityError as e:
                raise BadInput(f"{name} already has the {type_} account {account!r}") from e

    def remove_account(self, name: str, type_: str, account: str) -> None:
        cid = self._id(name)
        with self.transaction():
            cur = self._db.execute(
                "DELETE FROM accounts WHERE clone_id = ? AND type = ? AND name = ?",
                (cid, type_, account),
            )
            if cur.rowcount == 0:
                raise NotFound(f"{name} has no {type_} account {account!r}")


_COLUMNS = "app, idx, backend, package, source_package, device, created, state"


def _record(row: tuple[Any, ...]) -> CloneRecord:
    app, idx, backend, package, source, device, created, state = row
    kind = Backend(backend)
    return CloneRecord(
        app=app,
        index=int(idx),
        backend=kind,
        source_package=source,
        package=package,
        device=device,
        created=float(created),
        state=state_from_json(kind, json.loads(state), strict=False),
    )
