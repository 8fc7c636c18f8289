"""Bounds-checked little-endian reads and the ResChunk_header every AXML chunk starts with."""

from __future__ import annotations

import struct
from dataclasses import dataclass

NO_INDEX = 0xFFFFFFFF  # "no string" in every string reference

# ResChunk_header.type values used in compiled XML (AOSP ResourceTypes.h)
RES_STRING_POOL_TYPE = 0x0001
RES_XML_TYPE = 0x0003
RES_XML_START_NAMESPACE_TYPE = 0x0100
RES_XML_END_NAMESPACE_TYPE = 0x0101
RES_XML_START_ELEMENT_TYPE = 0x0102
RES_XML_END_ELEMENT_TYPE = 0x0103
RES_XML_CDATA_TYPE = 0x0104
RES_XML_RESOURCE_MAP_TYPE = 0x0180

CHUNK_HEADER_SIZE = 8


class AxmlError(ValueError):
    """Not a well-formed Android binary XML document, or an edit it cannot take."""


def u16(data: bytes, offset: int, end: int) -> int:
    if offset < 0 or offset + 2 > end:
        raise AxmlError(f"truncated: need 2 bytes at offset {offset:#x}, data ends at {end:#x}")
    return int.from_bytes(data[offset : offset + 2], "little")


def u32(data: bytes, offset: int, end: int) -> int:
    if offset < 0 or offset + 4 > end:
        raise AxmlError(f"truncated: need 4 bytes at offset {offset:#x}, data ends at {end:#x}")
    return int.from_bytes(data[offset : offset + 4], "little")


@dataclass(frozen=True)
class ChunkHeader:
    """A chunk at ``offset``: ``type``, ``header_size`` and total ``size`` (all checked to fit)."""

    offset: int
    type: int
    header_size: int
    size: int

    @property
    def end(self) -> int:
        return self.offset + self.size

    @property
    def body(self) -> int:
        return self.offset + self.header_size


def read_chunk_header(data: bytes, offset: int, end: int) -> ChunkHeader:
    """The header of the chunk at ``offset``, which must lie wholly within ``[offset, end)``."""
    if offset + CHUNK_HEADER_SIZE > end:
        raise AxmlError(f"truncated chunk header at offset {offset:#x} ({end - offset} bytes left)")
    ctype, header_size, size = struct.unpack_from("<HHI", data, offset)
    if header_size < CHUNK_HEADER_SIZE or size < header_size:
        raise AxmlError(
            f"chunk type {ctype:#06x} at offset {offset:#x} has header size {header_size} "
            f"and size {size}"
        )
    if offset + size > end:
        raise AxmlError(
            f"chunk type {ctype:#06x} at offset {offset:#x} claims {size} bytes "
            f"but only {end - offset} remain"
        )
    return ChunkHeader(offset, ctype, header_size, size)


def pack_chunk_header(ctype: int, header_size: int, size: int) -> bytes:
    return struct.pack("<HHI", ctype, header_size, size)
