"""String values of resources.arsc: every entry layout, references, configurations, damage;
aapt reads the same tables (and the real APKs' tables) the same way."""

from __future__ import annotations

import re
import struct
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apk.arsc import ArscFormatError
from apk.arsc_values import (
    MAX_REFERENCE_DEPTH,
    Entry,
    ResourceValue,
    parse_table,
    resolve_string,
    resolve_value,
)
from apk.axml import TYPE_INT_DEC
from apk.source import load_source
from tests.apk import arsc_factory as af
from tests.apk import factory
from tests.realapks import ALL, framework_res, real_apk

STRING = af.STRING  # the first id of the factory's first type
TEXTS = ["org.example.app.files", "Grüße, 日本 🎉", 'a "quoted" \\ back\nslash', ""]
LAYOUTS: list[af.Layout] = ["u32", "offset16", "sparse"]


def resolve(table: bytes, res_id: int) -> str | None:
    return resolve_string([parse_table(table)], res_id)


# ------------------------------------------------------------------------------- aapt as oracle


def _aapt_text(value: str) -> str:
    """A string as ``aapt dump --values resources`` prints it."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def aapt_default_values(apk: Path) -> dict[int, tuple[str, str]]:
    """Per resource id of the default configuration: ("string", text) or ("reference", id)."""
    out = subprocess.run(
        ["aapt", "dump", "--values", "resources", str(apk)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    values: dict[int, tuple[str, str]] = {}
    default, current = False, None
    for line in out.splitlines():
        if re.match(r"\s+config ", line):
            default, current = line.strip().startswith("config (default)"), None
        elif m := re.match(r"\s+resource (0x[0-9a-f]+) \S+: t=0x0[13] ", line):
            current = int(m.group(1), 16) if default else None
        elif current is not None and (m := re.match(r'\s+\(string(?:8|16)\) "(.*)"$', line)):
            values[current], current = ("string", m.group(1)), None
        elif current is not None and (m := re.match(r"\s+\(reference\) (0x[0-9a-f]+)$", line)):
            values[current], current = ("reference", m.group(1)), None
    return values


def _apk_with_table(table: bytes, path: Path) -> Path:
    arsc = ("resources.arsc", table, zipfile.ZIP_STORED)
    path.write_bytes(factory.apk_bytes(factory.manifest(af.PACKAGE), arsc))
    return path


def _seen_like_aapt(table: bytes, apk: Path) -> None:
    parsed = parse_table(table)
    expected = aapt_default_values(apk)
    assert expected  # aapt read the table
    for res_id, (kind, shown) in expected.items():
        entry = parsed.entry(res_id)
        assert entry is not None and entry.value is not None, hex(res_id)
        if kind == "string":
            assert _aapt_text(parsed.string(entry.value.data)) == shown
        else:
            assert entry.value == ResourceValue(0x01, int(shown, 16))


# aapt (0.2-debian) reads u32 and sparse offsets; offset16 and compact entries are newer.
@pytest.mark.parametrize("layout", ["u32", "sparse"])
@pytest.mark.parametrize("utf8", [True, False], ids=["utf8", "utf16"])
def test_aapt_reads_the_values_we_read(tmp_path: Path, layout: af.Layout, utf8: bool) -> None:
    entries = {
        0: af.text("a", 0),
        3: af.text("b", 1),
        4: af.ref("c", STRING + 3),
        9: af.text("d", 2),
    }
    entries[10] = af.text("e", 3)
    config = af.Config(entries, layout=layout)
    table = af.table(TEXTS, [af.ResType("string", 12, (config,))], utf8=utf8)
    apk = _apk_with_table(table, tmp_path / "t.apk")
    assert set(aapt_default_values(apk)) == {STRING + i for i in entries}
    _seen_like_aapt(table, apk)
    assert resolve(table, STRING + 4) == TEXTS[1]
    assert [resolve(table, STRING + i) for i in (1, 2, 5, 11, 12)] == [None] * 5


@pytest.mark.parametrize("name", ALL)
def test_real_tables_read_like_aapt(name: str) -> None:
    table = load_source(real_apk(name)).read_arsc()
    assert table is not None
    _seen_like_aapt(table, real_apk(name))


# ------------------------------------------------------------------------------- layouts


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("compact", [False, True], ids=["full", "compact"])
@pytest.mark.parametrize("utf8", [True, False], ids=["utf8", "utf16"])
def test_every_layout_gives_the_same_values(layout: af.Layout, compact: bool, utf8: bool) -> None:
    entries = {i * 3: af.text(f"k{i}", i) for i in range(len(TEXTS))}
    entries[1] = af.ref("alias", STRING + 3)
    entries[2] = af.Value("number", TYPE_INT_DEC, 42)
    config = af.Config(entries, layout=layout, compact=compact)
    table = parse_table(af.table(TEXTS, [af.ResType("string", 13, (config,))], utf8=utf8))
    got = {i: resolve_string([table], STRING + i) for i in range(14)}
    assert got == {
        0: TEXTS[0],
        1: TEXTS[1],
        3: TEXTS[1],
        6: TEXTS[2],
        9: TEXTS[3],
        **{i: None for i in (2, 4, 5, 7, 8, 10, 11, 12, 13)},
    }
    # keys are numbered in order of appearance: k0 … k3, alias, number
    assert table.entry(STRING + 2) == Entry(5, ResourceValue(TYPE_INT_DEC, 42))


def test_a_compact_entry_laid_out_by_hand() -> None:
    """ResTable_entry compact: u16 key index, u16 flags (0x0008 | dataType << 8), u32 data."""
    table = bytearray(af.strings_table(["x"], compact=True))
    entry = table.rindex(struct.pack("<HHI", 0, 0x0308, 0))  # key 0, TYPE_STRING, string 0
    assert parse_table(bytes(table)).entry(STRING) == Entry(0, ResourceValue(0x03, 0))
    struct.pack_into("<HHI", table, entry, 7, 0x0108, STRING + 5)  # key 7, a reference
    assert parse_table(bytes(table)).entry(STRING) == Entry(7, ResourceValue(0x01, STRING + 5))


def test_a_map_entry_is_not_a_string() -> None:
    config = af.Config({0: af.Value("style", None), 1: af.text("s", 0)})
    table = parse_table(af.table(["x"], [af.ResType("style", 2, (config,))]))
    assert table.entry(STRING) == Entry(0, None)
    assert resolve_string([table], STRING) is None
    assert resolve_string([table], STRING + 1) == "x"


def test_ids_the_table_does_not_have() -> None:
    table = af.strings_table(["x"])
    for res_id in (0x01040000, 0x7F020000, 0x7F010001, 0x80010000, 0):
        assert resolve(table, res_id) is None


# ------------------------------------------------------------------------------- configurations


def test_only_the_default_configuration_counts() -> None:
    default = af.Config({0: af.text("both", 0), 2: af.text("sparse_default", 3)}, layout="sparse")
    french = af.Config(
        {0: af.text("both", 1), 1: af.text("only_fr", 2)}, locale="fr", layout="offset16"
    )
    strings = ["hello", "bonjour", "salut", "default"]
    for configs in ((default, french), (french, default)):
        table = af.table(strings, [af.ResType("string", 3, configs)])
        assert [resolve(table, STRING + i) for i in range(3)] == ["hello", None, "default"]


def test_variants_give_every_configuration_with_its_density_and_sdk() -> None:
    """What ``apk.app_icon`` picks icons from: each configuration's entry, in file order."""
    default = af.Config({0: af.text("icon", 0)})
    xxhdpi = af.Config({0: af.text("icon", 1), 1: af.text("other", 3)}, density=480)
    anydpi = af.Config({0: af.text("icon", 2)}, density=0xFFFE, sdk=26)
    french = af.Config({0: af.text("icon", 3)}, locale="fr", density=480)
    strings = ["res/a.png", "res/a-xxhdpi.png", "res/a.xml", "res/fr.png"]
    table = parse_table(
        af.table(strings, [af.ResType("drawable", 2, (default, xxhdpi, anydpi, french))])
    )
    found = list(table.variants(STRING))
    assert [(v.density, v.sdk_version, v.density_only) for v in found] == [
        (0, 0, True),
        (480, 0, True),
        (0xFFFE, 26, True),
        (480, 0, False),  # a locale too
    ]
    assert [table.string(v.entry.value.data) for v in found if v.entry.value] == strings
    assert [v.density for v in table.variants(STRING + 1)] == [480]
    assert list(table.variants(STRING + 2)) == [] and list(table.variants(0x7F020000)) == []
    # the default configuration alone is what entry() reads
    entry = table.entry(STRING)
    assert entry is not None and entry.value == ResourceValue(0x03, 0)
    assert table.entry(STRING + 1) is None


def test_variants_of_a_real_table_agree_with_aapt() -> None:
    """framework-res's default app icon: the densities aapt lists for its foreground."""
    path = framework_res()
    table = load_source(path).resources()
    assert table is not None
    found = {v.density for v in table.variants(0x010D0002) if v.density_only}
    assert found == {160, 240, 320, 480, 640}  # mdpi … xxxhdpi; the watch one is not plain
    assert len(list(table.variants(0x010D0002))) == 6


def test_resolve_value_follows_references_to_any_simple_value() -> None:
    colour = af.Value("c", 0x1C, 0xFF3DDC84)
    number = af.Value("n", TYPE_INT_DEC, 42)
    entries = {0: colour, 1: af.ref("alias", STRING), 2: number, 3: af.ref("null", 0)}
    entries[4] = af.Value("map", None)
    table = parse_table(af.table([], [af.ResType("color", 5, (af.Config(entries),))]))
    assert resolve_value([table], STRING) == ResourceValue(0x1C, 0xFF3DDC84)
    assert resolve_value([table], STRING + 1) == ResourceValue(0x1C, 0xFF3DDC84)
    assert resolve_value([table], STRING + 2) == ResourceValue(TYPE_INT_DEC, 42)
    assert resolve_value([table], STRING + 3) is None  # @null
    assert resolve_value([table], STRING + 4) is None  # a map entry
    assert resolve_value([table], STRING + 9) is None
    assert resolve_string([table], STRING) is None  # a colour is not text


# ------------------------------------------------------------------------------- references


def test_a_reference_chain_is_followed() -> None:
    chain = [STRING + i + 1 for i in range(MAX_REFERENCE_DEPTH - 1)]  # 0 -> 1 -> … -> 19
    table = af.strings_table([*chain, "end"])
    assert resolve(table, STRING) == "end"
    assert resolve(table, STRING + 10) == "end"


def test_a_chain_too_deep_or_a_loop_is_refused() -> None:
    deep = af.strings_table([*(STRING + i + 1 for i in range(MAX_REFERENCE_DEPTH)), "end"])
    with pytest.raises(ArscFormatError, match="more than 20 deep"):
        resolve(deep, STRING)
    loop = af.strings_table([STRING + 1, STRING])
    with pytest.raises(ArscFormatError, match="a loop"):
        resolve(loop, STRING)


def test_references_to_null_or_other_packages_are_not_text() -> None:
    table = af.strings_table([0, 0x01040001, "x"])  # @null, @android:string/…
    assert [resolve(table, STRING + i) for i in range(3)] == [None, None, "x"]


def test_a_reference_may_lead_into_another_table() -> None:
    """A split's manifest resolves against the split's table, then the base's."""
    base = parse_table(af.strings_table(["from the base"]))
    french = af.Config({0: af.text("s0", 0)}, locale="fr")
    config_split = parse_table(af.table(["du split"], [af.ResType("string", 1, (french,))]))
    to_base = af.Config({0: af.ref("r", STRING)})
    feature = parse_table(af.table([], [af.ResType("string", 1, (to_base,))], package_id=0x80))
    assert resolve_string([config_split, base], STRING) == "from the base"
    assert resolve_string([feature, base], 0x80010000) == "from the base"
    assert resolve_string([feature], 0x80010000) is None


# ------------------------------------------------------------------------------- damage


def _chunks(table: bytes) -> dict[int, list[int]]:
    """The offsets of the table's chunks and its package's, by chunk type."""
    found: dict[int, list[int]] = {}

    def walk(start: int, end: int) -> None:
        pos = start
        while pos < end:
            chunk_type, header_size, size = struct.unpack_from("<HHI", table, pos)
            found.setdefault(chunk_type, []).append(pos)
            if chunk_type == 0x0200:
                walk(pos + header_size, pos + size)
            pos += size

    walk(12, len(table))
    return found


def _set(table: bytes, offset: int, fmt: str, value: int) -> bytes:
    out = bytearray(table)
    struct.pack_into(fmt, out, offset, value)
    return bytes(out)


def _type_at(t: bytes) -> int:
    return _chunks(t)[0x0201][0]


def _entries_at(t: bytes) -> int:
    at = _type_at(t)
    return at + _u32_at(t, at + 16)


def _package_at(t: bytes) -> int:
    return _chunks(t)[0x0200][0]


def _u32_at(t: bytes, offset: int) -> int:
    return int(struct.unpack_from("<I", t, offset)[0])


BASE = af.strings_table(["org.example.app.files", "second"])
Damage = Callable[[bytes], bytes]
DAMAGE: dict[str, tuple[Damage, str]] = {
    "empty": (lambda t: b"", "too short"),
    "not a table": (lambda t: _set(t, 0, "<H", 0x0003), "does not start"),
    "truncated": (lambda t: t[: len(t) - 24], "says it is"),
    "table size lies": (lambda t: _set(t, 4, "<I", len(t) + 4), "says it is"),
    "pool size lies": (lambda t: _set(t, 12 + 4, "<I", len(t)), "do not fit"),
    "pool count lies": (lambda t: _set(t, 12 + 8, "<I", 1 << 20), "string pool"),
    "package size lies": (lambda t: _set(t, _package_at(t) + 4, "<I", len(t)), "do not fit"),
    "package header short": (lambda t: _set(t, _package_at(t) + 2, "<H", 200), "header"),
    "type header short": (lambda t: _set(t, _type_at(t) + 2, "<H", 16), "too short"),
    "type id zero": (lambda t: _set(t, _type_at(t) + 8, "<B", 0), "type id 0"),
    "config size lies": (lambda t: _set(t, _type_at(t) + 20, "<I", 200), "configuration"),
    "entry count lies": (lambda t: _set(t, _type_at(t) + 12, "<I", 1 << 16), "entry offsets"),
    "entries start past end": (lambda t: _set(t, _type_at(t) + 16, "<I", 1 << 20), "entries"),
    "entries start unaligned": (
        lambda t: _set(t, _type_at(t) + 16, "<I", _u32_at(t, _type_at(t) + 16) + 2),
        "entries",
    ),
    "entry offset past end": (lambda t: _set(t, _entries_at(t) - 8, "<I", 4096), "aligned place"),
    "entry offset unaligned": (lambda t: _set(t, _entries_at(t) - 8, "<I", 2), "aligned place"),
    "entry size too small": (lambda t: _set(t, _entries_at(t), "<H", 4), "entry of 4 bytes"),
    "entry size too large": (lambda t: _set(t, _entries_at(t), "<H", 4000), "entry of 4000"),
    "value size too small": (lambda t: _set(t, _entries_at(t) + 8, "<H", 2), "value of 2"),
    "string index past pool": (lambda t: _set(t, _entries_at(t) + 12, "<I", 9), "string 9"),
    "spec count lies": (lambda t: _set(t, _chunks(t)[0x0202][0] + 12, "<I", 1 << 20), "claims"),
}


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_damaged_tables_are_refused(case: str) -> None:
    damage, reason = DAMAGE[case]
    with pytest.raises(ArscFormatError, match=reason):
        resolve(damage(BASE), STRING)


def test_the_undamaged_table_resolves() -> None:
    assert resolve(BASE, STRING) == "org.example.app.files"
    assert resolve(BASE, STRING + 1) == "second"


TABLES = [
    af.strings_table(["a.b", STRING, "ü"], layout=layout, compact=compact, utf8=utf8)
    for layout in LAYOUTS
    for compact in (False, True)
    for utf8 in (False, True)
]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(TABLES),
    st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(0, 255)), min_size=1, max_size=4),
    st.integers(0, 1 << 16),
)
def test_garbage_raises_only_arsc_format_errors(
    table: bytes, flips: list[tuple[int, int]], cut: int
) -> None:
    damaged = bytearray(table)
    for at, byte in flips:
        damaged[at % len(damaged)] = byte
    for data in (bytes(damaged), bytes(damaged[: cut % len(damaged)])):
        try:
            parsed = parse_table(data)
            for i in range(4):
                resolve_string([parsed], STRING + i)
        except ArscFormatError:
            pass
