"""The probe's ``resources.arsc``: the smallest table ``aapt dump badging`` reads a label with.

The manifest's label is a literal, but aapt prints an app's labels once per configuration
of its resource table, so without a table it prints none. This one holds a single string,
``@string/label`` (the label again), in the default configuration. Laid out as AOSP's
``ResourceTypes.h`` describes (the shape of ``tests/apk/arsc_factory.py``): table header,
global string pool, one package (type and key pools, one type spec, one type chunk).
"""

from __future__ import annotations

import struct

from apk.axml import StringPool, encode_string_pool
from apk.axml.stringpool import UTF8_FLAG

PACKAGE_ID = 0x7F
_TABLE, _PACKAGE, _TYPE, _TYPE_SPEC = 0x0002, 0x0200, 0x0201, 0x0202
_PACKAGE_HEADER = 288
_CONFIG_SIZE = 64  # sizeof(ResTable_config) as aapt2 writes it
_TYPE_STRING = 0x03
_TYPE_ID = 1  # "string", the only type


def _pool(*strings: str) -> bytes:
    return encode_string_pool(StringPool(strings, (), UTF8_FLAG))


def _type_spec() -> bytes:
    return struct.pack("<HHIBBHI", _TYPE_SPEC, 16, 20, _TYPE_ID, 0, 1, 1) + struct.pack("<I", 0)


def _type() -> bytes:
    config = struct.pack("<I", _CONFIG_SIZE).ljust(_CONFIG_SIZE, b"\0")  # default: all zero
    offsets = struct.pack("<I", 0)
    entry = struct.pack("<HHI", 8, 0, 0) + struct.pack("<HBBI", 8, 0, _TYPE_STRING, 0)
    header_size = 20 + _CONFIG_SIZE
    start = header_size + len(offsets)
    header = struct.pack(
        "<HHIBBHII", _TYPE, header_size, start + len(entry), _TYPE_ID, 0, 0, 1, start
    )
    return header + config + offsets + entry


def _package(name: str) -> bytes:
    types, keys = _pool("string"), _pool("label")
    body = types + keys + _type_spec() + _type()
    header = struct.pack(
        "<HHII", _PACKAGE, _PACKAGE_HEADER, _PACKAGE_HEADER + len(body), PACKAGE_ID
    )
    header += name.encode("utf-16-le").ljust(256, b"\0")
    header += struct.pack("<IIIII", _PACKAGE_HEADER, 1, _PACKAGE_HEADER + len(types), 1, 0)
    return header + body


def probe_resources(package: str, label: str) -> bytes:
    """The table of ``package`` with ``@string/label`` = ``label`` (id 0x7f010000)."""
    body = _pool(label) + _package(package)
    return struct.pack("<HHII", _TABLE, 12, 12 + len(body), 1) + body
