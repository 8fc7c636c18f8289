"""The manifest of an export archive, ``clonespace-export.json``: what Clonespace knows of
one clone (its registry record, identity and accounts), with the format version.

``parse_manifest`` reads it as hostile input with the project's own parsers (names with the
registry's rules, identity fields with ``identity``'s, accounts with ``identity.accounts``,
paths with ``vfs_redirect.paths``); any missing, unknown or bad field raises
``ManifestError`` (a ``ValueError``) naming it, so an import refuses it before changing
anything. Whatever a Clonespace workflow registers parses back to the same record.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from apk.manifest_names import check_package_name
from clone.registry import Backend, CloneRecord, parse_app_name
from clone.state import BackendState, HostState, host_data, state_from_json
from identity import DERIVED_FIELDS, FIELDS, Identity
from identity.accounts import parse_account_name, parse_account_type
from vfs_redirect.paths import parse_absolute

FORMAT = "clonespace-export"
FORMAT_VERSION = 2
"""2 adds ``signing_key``: a package clone's own key (``$CLONE_HOME/keys/clones/<app>/<n>.pem``,
private key and certificate in PEM), so that the importing home can build updates the phone
accepts. Format 1 archives (no key) are still read."""
SIGNING_KEY_LIMIT = 16 * 1024
MANIFEST_NAME = "clonespace-export.json"

_TOP_KEYS = frozenset(
    {"format", "version", "clonespace_version", "exported_at", "app_data_included",
     "clone", "identity", "accounts"}
)  # fmt: skip
_TOP_KEYS_V2 = _TOP_KEYS | {"signing_key"}
_CLONE_KEYS = frozenset(
    {"app", "index", "backend", "package", "source_package", "device", "created", "meta"}
)
_ACCOUNT_KEYS = frozenset({"type", "name", "data"})
_IDENTITY_KEYS = frozenset(FIELDS) | frozenset(DERIVED_FIELDS)
_T = TypeVar("_T")


class ManifestError(ValueError):
    """The manifest lacks a field, has an unknown one, or holds a bad value."""


class NewerFormat(ManifestError):
    """The archive was written by a newer Clonespace, in a format this one cannot read."""


@dataclass(frozen=True)
class AccountEntry:
    """One account of the clone; ``data`` is the registry's extra JSON (usually empty)."""

    type: str
    name: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "name": self.name, "data": dict(self.data)}


@dataclass(frozen=True)
class Manifest:
    """Everything an export says about its clone besides the store's files."""

    record: CloneRecord
    identity: Identity | None
    accounts: tuple[AccountEntry, ...]
    exported_at: str
    clonespace_version: str
    signing_key: bytes | None = None  # PEM; only a package clone's

    @property
    def app_data_included(self) -> bool:
        """Only a host clone's data lives here; a device clone's stays on its phone."""
        return self.record.backend is Backend.HOST

    def to_json(self) -> dict[str, Any]:
        r = self.record
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "clonespace_version": self.clonespace_version,
            "exported_at": self.exported_at,
            "app_data_included": self.app_data_included,
            "clone": {
                "app": r.app,
                "index": r.index,
                "backend": r.backend.value,
                "package": r.package,
                "source_package": r.source_package,
                "device": r.device,
                "created": r.created,
                "meta": r.state.to_json(),
            },
            "identity": self.identity.to_dict() if self.identity else None,
            "accounts": [a.to_json() for a in self.accounts],
            "signing_key": self.signing_key.decode("ascii") if self.signing_key else None,
        }

    def to_bytes(self) -> bytes:
        return (json.dumps(self.to_json(), indent=2, allow_nan=False) + "\n").encode()


def parse_manifest(raw: bytes) -> Manifest:
    """The manifest in ``raw``; ManifestError (NewerFormat for a later format) if bad."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as e:
        raise ManifestError(f"its manifest is not JSON ({e})") from None
    top = _object(data, "the manifest")
    if top.get("format") != FORMAT:
        raise ManifestError(f"its manifest is not a {FORMAT} manifest")
    version = top.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise NewerFormat(
            f"it is in export format {version}, made by a newer clonespace; "
            f"this one reads format {FORMAT_VERSION}"
        )
    if version not in (1, FORMAT_VERSION) or isinstance(version, bool):
        raise ManifestError(f"its manifest has an unknown format version {version!r}")
    _keys(top, _TOP_KEYS if version == 1 else _TOP_KEYS_V2, "the manifest")
    record = _record(_object(top["clone"], "clone"))
    manifest = Manifest(
        record=record,
        identity=_identity(top["identity"]),
        accounts=_accounts(top["accounts"]),
        exported_at=_exported_at(top["exported_at"]),
        clonespace_version=_text(top["clonespace_version"], "clonespace_version", 64),
        signing_key=_signing_key(top.get("signing_key"), record),
    )
    if top["app_data_included"] is not manifest.app_data_included:
        raise ManifestError(
            f"app_data_included is {top['app_data_included']!r} for a {record.backend.value} clone"
        )
    return manifest


def _signing_key(value: object, record: CloneRecord) -> bytes | None:
    """A package clone's key file, checked to be a private key with its certificate."""
    if value is None:
        return None
    if record.backend is not Backend.PACKAGE:
        raise ManifestError(f"a {record.backend.value} clone has no signing_key of its own")
    # never echoed in an error: it is a private key
    if not isinstance(value, str) or not value.isascii() or len(value) > SIGNING_KEY_LIMIT:
        limit = SIGNING_KEY_LIMIT
        raise ManifestError(f"bad signing_key: expected PEM text of at most {limit} bytes")
    text = value
    from apk.signing.keys import SigningKeyError, parse_key_pem

    pem = text.encode("ascii")
    try:
        parse_key_pem(pem, "signing_key")
    except SigningKeyError as e:
        raise ManifestError(f"bad {e}") from None
    return pem


# -- the clone record --------------------------------------------------------------------


def _record(obj: dict[str, Any]) -> CloneRecord:
    _keys(obj, _CLONE_KEYS, "clone")
    backend_name = _text(obj["backend"], "clone.backend", 32)
    try:
        backend = Backend(backend_name)
    except ValueError:
        raise ManifestError(f"unknown backend {backend_name!r} in clone.backend") from None
    created = obj["created"]
    if not _is_number(created) or not math.isfinite(created) or created < 0:
        raise ManifestError(f"bad clone.created {created!r}: expected seconds since 1970")
    record = CloneRecord(
        app=_app(obj["app"], "clone.app"),
        index=_index(obj["index"]),
        backend=backend,
        source_package=_app(obj["source_package"], "clone.source_package"),
        package=_optional(obj["package"], "clone.package", check_package_name),
        device=_optional(obj["device"], "clone.device", _parse_serial),
        created=float(created),
        state=_state(backend, _object(obj["meta"], "clone.meta")),
    )
    if backend is Backend.HOST:
        return _host_record(record)
    return _device_record(record)


def _state(backend: Backend, meta: Mapping[str, Any]) -> BackendState:
    try:
        return state_from_json(backend, meta, what="clone.meta", strict=False)
    except ValueError as e:
        raise ManifestError(str(e)) from None


def _host_record(record: CloneRecord) -> CloneRecord:
    if record.package is not None or record.device is not None:
        raise ManifestError("a host clone must have no clone.package and no clone.device")
    if record.source_package != record.app:
        raise ManifestError("a host clone's clone.source_package must be its app")
    if not host_data(record):
        raise ManifestError("a host clone needs clone.meta.data, its list of --data paths")
    paths = tuple(
        _parsed(parse_absolute, _text(p, "a --data path in clone.meta.data", 4096))
        for p in host_data(record)
    )
    return CloneRecord(
        record.app, record.index, record.backend, record.source_package,
        created=record.created, state=HostState(paths),
    )  # fmt: skip


def _device_record(record: CloneRecord) -> CloneRecord:
    if record.backend is Backend.PACKAGE and record.package is None:
        raise ManifestError("a package clone needs clone.package, its installed package name")
    return record


def _app(value: object, what: str) -> str:
    return _parsed(parse_app_name, _text(value, what, 200))


def _index(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ManifestError(f"bad clone.index {value!r}: expected a whole number from 1")
    return value


def _parse_serial(text: str) -> str:
    if not text or len(text) > 255 or not text.isprintable() or any(c.isspace() for c in text):
        raise ManifestError(f"bad device serial {text!r}")
    return text


# -- identity and accounts ---------------------------------------------------------------


def _identity(value: object) -> Identity | None:
    if value is None:
        return None
    obj = _object(value, "identity")
    unknown = sorted(set(obj) - _IDENTITY_KEYS)
    if unknown:
        raise ManifestError(f"unknown identity fields {', '.join(map(repr, unknown))}")
    for key, item in obj.items():
        _text(item, f"identity.{key}", 1024)
    try:
        return Identity.from_dict(obj)
    except ValueError as e:
        raise ManifestError(f"bad identity: {e}") from None


def _accounts(value: object) -> tuple[AccountEntry, ...]:
    if not isinstance(value, list):
        raise ManifestError("accounts must be a list")
    entries = []
    for item in value:
        obj = _object(item, "an account")
        _keys(obj, _ACCOUNT_KEYS, "an account")
        type_ = _parsed(parse_account_type, _text(obj["type"], "an account type", 200))
        name = _parsed(parse_account_name, _text(obj["name"], "an account name", 255))
        entries.append(AccountEntry(type_, name, _object(obj["data"], "an account's data")))
    pairs = [(a.type, a.name) for a in entries]
    if len(set(pairs)) != len(pairs):
        raise ManifestError("accounts lists one account twice")
    return tuple(entries)


def _exported_at(value: object) -> str:
    text = _text(value, "exported_at", 64)
    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise ManifestError(f"bad exported_at {text!r}: expected an ISO 8601 time") from None
    return text


# -- helpers -----------------------------------------------------------------------------


def _object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ManifestError(f"{what} must be a JSON object")
    return value


def _keys(obj: Mapping[str, Any], expected: frozenset[str], what: str) -> None:
    missing = sorted(expected - set(obj))
    if missing:
        raise ManifestError(f"{what} lacks {', '.join(missing)}")
    unknown = sorted(set(obj) - expected)
    if unknown:
        raise ManifestError(f"{what} has unknown fields {', '.join(map(repr, unknown))}")


def _text(value: object, what: str, limit: int) -> str:
    if not isinstance(value, str) or not value or len(value) > limit:
        raise ManifestError(f"bad {what} {value!r}: expected text of 1 to {limit} characters")
    return value


def _optional(value: object, what: str, parse: Callable[[str], str]) -> str | None:
    return None if value is None else _parsed(parse, _text(value, what, 255))


def _parsed(parse: Callable[[str], _T], text: str) -> _T:
    try:
        return parse(text)
    except ValueError as e:
        raise ManifestError(str(e)) from None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
