"""The agent bundle a clone carries, with the C fast path for its ABI put inside.

``dist/agent.js`` is frida-compile's bundle of ES modules, which Frida's script runtime reads
as it is: the line ``📦``, one header line ``<size in bytes> <path>`` per asset (an
``↻ <name>`` line after one gives a bare name it is imported by), then the assets in header
order, each after a ``✄`` line. A clone's Gadget runs that bundle from ``lib/<abi>/``, and no
host is there to hand the agent its fast path compiled ahead of time (``hooks.prebuilt``), so
the payload puts it into the bundle: the module ``/src/fastpath/carried.js``, whose
``CARRIED`` is ``null`` in the build, is replaced by one that holds the shared object for the
ABI: its architecture, source key, and the object itself as the one row of a SQLite
database, gzipped and in base64. That is the form Frida can turn back into bytes natively
(``SqliteDatabase.openInline``: ~1 ms on a busy x86_64 host), where decoding base64 in the
agent's JavaScript (QuickJS) took ~60 ms for the 67 KB, longer than TinyCC's compiling; gzip
also makes it 18-23 KB of text per ABI instead of ~67 KB. Every other byte is kept.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import sqlite3
from dataclasses import dataclass

CARRIED_MODULE = "/src/fastpath/carried.js"  # hooks/agent/src/fastpath/carried.ts
_MAGIC = "📦\n".encode()
_SEPARATOR = "\n✄\n".encode()
_ALIAS = "↻ ".encode()


class BundleError(ValueError):
    """The agent script is not a frida-compile bundle with the carried-module slot."""


@dataclass(frozen=True)
class _Asset:
    header: bytes  # its header line: "<size> <path>", and any alias lines after it
    path: str
    data: bytes


def _assets(bundle: bytes) -> list[_Asset]:
    if not bundle.startswith(_MAGIC) or _SEPARATOR not in bundle:
        raise BundleError("not a frida-compile bundle")
    head, body = bundle[len(_MAGIC) :].split(_SEPARATOR, 1)
    groups: list[list[bytes]] = []
    for line in head.split(b"\n"):
        if line.startswith(_ALIAS) and groups:
            groups[-1].append(line)
        else:
            groups.append([line])
    assets: list[_Asset] = []
    at = 0
    for group in groups:
        size, _, path = group[0].partition(b" ")
        if not size.isdigit() or not path:
            raise BundleError(f"not a frida-compile bundle (header line {group[0][:80]!r})")
        end = at + int(size)
        if end > len(body):
            raise BundleError("not a frida-compile bundle (an asset runs past its end)")
        assets.append(_Asset(b"\n".join(group), path.decode("utf-8"), body[at:end]))
        at = end + len(_SEPARATOR)
    if at - len(_SEPARATOR) != len(body):
        raise BundleError("not a frida-compile bundle (its assets do not fill it)")
    return assets


def _joined(assets: list[_Asset]) -> bytes:
    head = b"\n".join(a.header for a in assets)
    return _MAGIC + head + _SEPARATOR + _SEPARATOR.join(a.data for a in assets)


TABLE = "fastpath"  # the database's one table, one row: its column "so" holds the object


def inline_database(so: bytes) -> str:
    """``so`` as the one row of a SQLite database, gzipped and in base64: what
    ``SqliteDatabase.openInline`` opens (the agent: ``SELECT so FROM fastpath``)."""
    with contextlib.closing(sqlite3.connect(":memory:")) as db:
        db.execute(f"CREATE TABLE {TABLE} (so BLOB NOT NULL)")
        db.execute(f"INSERT INTO {TABLE} (so) VALUES (?)", (so,))
        db.commit()
        image = db.serialize()
    return base64.b64encode(gzip.compress(image, 9, mtime=0)).decode("ascii")


def carried_module_source(arch: str, key: str, so: bytes) -> bytes:
    """The ES module that replaces ``carried.js``: ``CARRIED`` with the shared object."""
    value = {"arch": arch, "key": key, "db": inline_database(so)}
    return f"export const CARRIED={json.dumps(value, separators=(',', ':'))};".encode()


def with_fast_path(bundle: bytes, arch: str, key: str, so: bytes) -> bytes:
    """``bundle`` carrying ``so`` (the fast path built for Frida architecture ``arch`` from
    the sources of ``key``); raises BundleError when it has no ``carried.js`` to replace."""
    assets = _assets(bundle)
    found = [i for i, a in enumerate(assets) if a.path == CARRIED_MODULE]
    if len(found) != 1:
        raise BundleError(f"the agent bundle has no {CARRIED_MODULE} to carry the fast path in")
    old = assets[found[0]]
    data = carried_module_source(arch, key, so)
    rest = old.header.split(b"\n", 1)[1:]  # alias lines, if any
    header = b"\n".join([f"{len(data)} {old.path}".encode(), *rest])
    assets[found[0]] = _Asset(header, old.path, data)
    return _joined(assets)


def carried_fast_path(bundle: bytes) -> tuple[str, str, bytes] | None:
    """What ``bundle`` carries: (architecture, source key, shared object), or None."""
    for asset in _assets(bundle):
        if asset.path == CARRIED_MODULE:
            text = asset.data.decode("utf-8")
            prefix = "export const CARRIED="
            if not text.startswith(prefix):
                return None
            value = json.loads(text[len(prefix) :].rstrip().rstrip(";"))
            if not isinstance(value, dict):
                return None  # the build's own: null
            return str(value["arch"]), str(value["key"]), _row(value["db"])
    return None


def _row(text: str) -> bytes:
    """The shared object in an ``inline_database`` text."""
    image = gzip.decompress(base64.b64decode(text, validate=True))
    with contextlib.closing(sqlite3.connect(":memory:")) as db:
        db.deserialize(image)
        (so,) = db.execute(f"SELECT so FROM {TABLE}").fetchone()
    return bytes(so)
