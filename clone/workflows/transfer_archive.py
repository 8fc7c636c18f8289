"""The export archive of one clone: written atomically, read as hostile input.

An export is a gzip-compressed POSIX (pax) tar::

    clonespace-export.json     the manifest (transfer_manifest), always the first member
    store/                     a host clone's store, nothing else: its machine-id file and
    store/machine-id           its data/K directories (one per --data path, K from 0)
    store/data/0/…

``write_archive`` writes it to a temporary file beside the destination and renames it into
place, so a failure leaves no partial file; without ``force`` it never replaces a file.

``read_archive`` checks every member before the caller changes anything, and again while
``extract_to`` is filled: a name must be relative, without ``..``, ``.`` or empty parts,
and lie in the store's layout; a member must be a regular file or a directory (no links,
devices, FIFOs or sparse files); at most MAX_MEMBERS members and MAX_BYTES of content;
no header may make the reader take in more than the members account for; and the gzip
CRC and length catch a truncated or damaged file.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import math
import os
import re
import stat
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO, Protocol, cast

from clone.errors import BadInput, NotFound, OperationFailed
from clone.state import host_data
from clone.workflows.transfer_manifest import (
    MANIFEST_NAME,
    Manifest,
    ManifestError,
    NewerFormat,
    parse_manifest,
)
from vfs_redirect.layouts import HostStore

MAX_MEMBERS = 100_000
MAX_BYTES = 4 << 30  # the content of all members together
MAX_MANIFEST_BYTES = 1 << 20
STORE = "store"
MACHINE_ID = HostStore.MACHINE_ID  # the store's layout, as in the archive's store/
DATA = HostStore.DATA

_HEADER_ALLOWANCE = 64 << 10  # per member: its tar header and pax/long-name records
_SLACK = 1 << 20  # read-ahead, end-of-archive blocks and record padding
_CHUNK = 1 << 16
_INDEX_RE = re.compile(r"^(0|[1-9][0-9]{0,5})$")
_REGULAR = (tarfile.REGTYPE, tarfile.AREGTYPE)
_KINDS = {
    tarfile.SYMTYPE: "a symbolic link",
    tarfile.LNKTYPE: "a hard link",
    tarfile.CHRTYPE: "a character device",
    tarfile.BLKTYPE: "a block device",
    tarfile.FIFOTYPE: "a FIFO",
    tarfile.CONTTYPE: "a contiguous file",
    tarfile.GNUTYPE_SPARSE: "a sparse file",
}
_HINT = "make it again with 'clone export CLONE FILE'"

Advance = Callable[[int], None]


@dataclass(frozen=True)
class StoreEntry:
    """One file or directory of a host clone's store, as it goes into the archive."""

    parts: tuple[str, ...]  # below store/
    path: Path
    is_dir: bool
    size: int = 0


@dataclass(frozen=True)
class StoreContent:
    """What of a store goes into an export, and the top-level names left out."""

    entries: tuple[StoreEntry, ...] = ()
    skipped: tuple[str, ...] = ()

    @property
    def files(self) -> int:
        return sum(1 for e in self.entries if not e.is_dir)

    @property
    def bytes(self) -> int:
        return sum(e.size for e in self.entries)


@dataclass(frozen=True)
class Written:
    """A finished archive: its path, size and sha256, and the store content it holds."""

    path: Path
    size: int
    sha256: str
    files: int
    bytes: int


@dataclass(frozen=True)
class Scanned:
    """A checked archive: its manifest and the store content it holds."""

    manifest: Manifest
    files: int
    bytes: int


# -- writing -----------------------------------------------------------------------------


def collect_store(store: Path, data_count: int) -> StoreContent:
    """The entries of host store ``store`` to export: ``machine-id`` and ``data/0`` …
    ``data/<data_count - 1>`` with all below them. Anything else at the top is left out
    (and named); a link, device or FIFO inside is refused (exit 1), nothing is written."""
    if not _lexists(store):
        return StoreContent()
    entries = [_entry((), store)]
    skipped: list[str] = []
    for name in _listdir(store):
        path = store / name
        if name == MACHINE_ID:
            entries.append(_entry((name,), path, want_dir=False))
        elif name == DATA:
            entries.append(_entry((name,), path, want_dir=True))
            for k in _listdir(path):
                if _INDEX_RE.match(k) and int(k) < data_count:
                    entries += _walk((DATA, k), path / k)
                else:
                    skipped.append(f"{DATA}/{k}")
        else:
            skipped.append(name)
    return StoreContent(tuple(entries), tuple(skipped))


def write_archive(
    dest: Path, manifest: Manifest, content: StoreContent, *, force: bool, advance: Advance
) -> Written:
    """Write the archive of ``manifest`` and ``content`` to ``dest`` atomically."""
    check_destination(dest, force)
    try:
        fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    except OSError as e:
        raise _write_failed(dest, e) from e
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as raw:
            sink = _HashingWriter(raw)
            _write_tar(sink, manifest, content, advance)
            raw.flush()
            os.fsync(raw.fileno())
        _publish(tmp, dest, force)
    except OSError as e:
        raise _write_failed(dest, e) from e
    finally:
        if tmp.exists():
            tmp.unlink()
    _sync_dir(dest.parent)
    return Written(dest, sink.size, sink.sha256.hexdigest(), content.files, content.bytes)


def _write_tar(
    sink: _HashingWriter, manifest: Manifest, content: StoreContent, advance: Advance
) -> None:
    now = int(time.time())
    with (
        gzip.GzipFile(filename="", mode="wb", fileobj=cast(IO[bytes], sink), mtime=now) as gz,
        tarfile.open(fileobj=gz, mode="w|", format=tarfile.PAX_FORMAT) as tar,
    ):
        body = manifest.to_bytes()
        info = _info(MANIFEST_NAME, tarfile.REGTYPE, 0o600, now, len(body))
        tar.addfile(info, _BytesReader(body))
        for entry in content.entries:
            _add_entry(tar, entry, advance)


def _add_entry(tar: tarfile.TarFile, entry: StoreEntry, advance: Advance) -> None:
    """One store entry into ``tar``; ``advance`` gets a file's bytes as they are read, so
    one large file moves a progress bar too."""
    name = "/".join((STORE, *entry.parts))
    if entry.is_dir:
        st = os.lstat(entry.path)
        tar.addfile(_info(name, tarfile.DIRTYPE, st.st_mode, int(st.st_mtime), 0))
        return
    fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise OperationFailed(f"{entry.path} changed into a non-file while it was exported")
        info = _info(name, tarfile.REGTYPE, st.st_mode, int(st.st_mtime), st.st_size)
        tar.addfile(info, _CountingReader(f, advance))


def _info(name: str, kind: bytes, mode: int, mtime: int, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = stat.S_IMODE(mode) & 0o777
    info.mtime = mtime
    info.size = size
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def check_destination(dest: Path, force: bool) -> None:
    """BadInput unless an archive can be written to ``dest`` (without ``force``: is new)."""
    if not dest.parent.is_dir():
        raise BadInput(
            f"cannot write {str(dest)!r}: the directory {str(dest.parent)!r} does not exist",
            hint="create it first or give another FILE",
        )
    if dest.is_dir():
        raise BadInput(f"{str(dest)!r} is a directory", hint="give a file name, e.g. notes1.clone")
    if _lexists(dest) and not force:
        raise BadInput(f"{str(dest)!r} exists", hint="give another FILE, or --force to replace it")


def _publish(tmp: Path, dest: Path, force: bool) -> None:
    """Rename ``tmp`` to ``dest``; without ``force`` never over an existing file (a hard
    link fails atomically if ``dest`` appeared meanwhile)."""
    if force:
        os.replace(tmp, dest)
        return
    try:
        os.link(tmp, dest)
    except FileExistsError:
        raise BadInput(f"{str(dest)!r} exists", hint="give another FILE, or --force") from None
    except OSError as e:
        if e.errno not in (errno.EPERM, errno.EXDEV, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        if _lexists(dest):  # no hard links on this file system: check, then rename
            raise BadInput(f"{str(dest)!r} exists", hint="give another FILE, or --force") from None
        os.replace(tmp, dest)
        return
    tmp.unlink()


def _write_failed(dest: Path, e: OSError) -> OperationFailed:
    return OperationFailed(
        f"cannot write {str(dest)!r}: {e.strerror or e}", hint="no file was written"
    )


def _sync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _entry(parts: tuple[str, ...], path: Path, *, want_dir: bool = True) -> StoreEntry:
    st = _lstat(path)
    if want_dir and stat.S_ISDIR(st.st_mode):
        return StoreEntry(parts, path, True)
    if not want_dir and stat.S_ISREG(st.st_mode):
        return StoreEntry(parts, path, False, st.st_size)
    raise _unexportable(path, st.st_mode)


def _walk(parts: tuple[str, ...], root: Path) -> list[StoreEntry]:
    """``root`` (a directory) and everything below it, parents before children."""
    out: list[StoreEntry] = []
    stack = [(parts, root)]
    while stack:
        here, path = stack.pop()
        out.append(_entry(here, path))
        children = []
        for name in _listdir(path):
            child = path / name
            st = _lstat(child)
            if stat.S_ISDIR(st.st_mode):
                children.append(((*here, name), child))
            elif stat.S_ISREG(st.st_mode):
                out.append(StoreEntry((*here, name), child, False, st.st_size))
            else:
                raise _unexportable(child, st.st_mode)
        stack.extend(reversed(children))
    return out


def _unexportable(path: Path, mode: int) -> OperationFailed:
    what = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file or directory"
    return OperationFailed(
        f"cannot export {str(path)!r}: it is {what}; an export holds only regular files "
        "and directories",
        hint="remove it (or replace it by a copy) and export again; no file was written",
    )


def _listdir(path: Path) -> list[str]:
    try:
        return sorted(os.listdir(path))
    except OSError as e:
        raise OperationFailed(f"cannot read {str(path)!r}: {e.strerror or e}") from e


def _lstat(path: Path) -> os.stat_result:
    try:
        return os.lstat(path)
    except OSError as e:
        raise OperationFailed(f"cannot read {str(path)!r}: {e.strerror or e}") from e


def _lexists(path: Path) -> bool:
    return os.path.lexists(path)


class _HashingWriter:
    """A binary sink that hashes and counts what it passes on."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self._raw.write(data)

    def flush(self) -> None:
        self._raw.flush()


class _CountingReader:
    """``read`` over a file that reports each chunk's size to ``advance``."""

    def __init__(self, f: IO[bytes], advance: Advance) -> None:
        self._f = f
        self._advance = advance

    def read(self, size: int = -1) -> bytes:
        chunk = self._f.read(size)
        if chunk:
            self._advance(len(chunk))
        return chunk


class _BytesReader:
    """``read`` over bytes (what ``TarFile.addfile`` needs)."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._pos + size
        chunk = bytes(self._data[self._pos : end])
        self._pos += len(chunk)
        return chunk


# -- reading -----------------------------------------------------------------------------


def read_archive(
    path: Path, extract_to: Path | None = None, advance: Advance = lambda n: None
) -> Scanned:
    """Check the archive at ``path``; with ``extract_to`` (an empty directory), also write
    the store's files into it. Bad input raises BadInput (exit 2); ``extract_to`` may then
    hold part of the store: the caller removes it."""
    with _open(path) as raw, gzip.GzipFile(fileobj=raw, mode="rb") as gz:
        stream = _Budget(gz)
        try:
            with tarfile.open(fileobj=cast(IO[bytes], stream), mode="r|") as tar:
                scanned = _members(tar, stream, extract_to, advance)
            stream.drain()
            _one_gzip_member(raw)
        except NewerFormat as e:
            raise BadInput(f"{str(path)!r}: {e}", hint="upgrade clonespace, then import it") from e
        except ManifestError as e:
            raise BadInput(f"{str(path)!r} is not a usable export: {e}", hint=_HINT) from e
        except BadInput as e:
            raise BadInput(f"{str(path)!r}: {e.message}", hint=e.hint) from e
        except gzip.BadGzipFile as e:
            raise BadInput(f"{str(path)!r} is not a clonespace export ({e})", hint=_HINT) from e
        except EOFError as e:
            raise BadInput(f"{str(path)!r} is truncated ({e})", hint=_HINT) from e
        except (tarfile.TarError, zlib.error) as e:
            raise BadInput(
                f"{str(path)!r} is not a clonespace export, or it is damaged ({e})", hint=_HINT
            ) from e
        except OSError as e:
            raise OperationFailed(f"cannot read {str(path)!r}: {e.strerror or e}") from e
    return scanned


def _one_gzip_member(raw: BinaryIO) -> None:
    """BadInput if the file goes on after its first gzip member (``GzipFile`` reads any
    further members as if they were more of the same stream: a second member could carry
    a tar of its own). Run after the whole stream was read and checked, so its size is
    already bounded."""
    raw.seek(0)
    member = zlib.decompressobj(16 + zlib.MAX_WBITS)
    while not member.eof:
        chunk = raw.read(_CHUNK)
        if not chunk:
            return  # cannot happen after a complete read; the first pass said what was wrong
        while chunk and not member.eof:
            member.decompress(chunk, _CHUNK)
            chunk = member.unconsumed_tail
    if member.unused_data or raw.read(1):
        raise BadInput("the archive goes on after its gzip stream (trailing data)", hint=_HINT)


def _open(path: Path) -> BinaryIO:
    try:
        raw = open(path, "rb")  # noqa: SIM115 (closed by the caller's with)
    except FileNotFoundError:
        raise NotFound(f"no file {str(path)!r}", hint="check the path") from None
    except IsADirectoryError:
        raise BadInput(f"{str(path)!r} is a directory, not an export archive") from None
    except OSError as e:
        raise OperationFailed(f"cannot read {str(path)!r}: {e.strerror or e}") from e
    if not stat.S_ISREG(os.fstat(raw.fileno()).st_mode):
        raw.close()
        raise BadInput(f"{str(path)!r} is not a regular file, not an export archive")
    return raw


def _members(
    tar: tarfile.TarFile, stream: _Budget, extract_to: Path | None, advance: Advance
) -> Scanned:
    members = iter(tar)
    manifest = _manifest(tar, next(members, None), stream)
    rules = _StoreRules(manifest)
    count, files, total = 1, 0, 0
    dirs: list[tuple[Path, tarfile.TarInfo]] = []
    for member in members:  # checked before the reader skips past its data
        count += 1
        if count > MAX_MEMBERS:
            raise BadInput(f"the archive holds more than {MAX_MEMBERS} members", hint=_HINT)
        parts = rules.check(member)
        if member.isdir():
            stream.allow(_HEADER_ALLOWANCE)
        else:
            files, total = files + 1, total + member.size
            if total > MAX_BYTES:
                raise BadInput(
                    f"the archive's files come to more than {MAX_BYTES} bytes", hint=_HINT
                )
            stream.allow(_blocks(member.size) + _HEADER_ALLOWANCE)
        if extract_to is not None:
            target = extract_to.joinpath(*parts)
            if member.isdir():
                _make_dir(target)
                dirs.append((target, member))
            else:
                _extract_file(tar, member, target, advance)
    for target, member in reversed(dirs):  # children before parents: their times stick
        _set_mode_and_time(target, member, 0o700)
    return Scanned(manifest, files, total)


def _manifest(tar: tarfile.TarFile, first: tarfile.TarInfo | None, stream: _Budget) -> Manifest:
    if first is None or first.name != MANIFEST_NAME or first.type not in _REGULAR:
        raise BadInput(
            f"the archive does not start with {MANIFEST_NAME}, so it is not a clonespace export",
            hint=_HINT,
        )
    if first.size > MAX_MANIFEST_BYTES:
        raise BadInput(f"its {MANIFEST_NAME} is over {MAX_MANIFEST_BYTES} bytes", hint=_HINT)
    stream.allow(_blocks(first.size) + _HEADER_ALLOWANCE)
    body = tar.extractfile(first)
    assert body is not None  # a regular file
    return parse_manifest(body.read())  # ManifestError: read_archive names the file


@dataclass
class _StoreRules:
    """What may follow the manifest: a host clone's store layout, each path once."""

    manifest: Manifest
    files: set[tuple[str, ...]] = field(default_factory=set)
    dirs: set[tuple[str, ...]] = field(default_factory=set)

    def check(self, member: tarfile.TarInfo) -> tuple[str, ...]:
        """The member's path below ``store/``; BadInput for anything unsafe or unexpected."""
        parts = _name_parts(member.name)
        is_dir = _is_file_or_dir(member)
        if parts[0] != STORE:
            raise BadInput(
                f"the archive member {member.name!r} is not part of a clone export", hint=_HINT
            )
        record = self.manifest.record
        if not self.manifest.app_data_included:
            raise BadInput(
                f"the export of {record.backend.value} clone {record.name} holds a store "
                f"member {member.name!r}; its app data lives on the phone",
                hint=_HINT,
            )
        rel = parts[1:]
        self._check_layout(member.name, rel, is_dir)
        self._check_once(member.name, rel, is_dir)
        return rel

    def _check_layout(self, name: str, rel: tuple[str, ...], is_dir: bool) -> None:
        count = len(host_data(self.manifest.record))
        if rel == (MACHINE_ID,):
            ok = not is_dir
        elif rel in ((), (DATA,)):
            ok = is_dir
        else:
            ok = (
                len(rel) >= 2 and rel[0] == DATA and bool(_INDEX_RE.match(rel[1]))
                and int(rel[1]) < count and (is_dir or len(rel) > 2)
            )  # fmt: skip
        if not ok:
            raise BadInput(
                f"the archive member {name!r} is not part of a host clone's store "
                f"(store/{MACHINE_ID}, store/{DATA}/K/… for K below {count})",
                hint=_HINT,
            )

    def _check_once(self, name: str, rel: tuple[str, ...], is_dir: bool) -> None:
        for depth in range(len(rel)):
            parent = rel[:depth]
            if parent in self.files:
                raise BadInput(f"the archive member {name!r} lies below a file", hint=_HINT)
            self.dirs.add(parent)
        if rel in self.files or (not is_dir and rel in self.dirs):
            raise BadInput(f"the archive holds {name!r} twice", hint=_HINT)
        (self.dirs if is_dir else self.files).add(rel)


def _name_parts(name: str) -> tuple[str, ...]:
    if name.startswith("/"):
        raise BadInput(f"the archive member {name!r} is an absolute path", hint=_HINT)
    parts = tuple(name.split("/"))
    if any(p in ("", ".", "..") for p in parts) or "\0" in name:
        raise BadInput(
            f"the archive member {name!r} has an empty, '.' or '..' part; an export names "
            "only paths inside its store",
            hint=_HINT,
        )
    if any(len(os.fsencode(p)) > 255 for p in parts):
        raise BadInput(f"the archive member {name!r} has a part over 255 bytes", hint=_HINT)
    return parts


def _is_file_or_dir(member: tarfile.TarInfo) -> bool:
    """True for a directory, False for a regular file; BadInput for anything else."""
    if member.sparse is not None:
        kind = "a sparse file"
    elif member.type == tarfile.DIRTYPE:
        if member.size:
            raise BadInput(f"the archive member {member.name!r} is a directory with data")
        return True
    elif member.type in _REGULAR:
        return False
    else:
        kind = _KINDS.get(member.type, f"of unknown type {member.type!r}")
    raise BadInput(
        f"the archive member {member.name!r} is {kind}; an export holds only regular files "
        "and directories",
        hint=_HINT,
    )


def _make_dir(target: Path) -> None:
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise _extract_failed(target, e) from e


def _extract_file(
    tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path, advance: Advance
) -> None:
    source = tar.extractfile(member)
    assert source is not None  # a regular file
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        with os.fdopen(os.open(target, flags, 0o600), "wb") as out:
            while chunk := source.read(_CHUNK):
                out.write(chunk)
                advance(len(chunk))
    except OSError as e:
        raise _extract_failed(target, e) from e
    _set_mode_and_time(target, member, 0o600)


def _set_mode_and_time(target: Path, member: tarfile.TarInfo, owner: int) -> None:
    """The member's permission bits (never set-id; always usable by the owner), its mtime."""
    mtime = float(member.mtime)
    mtime = min(max(mtime, 0.0), 2.0**33) if math.isfinite(mtime) else 0.0
    try:
        os.chmod(target, (member.mode & 0o777) | owner)
        os.utime(target, (mtime, mtime))
    except OSError as e:
        raise _extract_failed(target, e) from e


def _extract_failed(target: Path, e: OSError) -> OperationFailed:
    return OperationFailed(f"cannot write {str(target)!r}: {e.strerror or e}")


def _blocks(size: int) -> int:
    return (size + tarfile.BLOCKSIZE - 1) // tarfile.BLOCKSIZE * tarfile.BLOCKSIZE


class _Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


class _Budget:
    """The decompressed tar stream, cut off once it delivered more than the members seen
    so far account for: no header, padding or trailing data can make the reader
    decompress or buffer more than MAX_BYTES and a little."""

    def __init__(self, source: _Readable) -> None:
        self._source = source
        self._read = 0
        self._allowed = _SLACK + _HEADER_ALLOWANCE

    def allow(self, size: int) -> None:
        self._allowed += size

    def read(self, size: int = -1) -> bytes:
        data = self._source.read(_CHUNK if size < 0 else size)
        self._read += len(data)
        if self._read > self._allowed:
            raise BadInput(
                "the archive holds more data than its members declare (an oversized header "
                "or trailing data)",
                hint=_HINT,
            )
        return data

    def drain(self) -> None:
        """Read to the end of the gzip stream, so its CRC and length are checked."""
        while self.read(_CHUNK):
            pass
