"""``clone export`` and ``clone import``: one clone, moved between CLONE_HOMEs or machines.

An export (``transfer_archive``) holds the clone's record, identity and accounts and, for a
host clone, its whole store. A device clone's app data lives on its phone and is not in
the archive: importing it lets this machine manage that phone's clone (launch, stop,
wipe, remove, identity) once the phone is connected here; the phone is not contacted.

An import checks the whole archive before it changes anything, then registers the clone
with its identity and accounts in one registry transaction; a host clone's store is
extracted into a temporary directory beside its final place and renamed into place
inside that transaction. Bad input changes nothing (exit 2); so does a failure.

``--as APP:N`` (the name the clone gets here):

- a host clone may take any free name: its store moves with it; its ``--data`` paths stay
  (they are the paths the program uses, which the hooks map into the store);
- a user-backend clone may change only N: APP is the package installed on the phone, and N
  is only a label there (the Android user is recorded in the clone's state);
- a package or virtual clone keeps its name: APP is the installed package and N is bound
  to what is on the phone (the package ``APP.cloneN``, whose number ``clone install``
  counts on to pick new ones; the storage root ``app_clonespace/N``). Renaming it could
  make a later install collide with it, so a taken name means another CLONE_HOME.

A copy of a host clone imported beside its original keeps the original's identity; the
result warns about it (``clone identity regen`` draws a new one).

A package clone's own signing key (``$CLONE_HOME/keys/clones/<app>/<n>.pem``) travels in the
archive (format 2; the archive is written mode 0600), so the importing home signs later
builds of the clone with the certificate the phone knows and ``adb install -r`` accepts
them. An import keeps it under the same name; a different key already there is refused
(exit 2), changing nothing: that key signs a clone of that home's, and replacing it would
strand that clone's updates.

Both go in two steps: ``prepare_export``/``prepare_import`` read and check, and
``finish_export``/``finish_import`` write, so the caller knows how many bytes the writing
step will report to its ``advance`` before it starts (a progress bar's total).
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from clone.backends import backend_for
from clone.errors import BadInput, OperationFailed
from clone.home import Home
from clone.registry import Backend, CloneRecord, Registry, parse_clone_name
from clone.state import host_data
from clone.workflows.host import store_path
from clone.workflows.identity import assign_identity, stored_identity
from clone.workflows.transfer_archive import (
    Scanned,
    StoreContent,
    check_destination,
    collect_store,
    read_archive,
    write_archive,
)
from clone.workflows.transfer_manifest import FORMAT_VERSION, AccountEntry, Manifest
from identity import Identity
from vfs_redirect.layouts import host_layout

Advance = Callable[[int], None]
Progress = Callable[[str, int], AbstractContextManager[Advance]]
"""``progress(label, total)`` opens a progress report and yields its ``advance(n)``; the
CLI's ``clone.cli.output.progress`` is one (a bar on a terminal)."""


@contextlib.contextmanager
def no_progress(label: str, total: int) -> Iterator[Advance]:
    """The Progress that reports nothing."""
    yield lambda n: None


@dataclass(frozen=True)
class ExportResult:
    """What ``clone export`` wrote."""

    name: str
    backend: Backend
    path: Path
    size: int
    sha256: str
    app_data_included: bool
    files: int
    bytes: int
    warnings: tuple[str, ...] = ()
    signing_key_included: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "clone": self.name,
            "backend": self.backend.value,
            "file": str(self.path),
            "size": self.size,
            "sha256": self.sha256,
            "format_version": FORMAT_VERSION,
            "app_data_included": self.app_data_included,
            "signing_key_included": self.signing_key_included,
            "files": self.files,
            "bytes": self.bytes,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class PreparedExport:
    """A clone read for export to ``dest``: its manifest and the store content the archive
    will hold."""

    record: CloneRecord
    manifest: Manifest
    content: StoreContent
    dest: Path
    force: bool = False
    warnings: tuple[str, ...] = ()

    @property
    def bytes(self) -> int:
        """What ``finish_export`` advances over: the size of the store's files."""
        return self.content.bytes


@dataclass(frozen=True)
class PreparedImport:
    """A checked archive and the record it will register (``--as`` applied)."""

    path: Path
    scanned: Scanned
    record: CloneRecord

    @property
    def manifest(self) -> Manifest:
        return self.scanned.manifest

    @property
    def bytes(self) -> int:
        """What ``finish_import`` advances over: the size of the store's files."""
        return self.scanned.bytes


@dataclass(frozen=True)
class ImportResult:
    """What ``clone import`` registered."""

    record: CloneRecord
    imported_from: str
    path: Path
    store: Path | None
    files: int
    bytes: int
    warnings: tuple[str, ...] = ()
    signing_key: Path | None = None  # where the archive's key is kept now

    @property
    def name(self) -> str:
        return self.record.name

    def to_json(self) -> dict[str, object]:
        return self.record.to_json() | {
            "imported_from": self.imported_from,
            "file": str(self.path),
            "app_data_included": self.store is not None,
            "store": str(self.store) if self.store else None,
            "signing_key": str(self.signing_key) if self.signing_key else None,
            "files": self.files,
            "bytes": self.bytes,
            "warnings": list(self.warnings),
        }


# -- export ------------------------------------------------------------------------------


def prepare_export(
    registry: Registry, home: Home, name: str, dest: Path, *, force: bool = False
) -> PreparedExport:
    """Read clone ``name`` for export to ``dest`` (an existing file only with ``force``):
    its record, identity, accounts and (a host clone) the store content; nothing is
    written."""
    record = registry.get(name)
    dest = dest.absolute()
    check_destination(dest, force)
    manifest = Manifest(
        record=record,
        identity=stored_identity(registry, record.name),
        accounts=tuple(_accounts(registry, record.name)),
        exported_at=datetime.now(UTC).isoformat(timespec="seconds"),
        clonespace_version=_version(),
        signing_key=_own_key(home, record),
    )
    content = StoreContent()
    warnings: list[str] = []
    if record.backend is Backend.HOST:
        store = store_path(home, record.app, record.index)
        if dest.resolve().is_relative_to(store.resolve()):
            raise BadInput(
                f"{str(dest)!r} is inside {record.name}'s own store",
                hint="write the archive outside it",
            )
        content = collect_store(store, len(host_data(record)))
        warnings += [
            f"left out {store / n}: not part of {record.name}'s data" for n in content.skipped
        ]
    else:
        warnings.append(_on_phone(record, "is not in the archive"))
    return PreparedExport(record, manifest, content, dest, force, tuple(warnings))


def finish_export(prepared: PreparedExport, advance: Advance = lambda n: None) -> ExportResult:
    """Write the archive of ``prepared`` (atomically); ``advance`` gets the size of each
    store file written."""
    record, manifest = prepared.record, prepared.manifest
    written = write_archive(
        prepared.dest, manifest, prepared.content, force=prepared.force, advance=advance
    )
    return ExportResult(
        record.name, record.backend, written.path, written.size, written.sha256,
        manifest.app_data_included, written.files, written.bytes, prepared.warnings,
        manifest.signing_key is not None,
    )  # fmt: skip


def _key_path(home: Home, record: CloneRecord) -> Path | None:
    """Where a package clone's own signing key is kept (None: no key of its own)."""
    if record.backend is not Backend.PACKAGE:
        return None
    from apk.signing.keys import clone_key_file

    return home.keys_dir / clone_key_file(record.source_package, record.index)


def _own_key(home: Home, record: CloneRecord) -> bytes | None:
    path = _key_path(home, record)
    if path is None or not path.is_file():
        return None  # made with --key, or by a release before per-clone keys
    try:
        return path.read_bytes()
    except OSError as e:
        raise OperationFailed(f"cannot read {path}: {e.strerror or e}") from e


def _accounts(registry: Registry, name: str) -> list[AccountEntry]:
    return [
        AccountEntry(
            a["type"], a["name"], {k: v for k, v in a.items() if k not in ("type", "name")}
        )
        for a in registry.accounts(name)
    ]


def _version() -> str:
    try:
        return importlib.metadata.version("clonespace")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


# -- import ------------------------------------------------------------------------------


def prepare_import(path: Path, as_name: str | None = None) -> PreparedImport:
    """Check ``as_name`` and the whole archive at ``path``; nothing is changed (BadInput,
    exit 2, for anything wrong)."""
    target = None
    if as_name is not None:
        try:
            target = parse_clone_name(as_name)
        except ValueError as e:
            raise BadInput(f"bad --as: {e}") from e
    scanned = read_archive(path)
    record = _renamed(scanned.manifest.record, target)
    return PreparedImport(path.absolute(), scanned, record)


def finish_import(
    registry: Registry, home: Home, prepared: PreparedImport, advance: Advance = lambda n: None
) -> ImportResult:
    """Register the clone of ``prepared`` and put its store in place: all or nothing;
    ``advance`` gets the bytes of the store's files as they are written."""
    record, manifest = prepared.record, prepared.manifest
    _check_free(registry, record, manifest.record)
    warnings = _identity_twins(registry, record, manifest.identity)
    if manifest.identity is None:
        warnings.append(f"the archive holds no identity for {record.name}; it got a new one")
    store = None
    key = None
    if record.backend is Backend.HOST:
        _check_host_layout(home, record)
        warnings += _missing_data_paths(record)
        store = _place_store(registry, home, prepared, advance)
    else:
        key = _check_key(home, record, manifest)
        kept = False
        try:
            with registry.transaction():
                _register(registry, record, manifest)
                kept = _keep_key(home, key, manifest)
        except BaseException:
            if kept and key is not None:  # registered nothing: keep no key for it either
                key.unlink(missing_ok=True)
            raise
        warnings.append(_on_phone(record, "was not in the archive"))
    return ImportResult(
        record, manifest.record.name, prepared.path, store,
        prepared.scanned.files, prepared.scanned.bytes, tuple(warnings), key,
    )  # fmt: skip


def check_signing_key(home: Home, prepared: PreparedImport) -> None:
    """BadInput when ``home`` keeps another signing key where the archive's would go
    (``finish_import`` checks again); reads only the key file."""
    _check_key(home, prepared.record, prepared.manifest)


def _check_key(home: Home, record: CloneRecord, manifest: Manifest) -> Path | None:
    """Where the archive's signing key goes; BadInput if another key is kept there."""
    path = _key_path(home, record)
    if path is None or manifest.signing_key is None:
        return None
    try:
        kept = path.read_bytes() if path.exists() else None
    except OSError as e:
        raise OperationFailed(f"cannot read {path}: {e.strerror or e}") from e
    if kept is not None and kept != manifest.signing_key:
        raise BadInput(
            f"{path} holds another signing key than the one {record.name} was installed with",
            hint="move it away (it signs a clone built in this home) or import into another "
            "CLONE_HOME; nothing was imported",
        )
    return path


def _keep_key(home: Home, path: Path | None, manifest: Manifest) -> bool:
    """Keep the archive's key at ``path``; whether it was written now."""
    if path is None or manifest.signing_key is None:
        return False
    from apk.signing.keys import KeyConflictError, keep_key_file

    name = str(path.relative_to(home.keys_dir))
    try:
        return keep_key_file(home.keys_dir, name, manifest.signing_key)
    except KeyConflictError as e:  # appeared since the check
        raise BadInput(str(e), hint="nothing was imported") from e
    except OSError as e:
        raise OperationFailed(f"cannot keep the signing key {path}: {e.strerror or e}") from e


def _renamed(record: CloneRecord, target: tuple[str, int] | None) -> CloneRecord:
    """``record`` under the ``--as`` name, where its backend allows it (module docstring)."""
    if target is None or target == (record.app, record.index):
        return record
    return backend_for(record.backend).renamed(record, *target)


def _check_free(registry: Registry, record: CloneRecord, original: CloneRecord) -> None:
    same = _same_device_clone(registry, record)
    if same is not None:
        raise BadInput(
            f"{original.name} of the archive is already registered here as {same.name} "
            f"(the same {record.backend.value} clone on {record.device or 'the device'})",
            hint="there is nothing to import",
        )
    if registry.find(record.name) is None:
        return
    raise BadInput(
        f"clone {record.name} is already registered here", hint=_free_name_hint(registry, record)
    )


def _free_name_hint(registry: Registry, record: CloneRecord) -> str:
    bound = backend_for(record.backend).bound(record)
    if bound is None:
        free = f"{record.app}:{registry.next_index(record.app)}"
        return f"import it under another name with --as {free}"
    return (
        f"a {record.backend.value} clone keeps its name ({bound}); import it into "
        "another CLONE_HOME"
    )


def _same_device_clone(registry: Registry, record: CloneRecord) -> CloneRecord | None:
    """A registered clone that is the very clone of ``record`` on its phone, if any."""
    backend = backend_for(record.backend)
    return next((o for o in registry.clones(record.app) if backend.same_clone(record, o)), None)


def _check_host_layout(home: Home, record: CloneRecord) -> None:
    try:
        host_layout(str(home.root), record.app, record.index, list(host_data(record)))
    except ValueError as e:
        raise BadInput(f"cannot import {record.name} here: {e}") from e


def _missing_data_paths(record: CloneRecord) -> list[str]:
    return [
        f"--data path {p} of {record.name} does not exist on this machine; that is fine, "
        "the program sees it through the clone's store"
        for p in host_data(record)
        if not os.path.lexists(p)
    ]


def _identity_twins(registry: Registry, record: CloneRecord, ident: Identity | None) -> list[str]:
    if ident is None:
        return []
    twins = []
    for other in registry.clones():
        data = registry.get_identity(other.name) or {}
        if data.get("android_id") == ident.android_id or data.get("machine_id") == ident.machine_id:
            twins.append(other.name)
    return [
        f"{record.name} has the same identity as {twin}; give it its own with "
        f"'clone identity regen {record.name}'"
        for twin in twins
    ]


def _on_phone(record: CloneRecord, fate: str) -> str:
    where = f"device {record.device}" if record.device else "its device"
    return (
        f"{record.name} is a {record.backend.value} clone: its app data lives on the phone "
        f"({where}) and {fate}; only its record, identity and accounts are"
    )


def _register(registry: Registry, record: CloneRecord, manifest: Manifest) -> None:
    if registry.find(record.name) is not None:  # taken since the check: same message
        _check_free(registry, record, manifest.record)
    registry.add(record)
    assign_identity(registry, record, identity=manifest.identity)
    for account in manifest.accounts:
        registry.add_account(record.name, account.type, account.name, account.data)


# -- a host clone's store ------------------------------------------------------------------


def _place_store(
    registry: Registry, home: Home, prepared: PreparedImport, advance: Advance
) -> Path:
    """Extract the store beside its final place, then register and rename it in one go."""
    record = prepared.record
    final = store_path(home, record.app, record.index)
    made = _make_parents(final.parent, home.root)
    staging: Path | None = None
    placed = False
    try:
        try:
            _check_space(final.parent, prepared.scanned.bytes)
            staging = Path(tempfile.mkdtemp(prefix=f".import-{record.index}-", dir=final.parent))
            again = read_archive(prepared.path, staging, advance)
            if again.manifest != prepared.manifest:
                raise BadInput(f"{prepared.path} changed while it was imported; import it again")
            with registry.transaction():
                _register(registry, record, prepared.manifest)
                if os.path.lexists(final):  # left by a removed clone: not this one's
                    shutil.rmtree(final)
                os.rename(staging, final)
                placed = True
        except OSError as e:
            raise OperationFailed(
                f"cannot put the store of {record.name} in place: {e.strerror or e}",
                hint="nothing was imported",
            ) from e
    except BaseException:
        if placed:
            shutil.rmtree(final, ignore_errors=True)
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        for directory in made:
            with contextlib.suppress(OSError):
                directory.rmdir()
        raise
    return final


def _make_parents(path: Path, root: Path) -> list[Path]:
    """Create ``path`` and its missing parents up to ``root``; those made, deepest first."""
    missing = []
    here = path
    while here != root and not os.path.lexists(here):
        missing.append(here)
        here = here.parent
    try:
        for directory in reversed(missing):
            directory.mkdir()
    except OSError as e:
        for directory in missing:
            with contextlib.suppress(OSError):
                directory.rmdir()
        raise OperationFailed(f"cannot create {directory}: {e.strerror or e}") from e
    return missing


def _check_space(where: Path, needed: int) -> None:
    free = shutil.disk_usage(where).free
    if free < needed:
        raise OperationFailed(
            f"the store needs {needed} bytes and {where} has {free} free",
            hint="free some space; nothing was imported",
        )
