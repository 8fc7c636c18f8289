"""The few DER encodings a JAR signature block needs (definite lengths only), and a reader
for the few structures read back (our own keys and certificates)."""

from __future__ import annotations

_SEQUENCE = 0x30
_SET = 0x31
_INTEGER = 0x02
_OCTET_STRING = 0x04
_NULL = b"\x05\x00"
_OID = 0x06
_BIT_STRING = 0x03
SEQUENCE = _SEQUENCE
INTEGER = _INTEGER
OCTET_STRING = _OCTET_STRING
OID = _OID
BIT_STRING = _BIT_STRING


def tlv(tag: int, content: bytes) -> bytes:
    """Tag, DER length, content."""
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        body = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(body)]) + body
    return bytes([tag]) + length + content


def sequence(*items: bytes) -> bytes:
    return tlv(_SEQUENCE, b"".join(items))


def set_of(*items: bytes) -> bytes:
    """A SET OF, its elements in DER order (sorted by encoding)."""
    return tlv(_SET, b"".join(sorted(items)))


def integer(value: int) -> bytes:
    """A (signed, two's complement) INTEGER."""
    size = value.bit_length() // 8 + 1  # room for the sign bit
    return tlv(_INTEGER, value.to_bytes(size, "big", signed=True))


def octet_string(value: bytes) -> bytes:
    return tlv(_OCTET_STRING, value)


def null() -> bytes:
    return _NULL


def oid(dotted: str) -> bytes:
    """An OBJECT IDENTIFIER from its dotted form, e.g. ``"1.2.840.113549.1.7.2"``."""
    parts = [int(p) for p in dotted.split(".")]
    if len(parts) < 2 or parts[0] > 2:
        raise ValueError(f"not an object identifier: {dotted!r}")
    arcs = [parts[0] * 40 + parts[1], *parts[2:]]
    body = bytearray()
    for arc in arcs:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    return tlv(_OID, bytes(body))


def context(number: int, content: bytes, *, constructed: bool = True) -> bytes:
    """A context-specific tag ``[number]`` around ``content`` (already-encoded elements)."""
    return tlv(0x80 | (0x20 if constructed else 0) | number, content)


def bit_string(value: bytes) -> bytes:
    """A BIT STRING of whole bytes (no unused bits)."""
    return tlv(_BIT_STRING, b"\x00" + value)


class DerError(ValueError):
    """Bytes that are not the DER structure expected."""


def read(data: bytes, pos: int = 0) -> tuple[int, bytes, int]:
    """The element at ``pos``: (tag, content, position after it); definite lengths only."""
    if pos + 2 > len(data):
        raise DerError("truncated DER element")
    tag, first = data[pos], data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            raise DerError("bad DER length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    end = pos + length
    if end > len(data):
        raise DerError("DER element runs past its end")
    return tag, data[pos:end], end


def read_all(data: bytes) -> list[tuple[int, bytes, bytes]]:
    """The elements ``data`` holds, one after another: (tag, content, whole encoding)."""
    items, pos = [], 0
    while pos < len(data):
        tag, content, end = read(data, pos)
        items.append((tag, content, data[pos:end]))
        pos = end
    return items


def expect(item: tuple[int, bytes, bytes], tag: int) -> bytes:
    """The content of ``item`` if its tag is ``tag``."""
    if item[0] != tag:
        raise DerError(f"DER tag {item[0]:#04x} where {tag:#04x} was expected")
    return item[1]


def read_integer(content: bytes) -> int:
    return int.from_bytes(content, "big", signed=True)
