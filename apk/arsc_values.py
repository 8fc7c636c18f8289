"""``resources.arsc`` values: the text a manifest's ``@string/…`` reference stands for.

``parse_table(data)`` indexes a resource table: its global string pool and, per resource
type, the type chunks of the *default configuration* (a ``ResTable_config`` that is all zero
after its ``size`` field). ``table.entry(res_id)`` is an entry there, and
``resolve_string(tables, res_id)`` follows references (``@string/a`` → ``@string/b`` → text)
for at most ``MAX_REFERENCE_DEPTH`` steps, as Android's ``AssetManager2`` does;
``resolve_value`` does the same for any simple value (a colour, a number).

Only the default configuration is read, because it is the only value a manifest attribute can
soundly be replaced with: Android reads provider authorities, permission names and the shared
user id with ``TypedArray.getNonConfigurationString``, which refuses a value that varies with
the configuration. An entry defined only under qualifiers (``values-fr``, ``values-v31``) is
therefore reported as absent (``None``), like an id the table does not hold; callers leave
such an attribute as it is.

Other readers need every configuration: an app's icon has one file per screen density.
``table.variants(res_id)`` gives each configuration (``Variant``: its ``ResTable_config``
bytes, e.g. ``density`` and ``sdk_version``) whose type chunk has an entry for ``res_id``,
with that entry, in file order.

Layouts (AOSP ``libs/androidfw/include/androidfw/ResourceTypes.h``): entry offsets as u32
(``NO_ENTRY`` 0xffffffff), ``FLAG_OFFSET16`` u16 offsets (times 4, 0xffff for none),
``FLAG_SPARSE`` (u16 index, u16 offset / 4) pairs sorted by index; full entries (``size``,
``flags``, key, then a ``Res_value`` at ``size``), ``FLAG_COMPLEX`` map entries (never a
string), and AAPT2's ``FLAG_COMPACT`` entries (``size`` holds the key index, the high byte of
``flags`` the data type, the key field the data). Malformed input raises ``ArscFormatError``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from apk.arsc import (
    RES_STRING_POOL_TYPE,
    RES_TABLE_PACKAGE_TYPE,
    TABLE_HEADER_SIZE,
    ArscFormatError,
    chunks,
    table_header,
)
from apk.axml._reader import AxmlError, ChunkHeader
from apk.axml.stringpool import StringPool, parse_string_pool

RES_TABLE_TYPE_TYPE = 0x0201
RES_TABLE_TYPE_SPEC_TYPE = 0x0202
TYPE_REFERENCE = 0x01
TYPE_STRING = 0x03
FLAG_SPARSE = 0x01  # ResTable_type.flags
FLAG_OFFSET16 = 0x02
FLAG_COMPLEX = 0x0001  # ResTable_entry.flags
FLAG_COMPACT = 0x0008
NO_ENTRY = 0xFFFFFFFF
NO_ENTRY16 = 0xFFFF
MAX_REFERENCE_DEPTH = 20  # AssetManager2::ResolveReference's kMaxIterations

_PACKAGE_MIN_HEADER = 284  # up to lastPublicKey; typeIdOffset (288) came later
_TYPE_ID_OFFSET_AT = 284
_SPEC_HEADER_SIZE = 16
_TYPE_FIXED_HEADER = 20  # chunk header, id, flags, reserved, entryCount, entriesStart
_ENTRY = struct.Struct("<HHI")  # size (compact: key), flags, key (compact: data)
_RES_VALUE = struct.Struct("<HBBI")  # size, res0, dataType, data
_MAP_ENTRY_SIZE = 16  # ResTable_entry + parent + count
_DENSITY_AND_SDK = frozenset({10, 11, 20, 21, 22, 23})  # in a config after its size field

Resolver = Callable[[int], str | None]


@dataclass(frozen=True)
class ResourceValue:
    """A ``Res_value``: for ``TYPE_STRING`` ``data`` indexes the table's string pool, for
    ``TYPE_REFERENCE`` it is the resource id referred to."""

    data_type: int
    data: int


@dataclass(frozen=True)
class Entry:
    """A resource's entry in the default configuration: ``key`` indexes the package's key
    strings; ``value`` is ``None`` for a map entry (a style, an array, a plural)."""

    key: int
    value: ResourceValue | None


@dataclass(frozen=True)
class TypeChunk:
    """A ``ResTable_type`` chunk at ``offset`` (header checked)."""

    offset: int
    size: int
    header_size: int
    flags: int
    entry_count: int
    entries_start: int


@dataclass(frozen=True)
class Variant:
    """A resource's entry in one configuration. ``config`` is the ``ResTable_config`` after
    its ``size`` field (AOSP ``ResourceTypes.h``), so its fields sit 4 bytes earlier than the
    struct's own offsets: density is the u16 at 10, sdkVersion and minorVersion at 20 and 22."""

    config: bytes
    entry: Entry

    @property
    def density(self) -> int:
        """The screen density in dpi; 0 for any (the default), 0xfffe anydpi, 0xffff nodpi."""
        return int.from_bytes(self.config[10:12], "little")

    @property
    def sdk_version(self) -> int:
        return int.from_bytes(self.config[20:22], "little")

    @property
    def density_only(self) -> bool:
        """True if the configuration sets nothing but density and SDK version (so it applies
        to every locale, orientation, night mode, screen size…)."""
        return not any(b for i, b in enumerate(self.config) if i not in _DENSITY_AND_SDK)


@dataclass(frozen=True)
class ResourceTable:
    """A parsed table: its bytes, global string pool and default-configuration type chunks
    by (package id, type id); ``configured`` holds the type chunks of every configuration
    (the default one too), with their configuration bytes."""

    data: bytes
    pool: StringPool
    types: Mapping[tuple[int, int], tuple[TypeChunk, ...]]
    configured: Mapping[tuple[int, int], tuple[tuple[bytes, TypeChunk], ...]] = field(
        default_factory=dict
    )

    def entry(self, res_id: int) -> Entry | None:
        """The entry of ``res_id`` (0xPPTTEEEE) in the default configuration, if there is one."""
        package, type_id, index = res_id >> 24, (res_id >> 16) & 0xFF, res_id & 0xFFFF
        for chunk in self.types.get((package, type_id), ()):
            found = _entry(self.data, chunk, index)
            if found is not None:
                return found
        return None

    def variants(self, res_id: int) -> Iterator[Variant]:
        """The entry of ``res_id`` in each configuration that has one, in file order."""
        package, type_id, index = res_id >> 24, (res_id >> 16) & 0xFF, res_id & 0xFFFF
        for config, chunk in self.configured.get((package, type_id), ()):
            found = _entry(self.data, chunk, index)
            if found is not None:
                yield Variant(config, found)

    def string(self, index: int) -> str:
        """The global pool's string ``index`` (what a ``TYPE_STRING`` value holds)."""
        if index >= len(self.pool.strings):
            raise ArscFormatError(
                f"resources.arsc: a value names string {index} of a pool of "
                f"{len(self.pool.strings)}"
            )
        return self.pool.strings[index]


def parse_table(data: bytes) -> ResourceTable:
    """Index the table ``data``: its chunk structure, pool and default type chunks are
    checked; entries are read (and checked) when looked up."""
    end, _ = table_header(data)
    pool = StringPool((), (), 0)
    seen_pool = False
    types: dict[tuple[int, int], list[TypeChunk]] = {}
    configured: dict[tuple[int, int], list[tuple[bytes, TypeChunk]]] = {}
    for chunk in chunks(data, TABLE_HEADER_SIZE, end):
        if chunk.type == RES_STRING_POOL_TYPE and not seen_pool:
            pool, seen_pool = _pool(data, chunk), True
        elif chunk.type == RES_TABLE_PACKAGE_TYPE:
            for key, config, found in _package(data, chunk):
                configured.setdefault(key, []).append((config, found))
                if not any(config):
                    types.setdefault(key, []).append(found)
    return ResourceTable(
        data,
        pool,
        {k: tuple(v) for k, v in types.items()},
        {k: tuple(v) for k, v in configured.items()},
    )


def resolve_string(tables: Sequence[ResourceTable], res_id: int) -> str | None:
    """The text ``res_id`` stands for in the default configuration, following references;
    each id is looked up in ``tables`` in order. ``None`` if an id along the way is in none
    of them (or only under qualifiers), or the value is not text (a map, a number, @null)."""
    found = _resolve(tables, res_id)
    if found is None or found[1].data_type != TYPE_STRING:
        return None
    return found[0].string(found[1].data)


def resolve_value(tables: Sequence[ResourceTable], res_id: int) -> ResourceValue | None:
    """The value ``res_id`` stands for in the default configuration, references followed as
    ``resolve_string`` does: never a ``TYPE_REFERENCE``; ``None`` for a map entry, @null or
    an id not in the default configuration of any of ``tables``. A ``TYPE_STRING`` value
    indexes the pool of the table it came from (use ``resolve_string`` for text)."""
    found = _resolve(tables, res_id)
    return None if found is None else found[1]


def _resolve(
    tables: Sequence[ResourceTable], res_id: int
) -> tuple[ResourceTable, ResourceValue] | None:
    current = res_id
    for _ in range(MAX_REFERENCE_DEPTH):
        found = next(((t, e) for t in tables if (e := t.entry(current)) is not None), None)
        if found is None or found[1].value is None:
            return None
        table, value = found[0], found[1].value
        if value.data_type != TYPE_REFERENCE:
            return table, value
        if value.data == 0:
            return None
        current = value.data
    raise ArscFormatError(
        f"resources.arsc: the references from {res_id:#010x} go more than "
        f"{MAX_REFERENCE_DEPTH} deep (a loop?)"
    )


def table_resolver(*loaders: Callable[[], ResourceTable | None]) -> Resolver:
    """A resolver over the tables ``loaders`` give (a ``None`` is skipped), tried in order.
    A loader is called on every lookup, so it should cache (and be cheap until needed)."""

    def resolve(res_id: int) -> str | None:
        tables = [t for load in loaders if (t := load()) is not None]
        return resolve_string(tables, res_id)

    return resolve


# ---------------------------------------------------------------------------------------- chunks


def _u16(data: bytes, offset: int) -> int:
    return int.from_bytes(data[offset : offset + 2], "little")


def _u32(data: bytes, offset: int) -> int:
    return int.from_bytes(data[offset : offset + 4], "little")


def _pool(data: bytes, chunk: ChunkHeader) -> StringPool:
    try:
        return parse_string_pool(data, chunk)
    except AxmlError as e:
        raise ArscFormatError(f"resources.arsc: the global string pool: {e}") from e


def _package(data: bytes, chunk: ChunkHeader) -> Iterator[tuple[tuple[int, int], bytes, TypeChunk]]:
    """The type chunks of a package, keyed (package id, type id), with their configuration."""
    if chunk.header_size < _PACKAGE_MIN_HEADER:
        raise ArscFormatError(
            f"resources.arsc: package chunk at offset {chunk.offset} has a "
            f"{chunk.header_size}-byte header"
        )
    package_id = _u32(data, chunk.offset + 8)
    type_id_offset = 0
    if chunk.header_size >= _TYPE_ID_OFFSET_AT + 4:
        type_id_offset = _u32(data, chunk.offset + _TYPE_ID_OFFSET_AT)
    for child in chunks(data, chunk.offset + chunk.header_size, chunk.end):
        if child.type == RES_TABLE_TYPE_SPEC_TYPE:
            _check_spec(data, child)
        elif child.type == RES_TABLE_TYPE_TYPE:
            type_id, config, found = _type_chunk(data, child)
            yield (package_id, type_id + type_id_offset), config, found


def _check_spec(data: bytes, chunk: ChunkHeader) -> None:
    if chunk.header_size < _SPEC_HEADER_SIZE:
        raise ArscFormatError(f"resources.arsc: type spec at offset {chunk.offset} is too short")
    count = _u32(data, chunk.offset + 12)
    if data[chunk.offset + 8] == 0 or chunk.header_size + 4 * count > chunk.size:
        raise ArscFormatError(
            f"resources.arsc: type spec at offset {chunk.offset} (id {data[chunk.offset + 8]}) "
            f"claims {count} entries in {chunk.size} bytes"
        )


def _type_chunk(data: bytes, chunk: ChunkHeader) -> tuple[int, bytes, TypeChunk]:
    """The type id of a ``ResTable_type``, its configuration (after the size field) and the
    chunk. Checked as ``LoadedArsc``'s ``VerifyResTableType`` does."""
    at = chunk.offset
    if chunk.header_size < _TYPE_FIXED_HEADER + 4:
        raise ArscFormatError(f"resources.arsc: type chunk at offset {at} is too short")
    type_id, flags, _, count, entries_start = struct.unpack_from("<BBHII", data, at + 8)
    config_size = _u32(data, at + _TYPE_FIXED_HEADER)
    if type_id == 0 or not 4 <= config_size <= chunk.header_size - _TYPE_FIXED_HEADER:
        raise ArscFormatError(
            f"resources.arsc: type chunk at offset {at} has type id {type_id} and a "
            f"{config_size}-byte configuration in a {chunk.header_size}-byte header"
        )
    width = 4 if flags & FLAG_SPARSE or not flags & FLAG_OFFSET16 else 2
    if (
        entries_start % 4
        or entries_start > chunk.size
        or entries_start - chunk.header_size < width * count
    ):
        raise ArscFormatError(
            f"resources.arsc: type chunk at offset {at} has {count} entry offsets and its "
            f"entries at {entries_start} in a {chunk.size}-byte chunk"
        )
    config = data[at + _TYPE_FIXED_HEADER + 4 : at + _TYPE_FIXED_HEADER + config_size]
    return (
        type_id,
        config,
        TypeChunk(at, chunk.size, chunk.header_size, flags, count, entries_start),
    )


# ---------------------------------------------------------------------------------------- entries


def _entry_offset(data: bytes, chunk: TypeChunk, index: int) -> int | None:
    """Where entry ``index`` starts, relative to the chunk's entries; ``None`` if absent."""
    offsets = chunk.offset + chunk.header_size
    if chunk.flags & FLAG_SPARSE:
        low, high = 0, chunk.entry_count
        while low < high:  # the pairs are sorted by index (LoadedArsc binary-searches too)
            middle = (low + high) // 2
            pair = offsets + 4 * middle
            entry_index = _u16(data, pair)
            if entry_index == index:
                return _u16(data, pair + 2) * 4
            low, high = (middle + 1, high) if entry_index < index else (low, middle)
        return None
    if index >= chunk.entry_count:
        return None
    if chunk.flags & FLAG_OFFSET16:
        offset = _u16(data, offsets + 2 * index)
        return None if offset == NO_ENTRY16 else offset * 4
    offset = _u32(data, offsets + 4 * index)
    return None if offset == NO_ENTRY else offset


def _entry(data: bytes, chunk: TypeChunk, index: int) -> Entry | None:
    offset = _entry_offset(data, chunk, index)
    if offset is None:
        return None
    start = chunk.entries_start + offset  # relative to the chunk
    if offset % 4 or start + _ENTRY.size > chunk.size:
        raise ArscFormatError(
            f"resources.arsc: entry {index} of the type chunk at offset {chunk.offset} is at "
            f"{start}, not an aligned place inside its {chunk.size} bytes"
        )
    size, flags, key = _ENTRY.unpack_from(data, chunk.offset + start)
    if flags & FLAG_COMPACT:
        return Entry(size, ResourceValue(flags >> 8, key))
    if flags & FLAG_COMPLEX:
        if not _MAP_ENTRY_SIZE <= size <= chunk.size - start:
            raise _bad_entry(chunk, index, f"a map entry of {size} bytes")
        return Entry(key, None)
    if size < _ENTRY.size or start + size + _RES_VALUE.size > chunk.size:
        raise _bad_entry(chunk, index, f"an entry of {size} bytes")
    value_size, _, data_type, value = _RES_VALUE.unpack_from(data, chunk.offset + start + size)
    if value_size < _RES_VALUE.size:
        raise _bad_entry(chunk, index, f"a value of {value_size} bytes")
    return Entry(key, ResourceValue(data_type, value))


def _bad_entry(chunk: TypeChunk, index: int, what: str) -> ArscFormatError:
    return ArscFormatError(
        f"resources.arsc: entry {index} of the type chunk at offset {chunk.offset} is {what}, "
        f"which does not fit its {chunk.size} bytes"
    )
