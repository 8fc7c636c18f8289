"""Read an APK's zip container: end record, central directory, local headers, raw data.

``parse_zip(data)`` validates everything it relies on and raises ``ZipFormatError``
(a ``ValueError``) naming what is wrong: not a zip, truncated, sizes or offsets beyond
the file, overlapping entries, zip64 or multi-disk archives, encrypted entries, entry
names that are absolute, contain ``..`` or repeat. Like Android, an entry whose method is
not stored (0) is read as deflate, whatever its method says (8 or an odd one like 21).
Entry data is exposed raw (``ZipArchive.raw``, ``ZipArchive.span``) so a writer can copy the
compressed bytes unchanged; ``ZipArchive.read`` inflates with a size cap and checks the CRC.
The archive's bytes are in memory (``bytes``) or read from its file on demand
(``apk.file_bytes.FileBytes``): parsing reads only the end record, the central directory
and the local headers.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from apk.file_bytes import FileBytes, FileSpan
from apk.sections import EOCD_SIGNATURE

LOCAL_SIGNATURE = b"PK\x03\x04"
CENTRAL_SIGNATURE = b"PK\x01\x02"
STORED = 0
DEFLATED = 8
FLAG_ENCRYPTED = 0x0001
FLAG_DATA_DESCRIPTOR = 0x0008
FLAG_UTF8 = 0x0800

_EOCD = struct.Struct("<4s4H2LH")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_LOCAL = struct.Struct("<4s5H3L2H")
_MAX_COMMENT = 0xFFFF
_SIG_BLOCK_MAGIC = b"APK Sig Block 42"

DEFAULT_READ_LIMIT = 64 << 20  # what ``read`` inflates at most unless told otherwise

Data = bytes | FileBytes


class ZipFormatError(ValueError):
    """The bytes are not a zip archive an APK may be, or are damaged."""


@dataclass(frozen=True)
class ZipEntry:
    """One central-directory record and where its data lies in the file."""

    name: str
    raw_name: bytes
    method: int
    flags: int
    crc32: int
    compressed_size: int
    uncompressed_size: int
    header_offset: int  # of the local file header
    data_offset: int  # of the first byte of (compressed) data
    version_made_by: int
    version_needed: int
    dos_time: int
    dos_date: int
    internal_attr: int
    external_attr: int
    central_extra: bytes
    local_extra: bytes
    comment: bytes

    @property
    def is_stored(self) -> bool:
        return self.method == STORED

    @property
    def data_end(self) -> int:
        return self.data_offset + self.compressed_size

    @property
    def is_directory(self) -> bool:
        return self.name.endswith("/")


@dataclass(frozen=True)
class ZipArchive:
    """A parsed archive over its bytes; ``entries`` in central-directory order."""

    data: Data
    entries: tuple[ZipEntry, ...]
    entries_end: int  # where entry data ends: the signing block or the central directory
    cd_offset: int
    eocd_offset: int

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.entries)

    @cached_property
    def _by_name(self) -> dict[str, ZipEntry]:
        return {e.name: e for e in self.entries}

    def find(self, name: str) -> ZipEntry | None:
        return self._by_name.get(name)

    def entry(self, name: str) -> ZipEntry:
        found = self.find(name)
        if found is None:
            raise ZipFormatError(f"the archive has no entry {name!r}")
        return found

    def raw(self, entry: ZipEntry) -> memoryview:
        """The entry's data exactly as stored (compressed if deflated); no copy when the
        archive is in memory, else read from its file."""
        if isinstance(self.data, FileBytes):
            return memoryview(self.data.read(entry.data_offset, entry.compressed_size))
        return memoryview(self.data)[entry.data_offset : entry.data_end]

    def span(self, entry: ZipEntry) -> memoryview | FileSpan:
        """The entry's raw data to copy: a view of the bytes in memory, or a span of the file."""
        if isinstance(self.data, FileBytes):
            return FileSpan(self.data, entry.data_offset, entry.compressed_size)
        return self.raw(entry)

    def raw_chunks(self, entry: ZipEntry, step: int) -> Iterator[bytes | memoryview]:
        """The entry's raw data, ``step`` bytes at a time (read from the file as they go)."""
        if isinstance(self.data, FileBytes):
            yield from self.data.chunks(entry.data_offset, entry.compressed_size, step)
            return
        raw = self.raw(entry)
        for start in range(0, len(raw), step):
            yield raw[start : start + step]

    def read(self, name: str, limit: int = DEFAULT_READ_LIMIT) -> bytes:
        """The uncompressed content of ``name``, refused if it is (or inflates to) > limit."""
        entry = self.entry(name)
        return inflate_entry(entry, self.raw(entry), limit)


def inflate_entry(entry: ZipEntry, raw: memoryview | bytes, limit: int) -> bytes:
    """Uncompressed content of one entry, capped at ``limit`` bytes and CRC-checked."""
    if entry.uncompressed_size > limit:
        raise ZipFormatError(
            f"entry {entry.name!r} is {entry.uncompressed_size} bytes uncompressed, "
            f"more than the {limit} allowed"
        )
    content = bytes(raw) if entry.method == STORED else _inflate(entry.name, raw, limit)
    if len(content) != entry.uncompressed_size:
        raise ZipFormatError(
            f"entry {entry.name!r} inflates to {len(content)} bytes, "
            f"not the {entry.uncompressed_size} its header says"
        )
    if zlib.crc32(content) != entry.crc32:
        raise ZipFormatError(f"entry {entry.name!r} fails its CRC check (damaged archive)")
    return content


def _inflate(name: str, raw: memoryview | bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        content = inflater.decompress(raw, limit + 1)
    except zlib.error as e:
        raise ZipFormatError(f"entry {name!r} is not valid deflate data: {e}") from e
    if len(content) > limit:
        raise ZipFormatError(f"entry {name!r} inflates to more than the {limit} bytes allowed")
    if not inflater.eof:
        raise ZipFormatError(f"entry {name!r} is truncated (deflate stream does not end)")
    return content


def parse_zip(data: Data) -> ZipArchive:
    """Parse and validate the whole container (not the entries' content)."""
    if not data:
        raise ZipFormatError("the file is empty")
    eocd_offset = _find_eocd(data)
    cd_offset, cd_size, count = _read_eocd(data, eocd_offset)
    entries = _read_central_directory(data, cd_offset, cd_size, count)
    entries_end = _entries_end(data, cd_offset, entries)
    _check_layout(entries, entries_end)
    return ZipArchive(data, entries, entries_end, cd_offset, eocd_offset)


def _find_eocd(data: Data) -> int:
    size = len(data)
    if size < _EOCD.size:
        if data[:2] == LOCAL_SIGNATURE[:2]:
            raise ZipFormatError("the zip archive is truncated (no end of central directory)")
        raise ZipFormatError("not a zip archive (too short)")
    start = max(0, size - _EOCD.size - _MAX_COMMENT)
    tail = data[start:size]
    pos = tail.rfind(EOCD_SIGNATURE)
    while pos >= 0:
        if pos + _EOCD.size <= len(tail):
            comment_len = struct.unpack_from("<H", tail, pos + 20)[0]
            if pos + _EOCD.size + comment_len == len(tail):
                return start + pos
        pos = tail.rfind(EOCD_SIGNATURE, 0, pos)
    if data[: len(LOCAL_SIGNATURE)] == LOCAL_SIGNATURE:
        raise ZipFormatError("the zip archive is truncated (no end of central directory)")
    raise ZipFormatError("not a zip archive (no end of central directory record)")


def _read_eocd(data: Data, offset: int) -> tuple[int, int, int]:
    record = data[offset : offset + _EOCD.size]
    _, disk, cd_disk, disk_count, count, cd_size, cd_offset, _ = _EOCD.unpack(record)
    if disk != 0 or cd_disk != 0 or disk_count != count:
        raise ZipFormatError("multi-disk zip archives are not APKs")
    if count == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
        raise ZipFormatError("zip64 archives are not supported")
    if cd_offset + cd_size > offset:
        raise ZipFormatError(
            f"central directory ({cd_size} bytes at {cd_offset}) runs past its end record "
            f"at {offset}: the archive is truncated or damaged"
        )
    if count == 0:
        raise ZipFormatError("the zip archive has no entries")
    return cd_offset, cd_size, count


def _read_central_directory(
    data: Data, cd_offset: int, cd_size: int, count: int
) -> tuple[ZipEntry, ...]:
    entries: list[ZipEntry] = []
    seen: set[str] = set()
    directory = data[cd_offset : cd_offset + cd_size]
    pos, end = 0, cd_size
    for _ in range(count):
        entry, pos = _read_central_record(data, directory, cd_offset, pos, end)
        if entry.name in seen:
            raise ZipFormatError(f"entry name {entry.name!r} appears twice")
        seen.add(entry.name)
        entries.append(entry)
    if pos != end:
        raise ZipFormatError(f"central directory holds {end - pos} bytes after its {count} records")
    return tuple(entries)


def _read_central_record(
    data: Data, directory: bytes, base: int, pos: int, end: int
) -> tuple[ZipEntry, int]:
    """The record at ``pos`` of ``directory`` (which starts at ``base`` in the file)."""
    if pos + _CENTRAL.size > end:
        raise ZipFormatError("central directory is shorter than its entry count says")
    fields = _CENTRAL.unpack_from(directory, pos)
    (sig, made_by, needed, flags, method, time, date, crc, csize, usize) = fields[:10]
    (name_len, extra_len, comment_len, disk, internal, external, offset) = fields[10:]
    if sig != CENTRAL_SIGNATURE:
        raise ZipFormatError(f"bad central directory record at offset {base + pos}")
    var_start = pos + _CENTRAL.size
    next_pos = var_start + name_len + extra_len + comment_len
    if next_pos > end:
        raise ZipFormatError(f"central directory record at offset {base + pos} runs past its end")
    raw_name = directory[var_start : var_start + name_len]
    name = _check_name(_decode_name(raw_name, flags))
    _check_entry_fields(name, flags, method, csize, usize, disk)
    extra = directory[var_start + name_len : var_start + name_len + extra_len]
    comment = directory[var_start + name_len + extra_len : next_pos]
    local_extra, data_offset = _read_local_header(data, offset, name, raw_name)
    entry = ZipEntry(
        name, raw_name, method, flags, crc, csize, usize, offset, data_offset,
        made_by, needed, time, date, internal, external, extra, local_extra, comment,
    )  # fmt: skip
    return entry, next_pos


def _decode_name(raw: bytes, flags: int) -> str:
    try:
        return raw.decode("utf-8" if flags & FLAG_UTF8 else "cp437")
    except UnicodeDecodeError as e:
        raise ZipFormatError(f"entry name {raw!r} is not valid UTF-8") from e


def _check_name(name: str) -> str:
    if not name:
        raise ZipFormatError("an entry has an empty name")
    if "\x00" in name:
        raise ZipFormatError(f"entry name {name!r} contains a NUL byte")
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise ZipFormatError(f"entry name {name!r} is absolute")
    if ".." in name.replace("\\", "/").split("/"):
        raise ZipFormatError(f"entry name {name!r} contains '..'")
    return name


def _check_entry_fields(
    name: str, flags: int, method: int, csize: int, usize: int, disk: int
) -> None:
    if csize == 0xFFFFFFFF or usize == 0xFFFFFFFF:
        raise ZipFormatError(f"entry {name!r} needs zip64, which is not supported")
    if flags & FLAG_ENCRYPTED:
        raise ZipFormatError(f"entry {name!r} is encrypted")
    if method == STORED and csize != usize:
        raise ZipFormatError(
            f"stored entry {name!r} has compressed size {csize} != uncompressed size {usize}"
        )
    if disk != 0:
        raise ZipFormatError(f"entry {name!r} lies on another disk")


def _read_local_header(data: Data, offset: int, name: str, raw_name: bytes) -> tuple[bytes, int]:
    if offset + _LOCAL.size > len(data):
        raise ZipFormatError(f"entry {name!r}: local header offset {offset} is beyond the file")
    name_start = offset + _LOCAL.size
    header = data[offset : name_start + len(raw_name)]  # one read: the name is known
    sig, _, _, _, _, _, _, _, _, name_len, extra_len = _LOCAL.unpack_from(header)
    if sig != LOCAL_SIGNATURE:
        raise ZipFormatError(f"entry {name!r}: no local header at offset {offset}")
    if name_len != len(raw_name) or header[_LOCAL.size :] != raw_name:
        raise ZipFormatError(f"entry {name!r}: local header names another file")
    extra_start = name_start + name_len
    extra = data[extra_start : extra_start + extra_len] if extra_len else b""
    return extra, extra_start + extra_len


def _entries_end(data: Data, cd_offset: int, entries: tuple[ZipEntry, ...]) -> int:
    """Where entry data ends: the start of an APK Signing Block, else the central directory.

    Bytes that only look like a block (entry data ending with its magic) are entry data.
    """
    last = max(e.data_end for e in entries)
    if cd_offset < 32 or data[cd_offset - 16 : cd_offset] != _SIG_BLOCK_MAGIC:
        return cd_offset
    footer_size = int(struct.unpack("<Q", data[cd_offset - 24 : cd_offset - 16])[0])
    start = cd_offset - footer_size - 8
    if start < last or struct.unpack("<Q", data[start : start + 8])[0] != footer_size:
        return cd_offset
    return start


def _check_layout(entries: tuple[ZipEntry, ...], entries_end: int) -> None:
    """Every entry's data lies before ``entries_end`` and no two entries overlap."""
    previous_end, previous_name = 0, ""
    for entry in sorted(entries, key=lambda e: e.header_offset):
        if entry.header_offset < previous_end:
            raise ZipFormatError(f"entries {previous_name!r} and {entry.name!r} overlap")
        if entry.data_end > entries_end:
            raise ZipFormatError(
                f"entry {entry.name!r} ({entry.compressed_size} bytes at {entry.data_offset}) "
                f"runs past the end of the entry data at {entries_end}: truncated or damaged"
            )
        previous_end, previous_name = entry.data_end, entry.name
