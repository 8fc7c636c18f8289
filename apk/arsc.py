"""``resources.arsc``: rename the app's resource package, in place and at the same size.

A resource table is a ``RES_TABLE_TYPE`` chunk holding a string pool and one
``RES_TABLE_PACKAGE_TYPE`` chunk per package; the package header has a fixed field of 128
UTF-16 code units for the name. ``Resources.getIdentifier(name, type, getPackageName())``
looks packages up by that name, so a renamed clone needs its own package name there.
Only the app's package (id 0x7f) is renamed; every other byte stays as it was.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

from apk.axml._reader import ChunkHeader

RES_TABLE_TYPE = 0x0002
RES_STRING_POOL_TYPE = 0x0001
RES_TABLE_PACKAGE_TYPE = 0x0200
APP_PACKAGE_ID = 0x7F
NAME_UNITS = 128  # UTF-16 code units in the package name field, NUL included

_CHUNK = struct.Struct("<HHI")
TABLE_HEADER_SIZE = 12
_NAME_OFFSET = 12  # after type, headerSize, size, id
_PACKAGE_MIN_HEADER = _NAME_OFFSET + NAME_UNITS * 2 + 16  # 284: up to lastPublicKey


class ArscFormatError(ValueError):
    """The bytes are not a resource table, or its chunk sizes do not add up."""


@dataclass(frozen=True)
class ResourcePackage:
    """A package chunk of the table: its id, name and where the name field lies."""

    id: int
    name: str
    name_offset: int


def read_packages(table: bytes) -> tuple[ResourcePackage, ...]:
    """The table's package chunks, after checking the table's chunk structure."""
    size, declared = table_header(table)
    packages = [
        _package(table, chunk.offset, chunk.header_size)
        for chunk in chunks(table, TABLE_HEADER_SIZE, size)
        if chunk.type == RES_TABLE_PACKAGE_TYPE
    ]
    if len(packages) != declared:
        raise ArscFormatError(
            f"resources.arsc declares {declared} packages but holds {len(packages)}"
        )
    return tuple(packages)


def rename_package(table: bytes, new_name: str) -> bytes:
    """The table with the app package (id 0x7f) named ``new_name``; same size as before.

    A table without an 0x7f package (a resource-less split) is returned unchanged.
    """
    encoded = _encode_name(new_name)
    patched = bytearray(table)
    for package in read_packages(table):
        if package.id == APP_PACKAGE_ID:
            end = package.name_offset + len(encoded)
            patched[package.name_offset : end] = encoded
    return bytes(patched)


def table_header(table: bytes) -> tuple[int, int]:
    """The table's size and the number of packages it declares, after checking that it is
    one resource table chunk of exactly ``len(table)`` bytes."""
    if len(table) < TABLE_HEADER_SIZE:
        raise ArscFormatError(f"resources.arsc is too short ({len(table)} bytes)")
    chunk_type, header_size, size = _CHUNK.unpack_from(table, 0)
    if chunk_type != RES_TABLE_TYPE or header_size != TABLE_HEADER_SIZE:
        raise ArscFormatError(
            f"resources.arsc does not start with a resource table chunk "
            f"(type {chunk_type:#06x}, header size {header_size})"
        )
    if size != len(table):
        raise ArscFormatError(f"resources.arsc says it is {size} bytes but is {len(table)}")
    return size, int(struct.unpack_from("<I", table, 8)[0])


def chunks(table: bytes, start: int, end: int) -> Iterator[ChunkHeader]:
    """The chunks laid end to end in ``table[start:end]`` (the table's own, or a package's
    children), each checked to fit there and to be a whole number of 4-byte words."""
    pos = start
    while pos < end:
        if pos + _CHUNK.size > end:
            raise ArscFormatError(f"resources.arsc: truncated chunk header at offset {pos}")
        chunk_type, header_size, size = _CHUNK.unpack_from(table, pos)
        if header_size < _CHUNK.size or header_size > size or pos + size > end or size % 4:
            raise ArscFormatError(
                f"resources.arsc: chunk {chunk_type:#06x} at offset {pos} has header size "
                f"{header_size} and size {size}, which do not fit in {end - pos} bytes"
            )
        yield ChunkHeader(pos, chunk_type, header_size, size)
        pos += size


def _package(table: bytes, pos: int, header_size: int) -> ResourcePackage:
    if header_size < _PACKAGE_MIN_HEADER:
        raise ArscFormatError(
            f"resources.arsc: package chunk at offset {pos} has a {header_size}-byte header"
        )
    package_id = int(struct.unpack_from("<I", table, pos + 8)[0])
    name_offset = pos + _NAME_OFFSET
    raw = table[name_offset : name_offset + NAME_UNITS * 2]
    name = raw.decode("utf-16-le", errors="replace").split("\x00", 1)[0]
    return ResourcePackage(package_id, name, name_offset)


def _encode_name(name: str) -> bytes:
    encoded = name.encode("utf-16-le")
    if not name or "\x00" in name or len(encoded) // 2 >= NAME_UNITS:
        raise ValueError(
            f"package name {name!r} does not fit resources.arsc "
            f"(1 to {NAME_UNITS - 1} UTF-16 units, no NUL)"
        )
    return encoded + bytes(NAME_UNITS * 2 - len(encoded))
