"""Write an APK's zip container, copying untouched entries' compressed bytes unchanged.

``ZipWriter.copy`` takes an entry of a parsed archive and writes its data exactly as it
was (no recompression) under a fresh local header; ``ZipWriter.add`` writes new content,
deflated or stored. Stored entries start on a 4-byte boundary and stored ``.so`` files on a
16 KiB one (what ``zipalign -p`` and Android 15's 16 KiB pages want), padded with the
alignment extra field apksigner uses (id 0xD935). ``sections()`` returns the
``ZipSections`` the v2/v3 signer digests.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from apk.file_bytes import FileSpan
from apk.sections import EOCD_SIGNATURE, ZipSections
from apk.zip_read import (
    CENTRAL_SIGNATURE,
    DEFLATED,
    FLAG_DATA_DESCRIPTOR,
    FLAG_UTF8,
    LOCAL_SIGNATURE,
    STORED,
    ZipArchive,
    ZipEntry,
)

STORED_ALIGNMENT = 4
COMPRESS_LEVEL = 6
NATIVE_LIBRARY_ALIGNMENT = 16384
ALIGNMENT_EXTRA_ID = 0xD935  # apksigner's "alignment" extra field
_DROPPED_EXTRA_IDS = (ALIGNMENT_EXTRA_ID, 0x0000)  # old zipalign pads with zero bytes
_MAX_U32 = 0xFFFFFFFF
_MAX_ENTRIES = 0xFFFF
_DOS_DATE = (1 << 9) | (1 << 5) | 1  # 1981-01-01, as the Android Gradle plugin writes
_DOS_TIME = (1 << 11) | (1 << 5)  # 01:01:00
_VERSION_DEFLATE = 20
_VERSION_STORED = 10
_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_EOCD = struct.Struct("<4s4H2LH")

Piece = bytes | memoryview | FileSpan  # a span: a copied entry's data, still in its file


def alignment_for(name: str, stored: bool) -> int:
    """Where a stored entry's data must start: 16 KiB for ``.so``, else 4; 1 if deflated."""
    if not stored:
        return 1
    return NATIVE_LIBRARY_ALIGNMENT if name.endswith(".so") else STORED_ALIGNMENT


@dataclass(frozen=True)
class EntryAttributes:
    """Header fields a new entry takes over (from the entry it replaces, or defaults)."""

    dos_time: int = _DOS_TIME
    dos_date: int = _DOS_DATE
    version_made_by: int = _VERSION_DEFLATE
    internal_attr: int = 0
    external_attr: int = 0

    @classmethod
    def of(cls, entry: ZipEntry) -> EntryAttributes:
        return cls(
            entry.dos_time,
            entry.dos_date,
            entry.version_made_by,
            entry.internal_attr,
            entry.external_attr,
        )


class ZipWriter:
    """Builds the entry section and central directory of one archive in memory."""

    def __init__(self) -> None:
        self._parts: list[Piece] = []
        self._central: list[bytes] = []
        self._offset = 0
        self._names: set[str] = set()

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self._names)

    def written(self) -> bytes:
        """The entry section written so far (joined once, then kept)."""
        first = self._parts[0] if len(self._parts) == 1 else None
        if isinstance(first, bytes):
            return first
        joined = join_pieces(self._parts)
        self._parts = [joined]
        return joined

    @property
    def size(self) -> int:
        """The length of the entry section written so far."""
        return self._offset

    def pieces(self) -> tuple[Piece, ...]:
        """The entry section written so far, in pieces (copied entries' data are views of
        their archive's bytes, or spans of its file): write or hash them in order, without
        joining them."""
        return tuple(self._parts)

    def fork(self) -> ZipWriter:
        """A writer that goes on from what this one holds; both can then diverge.

        Clones share every untouched entry: write those once, fork once per clone.
        """
        other = ZipWriter()
        other._parts = list(self._parts)
        other._central = list(self._central)
        other._offset = self._offset
        other._names = set(self._names)
        return other

    def copy(self, archive: ZipArchive, entry: ZipEntry) -> None:
        """Write ``entry`` of ``archive`` with its compressed bytes unchanged (odd method: 8)."""
        flags = entry.flags & ~FLAG_DATA_DESCRIPTOR  # sizes and CRC go in the local header
        method = STORED if entry.is_stored else DEFLATED  # what Android reads an odd method as
        header = _Header(
            entry.raw_name, flags, method, entry.crc32, entry.compressed_size,
            entry.uncompressed_size, entry.version_needed, EntryAttributes.of(entry),
        )  # fmt: skip
        extra = _kept_extra(entry.local_extra)
        self._write(
            entry.name, header, extra, entry.central_extra, entry.comment, archive.span(entry)
        )

    def add(
        self,
        name: str,
        content: bytes,
        *,
        compress: bool,
        alignment: int | None = None,
        attributes: EntryAttributes | None = None,
    ) -> None:
        """Write new content; ``alignment`` overrides :func:`alignment_for` for stored data."""
        if compress:
            deflater = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
            data = deflater.compress(content) + deflater.flush()
            method, needed = DEFLATED, _VERSION_DEFLATE
        else:
            data, method, needed = content, STORED, _VERSION_STORED
        raw_name = name.encode("utf-8")
        flags = FLAG_UTF8 if not raw_name.isascii() else 0
        header = _Header(
            raw_name, flags, method, zlib.crc32(content), len(data), len(content), needed,
            attributes or EntryAttributes(),
        )  # fmt: skip
        self._write(name, header, b"", b"", b"", data, alignment)

    def sections(self, comment: bytes = b"") -> ZipSections:
        """The finished archive's three sections (entries, central directory, EOCD)."""
        central, eocd = self.directory(comment)
        return ZipSections(join_pieces(self._parts), central, eocd)

    def directory(self, comment: bytes = b"") -> tuple[bytes, bytes]:
        """The central directory and EOCD record (with ``comment``) after the entries."""
        count = len(self._central)
        if count > _MAX_ENTRIES:
            raise ValueError(f"{count} entries need zip64, which is not supported")
        central = b"".join(self._central)
        if self._offset + len(central) > _MAX_U32:
            raise ValueError(f"an archive of {self._offset} bytes needs zip64 (not supported)")
        eocd = _EOCD.pack(
            EOCD_SIGNATURE, 0, 0, count, count, len(central), self._offset, len(comment)
        )
        return central, eocd + comment

    def _write(
        self,
        name: str,
        header: _Header,
        local_extra: bytes,
        central_extra: bytes,
        comment: bytes,
        data: Piece,
        alignment: int | None = None,
    ) -> None:
        if name in self._names:
            raise ValueError(f"entry {name!r} is written twice")
        if alignment is None:
            alignment = alignment_for(name, header.method == STORED)
        if header.method == STORED and alignment > 1:
            start = self._offset + _LOCAL.size + len(header.raw_name) + len(local_extra)
            local_extra += _alignment_extra(start, alignment)
        local = header.local(local_extra)
        self._central.append(header.central(central_extra, comment, self._offset))
        self._parts += (local, data)
        self._offset += len(local) + len(data)
        self._names.add(name)


@dataclass(frozen=True)
class _Header:
    raw_name: bytes
    flags: int
    method: int
    crc32: int
    compressed_size: int
    uncompressed_size: int
    version_needed: int
    attributes: EntryAttributes

    def local(self, extra: bytes) -> bytes:
        a = self.attributes
        fixed = _LOCAL.pack(
            LOCAL_SIGNATURE, self.version_needed, self.flags, self.method, a.dos_time,
            a.dos_date, self.crc32, self.compressed_size, self.uncompressed_size,
            len(self.raw_name), len(extra),
        )  # fmt: skip
        return fixed + self.raw_name + extra

    def central(self, extra: bytes, comment: bytes, offset: int) -> bytes:
        if offset > _MAX_U32:
            raise ValueError(f"entry offset {offset} needs zip64, which is not supported")
        a = self.attributes
        fixed = _CENTRAL.pack(
            CENTRAL_SIGNATURE, a.version_made_by, self.version_needed, self.flags, self.method,
            a.dos_time, a.dos_date, self.crc32, self.compressed_size, self.uncompressed_size,
            len(self.raw_name), len(extra), len(comment), 0, a.internal_attr, a.external_attr,
            offset,
        )  # fmt: skip
        return fixed + self.raw_name + extra + comment


def join_pieces(pieces: Sequence[Piece]) -> bytes:
    """The pieces as one ``bytes`` (spans read from their file)."""
    return b"".join(p.read() if isinstance(p, FileSpan) else p for p in pieces)


def _alignment_extra(data_start: int, alignment: int) -> bytes:
    """An 0xD935 extra field (>= 6 bytes) that moves ``data_start`` onto ``alignment``."""
    padding = (-(data_start + 6)) % alignment
    return struct.pack("<HHH", ALIGNMENT_EXTRA_ID, 2 + padding, alignment) + bytes(padding)


def _kept_extra(extra: bytes) -> bytes:
    """The local extra records worth keeping: all but alignment padding (and junk)."""
    kept: list[bytes] = []
    for record_id, record in _extra_records(extra):
        if record_id not in _DROPPED_EXTRA_IDS:
            kept.append(record)
    return b"".join(kept)


def _extra_records(extra: bytes) -> Sequence[tuple[int, bytes]]:
    records: list[tuple[int, bytes]] = []
    pos = 0
    while pos + 4 <= len(extra):
        record_id, size = struct.unpack_from("<HH", extra, pos)
        if pos + 4 + size > len(extra):
            return []  # not well-formed records (e.g. zipalign's zero padding): keep none
        records.append((record_id, extra[pos : pos + 4 + size]))
        pos += 4 + size
    return records if pos == len(extra) else []
