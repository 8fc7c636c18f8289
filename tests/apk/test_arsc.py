"""resources.arsc package rename: real tables, same size, only the name field changes."""

from __future__ import annotations

import struct
from collections.abc import Callable

import pytest

from apk.arsc import APP_PACKAGE_ID, NAME_UNITS, ArscFormatError, read_packages, rename_package
from apk.source import load_source
from tests.realapks import ALL, real_apk


def _table(name: str) -> tuple[bytes, str]:
    source = load_source(real_apk(name))
    table = source.read_arsc()
    assert table is not None
    return table, source.package


@pytest.mark.parametrize("name", ALL)
def test_real_table_names_the_manifest_package(name: str) -> None:
    table, package = _table(name)
    packages = read_packages(table)
    assert [(p.id, p.name) for p in packages] == [(APP_PACKAGE_ID, package)]


@pytest.mark.parametrize("name", ALL)
def test_rename_changes_only_the_name_field(name: str) -> None:
    table, package = _table(name)
    new = f"{package}.clone7"
    patched = rename_package(table, new)
    assert len(patched) == len(table)
    (pkg,) = read_packages(patched)
    assert pkg.name == new
    start, end = pkg.name_offset, pkg.name_offset + NAME_UNITS * 2
    assert patched[:start] == table[:start] and patched[end:] == table[end:]


def test_name_that_does_not_fit_is_refused() -> None:
    table, _ = _table("app-uiautomator.apk")
    with pytest.raises(ValueError, match="does not fit"):
        rename_package(table, "a." + "b" * 130)
    assert read_packages(rename_package(table, "a." + "b" * 125))[0].name == "a." + "b" * 125


def _set_u32(data: bytes, offset: int, value: int) -> bytes:
    return data[:offset] + struct.pack("<I", value) + data[offset + 4 :]


def _first_chunk_offset(table: bytes, chunk_type: int) -> int:
    pos = 12
    while struct.unpack_from("<H", table, pos)[0] != chunk_type:
        pos += struct.unpack_from("<I", table, pos + 4)[0]
    return pos


BAD: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "empty": (lambda t: b"", "too short"),
    "not a table": (lambda t: b"\x03\x00\x08\x00" + t[4:], "does not start"),
    "size lies": (lambda t: _set_u32(t, 4, len(t) + 8), "says it is"),
    "truncated": (lambda t: t[: len(t) // 2], "says it is"),
    "package count lies": (lambda t: _set_u32(t, 8, 2), "declares 2 packages"),
    "chunk size past end": (
        lambda t: _set_u32(t, _first_chunk_offset(t, 0x200) + 4, len(t)),
        "do not fit",
    ),
    "chunk size zero": (lambda t: _set_u32(t, 12 + 4, 0), "do not fit"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_damaged_table_is_refused(case: str) -> None:
    table, _ = _table("app-uiautomator.apk")
    damage, reason = BAD[case]
    with pytest.raises(ArscFormatError, match=reason):
        rename_package(damage(table), "org.example.clone1")
