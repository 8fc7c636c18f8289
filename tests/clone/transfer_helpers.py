"""Shared by the export/import tests: the CLI against any CLONE_HOME, and snapshots of a
home's registry rows and store tree to prove that nothing changed (or that all came back)."""

from __future__ import annotations

import io
import json
import sqlite3
import stat
import tarfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from clone.cli import cli
from clone.registry import CloneRecord
from clone.space import Space
from identity import Identity
from tests.conftest import CliResult

MANIFEST = "clonespace-export.json"


def host_clone_holding(home: Path, name: str, data: Sequence[Path], files: dict[str, str]) -> Path:
    """Registers host clone ``name`` (``APP:N``) in ``home`` with ``--data`` paths ``data``
    and writes ``files`` (paths relative to its store, e.g. ``data/0/login``) into its
    store; returns the store."""
    app, index = name.rsplit(":", 1)
    with Space(home) as space:
        store = space.host_clone(app, int(index), data=list(data)).store
    for relative, text in files.items():
        (store / relative).parent.mkdir(parents=True, exist_ok=True)
        (store / relative).write_text(text)
    return store


def clone_in(home: Path, *args: str | Path) -> CliResult:
    """``clone ARGS…`` in-process with ``CLONE_HOME=home``."""
    result = CliRunner().invoke(
        cli, [str(a) for a in args], env={"CLONE_HOME": str(home)}, catch_exceptions=False
    )
    return CliResult(result.exit_code, result.stdout, result.stderr)


def ok(result: CliResult) -> CliResult:
    assert result.exit_code == 0, result.stderr
    return result


def one_error(result: CliResult, code: int = 2) -> str:
    """The single ``clone: error: …`` line of a failed command (and its exit code)."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("clone: error: "), lines[0]
    assert "Traceback" not in result.stderr and "internal error" not in lines[0]
    return lines[0]


def registry_rows(home: Path, *, ids: bool = True) -> list[list[tuple[Any, ...]]] | None:
    """Every row of the registry (read-only); with ``ids=False`` keyed by clone name, so
    a clone removed and imported again compares equal. None when there is no registry."""
    path = home / "registry.sqlite"
    if not path.exists():
        return None
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if ids:
            queries = [
                "SELECT * FROM clones ORDER BY id",
                "SELECT * FROM identities ORDER BY clone_id",
                "SELECT * FROM accounts ORDER BY clone_id, type, name",
            ]
        else:
            queries = [
                "SELECT app, idx, backend, package, source_package, device, created, state "
                "FROM clones ORDER BY app, idx",
                "SELECT c.app, c.idx, i.data FROM identities i JOIN clones c "
                "ON c.id = i.clone_id ORDER BY 1, 2",
                "SELECT c.app, c.idx, a.type, a.name, a.data FROM accounts a JOIN clones c "
                "ON c.id = a.clone_id ORDER BY 1, 2, 3, 4",
            ]
        return [db.execute(q).fetchall() for q in queries]
    finally:
        db.close()


def records(home: Path) -> list[CloneRecord]:
    """The registered clones of ``home`` (the registry closed again)."""
    with Space(home) as space:
        return space.records()


def identity_of(home: Path, name: str) -> Identity:
    with Space(home) as space:
        return space.identity(name)


def tree(root: Path, *, times: bool = True) -> dict[str, tuple[object, ...]]:
    """Every path below ``root``: its kind, permission bits, content and (with ``times``)
    a file's mtime in whole seconds. A directory's mtime is left out: an import stages beside
    the store it makes (one rename away), so one that fails creates and removes an entry in
    the parent, which leaves the tree as it was but its mtime a second on, now and then."""
    out: dict[str, tuple[object, ...]] = {}
    if not root.exists():
        return out
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        kind = "l" if path.is_symlink() else "d" if path.is_dir() else "f"
        content = path.read_bytes() if kind == "f" else b""
        entry: tuple[object, ...] = (kind, stat.S_IMODE(st.st_mode), content)
        if times and kind != "d":
            entry += (int(st.st_mtime),)
        out[str(path.relative_to(root))] = entry
    return out


def state(home: Path) -> tuple[object, ...]:
    """The registry rows and the whole store tree of ``home`` (with mtimes)."""
    return registry_rows(home), tree(home / "store")


def members(archive: Path) -> list[tuple[str, bytes | None, tarfile.TarInfo]]:
    """The members of an export with their data (None for directories)."""
    out = []
    with tarfile.open(archive, "r:gz") as tar:
        for info in tar.getmembers():
            f = tar.extractfile(info) if info.isfile() else None
            out.append((info.name, f.read() if f else None, info))
    return out


def manifest_of(archive: Path) -> dict[str, Any]:
    name, data, _ = members(archive)[0]
    assert name == MANIFEST and data is not None
    loaded = json.loads(data)
    assert isinstance(loaded, dict)
    return loaded


def write_tar(path: Path, entries: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    """A tar.gz of ``entries`` exactly as given (headers and data)."""
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for info, data in entries:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def file_info(name: str, data: bytes, mode: int = 0o644) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    return info, data


def dir_info(name: str) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    return info, None


def repack(
    source: Path,
    dest: Path,
    *,
    manifest: dict[str, Any] | bytes | None = None,
    extra: Sequence[tuple[tarfile.TarInfo, bytes | None]] = (),
) -> Path:
    """``source`` written again to ``dest``, with another manifest and extra members."""
    entries: list[tuple[tarfile.TarInfo, bytes | None]] = []
    for name, data, info in members(source):
        if name == MANIFEST and manifest is not None:
            body = manifest if isinstance(manifest, bytes) else json.dumps(manifest).encode()
            info.size = len(body)
            data = body
        entries.append((info, data))
    return write_tar(dest, entries + list(extra))
