"""Small synthetic APKs and zips for container tests and bad-input cases.

Real APKs (tests/realapks.py) are what the pipeline is checked on; these are for shapes
real files do not have: lying sizes, hostile names, a manifest of a framework package.
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib
from collections.abc import Iterable

from apk import android_attrs as attrs
from apk.axml import TYPE_INT_DEC, ResValue, XmlAttr, XmlElement, build_document

Entry = tuple[str, bytes, int]  # name, content, zipfile compression


def manifest(
    package: str = "org.example.app",
    *,
    split: str | None = None,
    shared_user_id: str | None = None,
    version_code: int = 7,
    permission: bool = True,
) -> bytes:
    """A compiled manifest with an activity, a provider and (optionally) a permission."""
    code = ResValue(TYPE_INT_DEC, version_code)
    root_attrs = [XmlAttr("versionCode", code, attrs.VERSION_CODE)]
    if shared_user_id:
        root_attrs.append(XmlAttr("sharedUserId", shared_user_id, attrs.SHARED_USER_ID))
    root_attrs.append(XmlAttr("package", package))
    if split:
        root_attrs.append(XmlAttr("split", split))
    children = []
    if permission:
        children.append(
            XmlElement("permission", (XmlAttr("name", f"{package}.SECRET", attrs.NAME),))
        )
    provider = XmlElement(
        "provider",
        (
            XmlAttr("name", ".Files", attrs.NAME),
            XmlAttr("authorities", f"{package}.files", attrs.AUTHORITIES),
        ),
    )
    activity = XmlElement("activity", (XmlAttr("name", ".Main", attrs.NAME),))
    children.append(XmlElement("application", (), (activity, provider)))
    root = XmlElement("manifest", tuple(root_attrs), tuple(children))
    return build_document(root).to_bytes()


def zip_bytes(entries: Iterable[Entry]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, content, method in entries:
            info = zipfile.ZipInfo(name, (1981, 1, 1, 1, 1, 2))
            info.compress_type = method
            zf.writestr(info, content)
    return out.getvalue()


def apk_bytes(manifest_data: bytes | None = None, *extra: Entry) -> bytes:
    """A zip with ``AndroidManifest.xml`` (default: :func:`manifest`), a dex and ``extra``."""
    entries: list[Entry] = []
    if manifest_data is not None:
        entries.append(("AndroidManifest.xml", manifest_data, zipfile.ZIP_DEFLATED))
    entries.append(("classes.dex", b"dex\n035\x00" + bytes(100), zipfile.ZIP_DEFLATED))
    entries.append(("res/raw/data.bin", bytes(range(256)) * 8, zipfile.ZIP_STORED))
    return zip_bytes([*entries, *extra])


def deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def bomb_zip(declared_size: int, real_size: int) -> bytes:
    """A zip whose manifest inflates to ``real_size`` zero bytes but says ``declared_size``."""
    data, crc = _zeros_deflated(real_size)
    return raw_zip([("AndroidManifest.xml", data, 8, crc, declared_size)])


@functools.cache
def _zeros_deflated(size: int) -> tuple[bytes, int]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = [compressor.compress(block) for _ in range(size >> 20)]
    crc = 0
    for _ in range(size >> 20):
        crc = zlib.crc32(block, crc)
    return b"".join(parts) + compressor.flush(), crc


def raw_zip(entries: Iterable[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip from (name, raw data, method, crc, uncompressed size) with no checks at all."""
    local, central = bytearray(), bytearray()
    count = 0
    for name, data, method, crc, size in entries:
        raw_name = name.encode()
        offset = len(local)
        local += struct.pack(
            "<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0, crc, len(data), size, len(raw_name), 0
        )
        local += raw_name + data
        central += struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0, crc, len(data), size,
            len(raw_name), 0, 0, 0, 0, 0, offset,
        )  # fmt: skip
        central += raw_name
        count += 1
    eocd = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(central), len(local), 0)
    return bytes(local + central + eocd)


def with_method(data: bytes, name: str, method: int) -> bytes:
    """``data`` with entry ``name``'s compression method set to ``method`` in both of its
    headers (the data is left as it is, like apksig's ``weird-compression-method.apk``)."""
    out = bytearray(data)
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo(name)
    struct.pack_into("<H", out, info.header_offset + 8, method)
    eocd = data.rfind(b"PK\x05\x06")
    cd_offset = struct.unpack_from("<I", data, eocd + 16)[0]
    pos = data.find(b"PK\x01\x02", cd_offset)
    raw_name = name.encode()
    while pos >= 0:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46 : pos + 46 + name_len] == raw_name:
            struct.pack_into("<H", out, pos + 10, method)
            return bytes(out)
        pos = data.find(b"PK\x01\x02", pos + 46)
    raise KeyError(name)
