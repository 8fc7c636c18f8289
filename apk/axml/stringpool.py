"""ResStringPool: the strings (UTF-8 or UTF-16) and style spans of a compiled XML document.

A parsed pool keeps its original bytes and writes them back unchanged until it is edited;
an edited pool is encoded canonically (the way aapt2 lays it out).
"""

from __future__ import annotations

import array
import struct
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from apk.axml._reader import (
    NO_INDEX,
    RES_STRING_POOL_TYPE,
    AxmlError,
    ChunkHeader,
    pack_chunk_header,
    u16,
    u32,
)

SORTED_FLAG = 0x1
UTF8_FLAG = 0x100
POOL_HEADER_SIZE = 28
SPAN_END = NO_INDEX
_MAX_UTF8_LENGTH = 0x7FFF
_MAX_UTF16_LENGTH = 0x7FFFFFFF


@dataclass(frozen=True, slots=True)
class Span:
    """A ResStringPool_span: the style tag ``name`` (a string index) over chars first..last."""

    name: int
    first: int
    last: int


@dataclass(frozen=True, slots=True)
class StringPool:
    """Strings, their styles (``styles[i]`` styles ``strings[i]``) and the pool flags."""

    strings: tuple[str, ...] = ()
    styles: tuple[tuple[Span, ...], ...] = ()
    flags: int = UTF8_FLAG
    raw: bytes | None = field(default=None, compare=False, repr=False)

    @property
    def utf8(self) -> bool:
        return bool(self.flags & UTF8_FLAG)

    def with_strings(
        self, strings: tuple[str, ...], styles: tuple[tuple[Span, ...], ...]
    ) -> StringPool:
        """An edited copy: no longer sorted, encoded afresh when written."""
        return replace(
            self, strings=strings, styles=styles, flags=self.flags & ~SORTED_FLAG, raw=None
        )

    def to_bytes(self) -> bytes:
        return self.raw if self.raw is not None else encode_string_pool(self)


# ---------------------------------------------------------------------------------------- reading


def _utf8_length(data: bytes, offset: int, end: int) -> tuple[int, int]:
    if offset >= end:
        raise AxmlError(f"truncated string length at offset {offset:#x}")
    first = data[offset]
    if not first & 0x80:
        return first, offset + 1
    if offset + 1 >= end:
        raise AxmlError(f"truncated string length at offset {offset:#x}")
    return ((first & 0x7F) << 8) | data[offset + 1], offset + 2


def _decode_utf8(data: bytes, offset: int, end: int) -> tuple[str, int]:
    _, offset = _utf8_length(data, offset, end)  # UTF-16 length, implied by the text
    size, offset = _utf8_length(data, offset, end)
    if offset + size > end:
        raise AxmlError(f"string at offset {offset:#x} claims {size} bytes past the string data")
    try:
        return data[offset : offset + size].decode("utf-8", "surrogatepass"), size
    except UnicodeDecodeError as e:
        raise AxmlError(f"string at offset {offset:#x} is not valid UTF-8: {e.reason}") from e


def _decode_utf16(data: bytes, offset: int, end: int) -> tuple[str, int]:
    length = u16(data, offset, end)
    offset += 2
    if length & 0x8000:
        length = ((length & 0x7FFF) << 16) | u16(data, offset, end)
        offset += 2
    if offset + 2 * length > end:
        raise AxmlError(f"string at offset {offset:#x} claims {length} chars past the string data")
    return data[offset : offset + 2 * length].decode("utf-16-le", "surrogatepass"), 2 * length


def _read_styles(
    data: bytes, start: int, offsets: Sequence[int], end: int
) -> tuple[tuple[Span, ...], ...]:
    seen: dict[int, tuple[Span, ...]] = {}
    budget = (end - start) // 4 + 16  # spans read; overlapping style lists must stay cheap
    styles = []
    for rel in offsets:
        if rel not in seen:
            spans: list[Span] = []
            pos = start + rel
            while (name := u32(data, pos, end)) != SPAN_END:
                spans.append(Span(name, u32(data, pos + 4, end), u32(data, pos + 8, end)))
                pos += 12
                budget -= 1
                if budget < 0:
                    raise AxmlError("string pool style spans overlap far more than real pools do")
            seen[rel] = tuple(spans)
        styles.append(seen[rel])
    return tuple(styles)


def parse_string_pool(data: bytes, header: ChunkHeader) -> StringPool:
    """The pool in chunk ``header`` of ``data``; every offset and length is checked."""
    base, end = header.offset, header.end
    if header.header_size < POOL_HEADER_SIZE:
        raise AxmlError(f"string pool header is {header.header_size} bytes, expected >= 28")
    count, style_count, flags, strings_start, styles_start = struct.unpack_from(
        "<IIIII", data, base + 8
    )
    index_end = header.header_size + 4 * (count + style_count)
    if index_end > header.size:
        raise AxmlError(
            f"string pool claims {count} strings and {style_count} styles, "
            f"more than its {header.size} bytes can index"
        )
    offsets = array.array("I", data[header.body : base + index_end])  # compact: 4 bytes each
    if sys.byteorder == "big":
        offsets.byteswap()
    strings_end = header.size
    if style_count:
        if not strings_start <= styles_start < header.size:
            raise AxmlError(f"string pool styles start {styles_start} is outside the chunk")
        strings_end = styles_start
    if count and not index_end <= strings_start < strings_end:
        raise AxmlError(f"string pool strings start {strings_start} is outside the chunk")
    strings = _read_strings(data, base + strings_start, offsets[:count], base + strings_end, flags)
    styles = _read_styles(data, base + styles_start, offsets[count:], end) if style_count else ()
    return StringPool(strings, styles, flags, raw=bytes(data[base:end]))


def _read_strings(
    data: bytes, start: int, offsets: Sequence[int], end: int, flags: int
) -> tuple[str, ...]:
    decode = _decode_utf8 if flags & UTF8_FLAG else _decode_utf16
    seen: dict[int, str] = {}
    budget = 4 * (end - start) + 4096  # overlapping strings must not decode without bound
    out = []
    for rel in offsets:
        text = seen.get(rel)
        if text is None:
            if start + rel >= end:
                raise AxmlError(f"string offset {rel} lies outside the string data")
            text, used = decode(data, start + rel, end)
            budget -= used
            if budget < 0:
                raise AxmlError("string pool strings overlap far more than real pools do")
            seen[rel] = text
        out.append(text)
    return tuple(out)


# ---------------------------------------------------------------------------------------- writing


def _encode_utf8(text: str) -> bytes:
    body = text.encode("utf-8", "surrogatepass")
    units = len(text.encode("utf-16-le", "surrogatepass")) // 2
    if units > _MAX_UTF8_LENGTH or len(body) > _MAX_UTF8_LENGTH:
        raise AxmlError(f"string of {len(body)} bytes is too long for a UTF-8 string pool")

    def length(n: int) -> bytes:
        return bytes([n]) if n < 0x80 else bytes([0x80 | (n >> 8), n & 0xFF])

    return length(units) + length(len(body)) + body + b"\0"


def _encode_utf16(text: str) -> bytes:
    body = text.encode("utf-16-le", "surrogatepass")
    units = len(body) // 2
    if units > _MAX_UTF16_LENGTH:
        raise AxmlError(f"string of {units} chars is too long for a string pool")
    prefix = (
        struct.pack("<H", units)
        if units < 0x8000
        else struct.pack("<HH", 0x8000 | (units >> 16), units & 0xFFFF)
    )
    return prefix + body + b"\0\0"


def _pad4(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


def encode_string_pool(pool: StringPool) -> bytes:
    """The canonical chunk for ``pool`` (its ``raw`` bytes are ignored)."""
    if len(pool.styles) > len(pool.strings):
        raise AxmlError(f"{len(pool.styles)} styles for only {len(pool.strings)} strings")
    encode = _encode_utf8 if pool.utf8 else _encode_utf16
    string_offsets, strings_data = [], bytearray()
    for text in pool.strings:
        string_offsets.append(len(strings_data))
        strings_data += encode(text)
    strings_blob = _pad4(bytes(strings_data))
    style_offsets, styles_data = [], bytearray()
    for spans in pool.styles:
        style_offsets.append(len(styles_data))
        for span in spans:
            styles_data += struct.pack("<III", span.name, span.first, span.last)
        styles_data += struct.pack("<I", SPAN_END)
    if pool.styles:
        styles_data += struct.pack("<II", SPAN_END, SPAN_END)
    index = struct.pack(
        f"<{len(string_offsets) + len(style_offsets)}I", *string_offsets, *style_offsets
    )
    strings_start = POOL_HEADER_SIZE + len(index) if pool.strings else 0
    styles_start = POOL_HEADER_SIZE + len(index) + len(strings_blob) if pool.styles else 0
    size = POOL_HEADER_SIZE + len(index) + len(strings_blob) + len(styles_data)
    header = pack_chunk_header(RES_STRING_POOL_TYPE, POOL_HEADER_SIZE, size) + struct.pack(
        "<IIIII", len(pool.strings), len(pool.styles), pool.flags, strings_start, styles_start
    )
    return header + index + strings_blob + bytes(styles_data)
