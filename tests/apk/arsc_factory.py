"""A tiny ``resources.arsc`` writer: one package, every entry layout a reader must take;
and an app whose manifest refers to string resources of its table.

Laid out as AOSP's ``ResourceTypes.h`` describes it (and aapt reads it): the table header,
the global string pool, one package chunk (288-byte header, type and key string pools), and
per type a type spec followed by one type chunk per configuration.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from apk import android_attrs as attrs
from apk.axml import (
    TYPE_INT_DEC,
    ResValue,
    StringPool,
    XmlAttr,
    XmlElement,
    build_document,
    encode_string_pool,
)
from apk.axml.stringpool import UTF8_FLAG

TYPE_REFERENCE = 0x01
TYPE_STRING = 0x03
PACKAGE = "org.example.app"
CONFIG_SIZE = 64  # sizeof(ResTable_config) as aapt2 writes it
CONFIG_LOCALE = 0x0004  # a typeSpec flag: the entry varies by locale

Layout = Literal["u32", "offset16", "sparse"]


@dataclass(frozen=True)
class Value:
    """An entry named ``key``: a ``Res_value``, or a map entry (one item) if ``data_type`` is
    ``None``."""

    key: str
    data_type: int | None
    data: int = 0


def text(key: str, index: int) -> Value:
    """A string resource: ``index`` in the global string pool."""
    return Value(key, TYPE_STRING, index)


def ref(key: str, res_id: int) -> Value:
    return Value(key, TYPE_REFERENCE, res_id)


@dataclass(frozen=True)
class Config:
    """The type chunk of one configuration: ``locale`` "", ``density`` 0 and ``sdk`` 0 is
    the default one."""

    entries: Mapping[int, Value]
    locale: str = ""
    layout: Layout = "u32"
    compact: bool = False
    density: int = 0  # dpi; 0xfffe anydpi, 0xffff nodpi
    sdk: int = 0  # the -vNN qualifier


@dataclass(frozen=True)
class ResType:
    """A resource type (id = its position + 1) with ``entry_count`` entries."""

    name: str
    entry_count: int
    configs: tuple[Config, ...] = field(default=())


def table(
    strings: Sequence[str],
    types: Sequence[ResType],
    *,
    utf8: bool = True,
    package_id: int = 0x7F,
    package: str = PACKAGE,
) -> bytes:
    """The compiled resource table."""
    pool = encode_string_pool(StringPool(tuple(strings), (), UTF8_FLAG if utf8 else 0))
    body = pool + _package(types, package_id, package)
    return struct.pack("<HHII", 0x0002, 12, 12 + len(body), 1) + body


def strings_table(
    values: Sequence[str | int],
    *,
    layout: Layout = "u32",
    compact: bool = False,
    utf8: bool = True,
) -> bytes:
    """A table with one ``string`` type (id 0x7f01xxxx), default configuration only: a
    ``str`` is text, an ``int`` a reference to that resource id."""
    strings = [v for v in values if isinstance(v, str)]
    entries = {
        i: text(f"s{i}", strings.index(v)) if isinstance(v, str) else ref(f"s{i}", v)
        for i, v in enumerate(values)
    }
    config = Config(entries, layout=layout, compact=compact)
    return table(strings, [ResType("string", len(values), (config,))], utf8=utf8)


def _pool(names: Sequence[str]) -> bytes:
    return encode_string_pool(StringPool(tuple(names), (), UTF8_FLAG))


def _package(types: Sequence[ResType], package_id: int, package: str) -> bytes:
    keys = list(dict.fromkeys(v.key for t in types for c in t.configs for v in c.entries.values()))
    type_pool, key_pool = _pool([t.name for t in types]), _pool(keys)
    chunks = b"".join(
        _spec(type_id, t) + b"".join(_type(type_id, t.entry_count, c, keys) for c in t.configs)
        for type_id, t in enumerate(types, 1)
    )
    header_size = 288
    name = package.encode("utf-16-le").ljust(256, b"\0")
    size = header_size + len(type_pool) + len(key_pool) + len(chunks)
    header = struct.pack("<HHII", 0x0200, header_size, size, package_id) + name
    header += struct.pack(
        "<IIIII", header_size, len(types), header_size + len(type_pool), len(keys), 0
    )
    return header + type_pool + key_pool + chunks


def _spec(type_id: int, res_type: ResType) -> bytes:
    varying = {i for c in res_type.configs if c.locale for i in c.entries}
    flags = b"".join(
        struct.pack("<I", CONFIG_LOCALE if i in varying else 0) for i in range(res_type.entry_count)
    )
    header = struct.pack(
        "<HHIBBHI",
        0x0202,
        16,
        16 + len(flags),
        type_id,
        0,
        len(res_type.configs),
        res_type.entry_count,
    )
    return header + flags


def config_bytes(locale: str = "", density: int = 0, sdk: int = 0) -> bytes:
    """A ``ResTable_config`` (its size field included): all zero but the language, density
    (u16 at 14) and sdkVersion (u16 at 24)."""
    config = bytearray(CONFIG_SIZE)
    struct.pack_into("<I", config, 0, CONFIG_SIZE)
    config[8 : 8 + len(locale)] = locale.encode("ascii")
    struct.pack_into("<H", config, 14, density)
    struct.pack_into("<H", config, 24, sdk)
    return bytes(config)


def _entry(value: Value, key: int, compact: bool) -> bytes:
    if value.data_type is None:  # a map entry with one item (name 0x01010000, an integer)
        item = struct.pack("<I", 0x01010000) + struct.pack("<HBBI", 8, 0, TYPE_INT_DEC, 1)
        return struct.pack("<HHIII", 16, 0x0001, key, 0, 1) + item
    if compact:
        return struct.pack("<HHI", key, 0x0008 | value.data_type << 8, value.data)
    return struct.pack("<HHI", 8, 0, key) + struct.pack("<HBBI", 8, 0, value.data_type, value.data)


def _type(type_id: int, entry_count: int, config: Config, keys: list[str]) -> bytes:
    data = bytearray()
    offsets: dict[int, int] = {}
    for index, value in sorted(config.entries.items()):
        offsets[index] = len(data)
        data += _entry(value, keys.index(value.key), config.compact)
    if config.layout == "sparse":
        flags, count = 0x01, len(offsets)
        table = b"".join(struct.pack("<HH", i, o // 4) for i, o in sorted(offsets.items()))
    elif config.layout == "offset16":
        flags, count = 0x02, entry_count
        table = b"".join(
            struct.pack("<H", offsets[i] // 4 if i in offsets else 0xFFFF)
            for i in range(entry_count)
        )
    else:
        flags, count = 0x00, entry_count
        table = b"".join(struct.pack("<I", offsets.get(i, 0xFFFFFFFF)) for i in range(entry_count))
    table += bytes(-len(table) % 4)
    header_size = 20 + CONFIG_SIZE
    entries_start = header_size + len(table)
    size = entries_start + len(data)
    header = struct.pack(
        "<HHIBBHII", 0x0201, header_size, size, type_id, flags, 0, count, entries_start
    )
    return header + config_bytes(config.locale, config.density, config.sdk) + table + bytes(data)


# ---------------------------------------------------------------------------------------- an app

STRING = 0x7F010000  # @string/authority
AUTHORITY, ALIAS, PERMISSION, SHARED_USER, LABEL = (STRING + i for i in range(5))
LABEL_ATTR = 0x01010001  # android:label


def referencing_table(package: str = PACKAGE) -> bytes:
    """@string/authority, @string/alias (= @string/authority), @string/permission,
    @string/shared_user and @string/label, as the manifest below uses them."""
    return strings_table(
        [f"{package}.files", AUTHORITY, f"{package}.permission.SECRET", "org.example.shared", "Ex"]
    )


def _ref(name: str, res_id: int, attribute: int) -> XmlAttr:
    return XmlAttr(name, ResValue(TYPE_REFERENCE, res_id), attribute)


def _launcher() -> XmlElement:
    action = XmlElement("action", (XmlAttr("name", "android.intent.action.MAIN", attrs.NAME),))
    category = XmlElement(
        "category", (XmlAttr("name", "android.intent.category.LAUNCHER", attrs.NAME),)
    )
    return XmlElement("intent-filter", (), (action, category))


def referencing_manifest(
    package: str = PACKAGE, *, split: str | None = None, authority: int = ALIAS
) -> bytes:
    """A manifest whose sharedUserId, declared permission, provider authorities (through
    an alias) and read permission, and label are references; a split has only the
    provider."""
    root = [XmlAttr("versionCode", ResValue(TYPE_INT_DEC, 7), attrs.VERSION_CODE)]
    root += [XmlAttr("package", package)]
    provider = XmlElement(
        "provider",
        (
            XmlAttr("name", ".Files", attrs.NAME),
            _ref("authorities", authority, attrs.AUTHORITIES),
            _ref("readPermission", PERMISSION, attrs.READ_PERMISSION),
        ),
    )
    if split is not None:
        root.append(XmlAttr("split", split))
        app = XmlElement("application", (), (provider,))
        return build_document(XmlElement("manifest", tuple(root), (app,))).to_bytes()
    root.append(_ref("sharedUserId", SHARED_USER, attrs.SHARED_USER_ID))
    sdk = XmlElement(
        "uses-sdk",
        (
            XmlAttr("minSdkVersion", ResValue(TYPE_INT_DEC, 21), attrs.MIN_SDK_VERSION),
            XmlAttr("targetSdkVersion", ResValue(TYPE_INT_DEC, 34), attrs.TARGET_SDK_VERSION),
        ),
    )
    permission = XmlElement("permission", (_ref("name", PERMISSION, attrs.NAME),))
    secret = f"{package}.permission.SECRET"  # Android ignores a reference here
    uses = XmlElement("uses-permission", (XmlAttr("name", secret, attrs.NAME),))
    activity = XmlElement("activity", (XmlAttr("name", ".Main", attrs.NAME),), (_launcher(),))
    app = XmlElement("application", (_ref("label", LABEL, LABEL_ATTR),), (activity, provider))
    children = (sdk, permission, uses, app)
    return build_document(XmlElement("manifest", tuple(root), children)).to_bytes()
