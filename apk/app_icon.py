"""An app's face: its label and launcher icon, read from the APK without aapt.

``app_face(apk)`` resolves ``<application android:label>`` through the default
configuration of ``resources.arsc`` (``arsc_values``), and ``android:roundIcon`` /
``android:icon`` through *every* density of the table: each ``ResTable_type`` chunk whose
configuration differs from the default at most in its density and SDK version is a
candidate, references are followed, and the file with the highest density that is a raster
image (PNG, WebP, JPEG; ``nodpi`` counts as the highest) wins. An XML drawable (an
``adaptive-icon`` in ``mipmap-anydpi-v26``, a vector) is not drawn here: the next raster
density is used instead, as a pre-Oreo launcher would. ``round_icon`` is preferred only when
it has a raster; ``None`` when the app has no raster icon at all (the launcher's letter
avatar is the fallback).

Configuration layout (``ResTable_config``): density is the u16 at offset 14, sdkVersion
and minorVersion the u16s at 24 and 26; ``0xfffe`` is ``anydpi``, ``0xffff`` ``nodpi``.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

from apk.android_attrs import LABEL
from apk.arsc import (
    RES_TABLE_PACKAGE_TYPE,
    TABLE_HEADER_SIZE,
    ArscFormatError,
    chunks,
    table_header,
)
from apk.arsc_values import (
    MAX_REFERENCE_DEPTH,
    RES_TABLE_TYPE_TYPE,
    TYPE_REFERENCE,
    TYPE_STRING,
    ResourceTable,
    TypeChunk,
    _entry,
    _type_chunk,
    _u32,
    resolve_string,
)
from apk.axml.document import parse as parse_axml
from apk.source import SourceApk
from apk.zip_read import ZipFormatError

ICON = 0x01010002
ROUND_ICON = 0x0101052C
ANY_DPI = 0xFFFE
NO_DPI = 0xFFFF
ICON_LIMIT = 4 * 1024 * 1024  # bytes of one icon file
_CONFIG_AT = 20  # the configuration's offset in a ResTable_type header
_FREE = frozenset({14, 15, 24, 25, 26, 27})  # density, sdkVersion, minorVersion
_RASTER = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg"}


@dataclass(frozen=True)
class AppIcon:
    """One icon file: its path in the APK, density (dpi; ``NO_DPI`` for nodpi) and bytes."""

    path: str
    density: int
    data: bytes
    ext: str  # png, webp or jpg


@dataclass(frozen=True)
class AppFace:
    """What a launcher shows for an app: its label (None if unresolved) and icon."""

    package: str
    label: str | None
    icon: AppIcon | None


def app_face(apk: SourceApk) -> AppFace:
    """The label and best raster icon of ``apk`` (a base APK). Malformed resources give
    ``None`` for what they hide, never an error: a face is a nicety."""
    label = icon = None
    try:
        table = apk.resources()
    except (ArscFormatError, ValueError):
        table = None
    root = _application_attrs(apk.manifest)
    raw_label = root.get(LABEL)
    if raw_label is not None:
        kind, value = raw_label
        if kind == TYPE_STRING:
            label = str(value)
        elif kind == TYPE_REFERENCE and table is not None:
            try:
                label = resolve_string([table], int(value))
            except ArscFormatError:
                label = None
    if table is not None:
        for attr in (ROUND_ICON, ICON):
            ref = root.get(attr)
            if ref is not None and ref[0] == TYPE_REFERENCE:
                icon = best_icon(apk, table, int(ref[1]))
                if icon is not None:
                    break
    return AppFace(apk.package, label or None, icon)


def best_icon(apk: SourceApk, table: ResourceTable, res_id: int) -> AppIcon | None:
    """The highest-density raster file ``res_id`` stands for, or None."""
    try:
        candidates = sorted(set(icon_files(table, res_id)), key=lambda c: -_rank(c[0]))
    except ArscFormatError:
        return None
    for density, path in candidates:
        try:
            data = apk.archive.read(path, ICON_LIMIT)
        except (ZipFormatError, KeyError, ValueError):
            continue
        ext = image_kind(data)
        if ext is not None:
            return AppIcon(path, density, data, ext)
    return None


def image_kind(data: bytes) -> str | None:
    """``png``, ``webp`` or ``jpg`` from the file's magic bytes; None for anything else."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return next((kind for magic, kind in _RASTER.items() if data.startswith(magic)), None)


def icon_files(table: ResourceTable, res_id: int, depth: int = 0) -> Iterator[tuple[int, str]]:
    """(density, file path) for every density variant of ``res_id``, references followed."""
    if depth > MAX_REFERENCE_DEPTH:
        raise ArscFormatError(f"resources.arsc: references from {res_id:#010x} loop")
    package, type_id, index = res_id >> 24, (res_id >> 16) & 0xFF, res_id & 0xFFFF
    for density, chunk in _density_chunks(table).get((package, type_id), ()):
        entry = _entry(table.data, chunk, index)
        if entry is None or entry.value is None:
            continue
        if entry.value.data_type == TYPE_STRING:
            yield density, table.string(entry.value.data)
        elif entry.value.data_type == TYPE_REFERENCE and entry.value.data:
            for inner, path in icon_files(table, entry.value.data, depth + 1):
                yield (inner if density == 0 else density), path


def _rank(density: int) -> int:
    if density == NO_DPI:
        return 100_000
    if density == ANY_DPI:
        return -1  # XML only, in practice
    return density or 160  # the default configuration is mdpi


_Chunks = dict[tuple[int, int], list[tuple[int, TypeChunk]]]
_CACHE: list[tuple[bytes, _Chunks]] = []  # the last table's (held, so its id is not reused)


def _density_chunks(table: ResourceTable) -> _Chunks:
    """The type chunks whose configuration varies at most in density and SDK version."""
    data = table.data
    if _CACHE and _CACHE[0][0] is data:
        return _CACHE[0][1]
    result: _Chunks = {}
    end, _ = table_header(data)
    for chunk in chunks(data, TABLE_HEADER_SIZE, end):
        if chunk.type != RES_TABLE_PACKAGE_TYPE:
            continue
        package_id = _u32(data, chunk.offset + 8)
        offset = _u32(data, chunk.offset + 284) if chunk.header_size >= 288 else 0
        for child in chunks(data, chunk.offset + chunk.header_size, chunk.end):
            if child.type != RES_TABLE_TYPE_TYPE:
                continue
            density = _plain_density(data, child.offset)
            if density is None:
                continue
            type_id, _ = _type_chunk(data, child)
            at = child.offset
            _, flags, _, count, start = struct.unpack_from("<BBHII", data, at + 8)
            typed = TypeChunk(at, child.size, child.header_size, flags, count, start)
            result.setdefault((package_id, type_id + offset), []).append((density, typed))
    _CACHE[:] = [(data, result)]
    return result


def _plain_density(data: bytes, at: int) -> int | None:
    """The density of the type chunk at ``at`` if nothing else but its SDK version is set."""
    size = _u32(data, at + _CONFIG_AT)
    config = data[at + _CONFIG_AT : at + _CONFIG_AT + size]
    if any(b for i, b in enumerate(config) if i >= 4 and i not in _FREE):
        return None
    return int.from_bytes(config[14:16], "little") if len(config) >= 16 else 0


def _application_attrs(manifest: bytes) -> dict[int, tuple[int, int | str]]:
    """``<application>``'s attributes by resource id: (data type, data or literal text)."""
    try:
        doc = parse_axml(manifest)
    except ValueError:
        return {}
    for ref in doc.elements():
        if ref.tag != "application":
            continue
        found: dict[int, tuple[int, int | str]] = {}
        for attr in ref.element.attributes:
            rid = doc.attribute_id(attr)
            if rid is None:
                continue
            if attr.value.data_type == TYPE_STRING:
                found[rid] = (TYPE_STRING, doc.attribute_string(attr) or "")
            else:
                found[rid] = (attr.value.data_type, attr.value.data)
        return found
    return {}
