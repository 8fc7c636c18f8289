"""The zip reader against Python's zipfile on real APKs, and on damaged or hostile zips."""

from __future__ import annotations

import contextlib
import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apk.file_bytes import FileBytes, FileSpan
from apk.zip_read import DEFAULT_READ_LIMIT, ZipFormatError, inflate_entry, parse_zip
from tests.apk import factory
from tests.realapks import ALL, real_apk


@pytest.mark.parametrize("name", ALL)
def test_real_apk_matches_zipfile(name: str) -> None:
    data = real_apk(name).read_bytes()
    archive = parse_zip(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
        assert [e.name for e in archive.entries] == [i.filename for i in infos]
        for entry, info in zip(archive.entries, infos, strict=True):
            assert (entry.crc32, entry.compressed_size, entry.uncompressed_size) == (
                info.CRC,
                info.compress_size,
                info.file_size,
            )
        for entry in archive.entries[:50]:
            assert inflate_entry(entry, archive.raw(entry), DEFAULT_READ_LIMIT) == zf.read(
                entry.name
            )


@pytest.mark.parametrize("name", ALL)
def test_signing_block_is_not_entry_data(name: str) -> None:
    data = real_apk(name).read_bytes()
    archive = parse_zip(data)
    # these APKs are v2-signed: the APK Signing Block sits between entries and central dir
    assert archive.entries_end < archive.cd_offset
    assert data[archive.cd_offset - 16 : archive.cd_offset] == b"APK Sig Block 42"
    assert max(e.data_end for e in archive.entries) <= archive.entries_end


def test_read_refuses_an_entry_larger_than_the_limit() -> None:
    archive = parse_zip(factory.bomb_zip(declared_size=8 << 20, real_size=8 << 20))
    with pytest.raises(ZipFormatError, match="more than the 1048576 allowed"):
        archive.read("AndroidManifest.xml", limit=1 << 20)


def test_read_stops_inflating_at_the_limit_when_the_size_lies() -> None:
    archive = parse_zip(factory.bomb_zip(declared_size=1000, real_size=64 << 20))
    with pytest.raises(ZipFormatError, match="inflates to more than the 1048576 bytes"):
        archive.read("AndroidManifest.xml", limit=1 << 20)


def test_read_checks_the_crc() -> None:
    content = b"hello" * 100
    data = factory.raw_zip([("a.txt", content, 0, zlib.crc32(content) ^ 1, len(content))])
    with pytest.raises(ZipFormatError, match="CRC"):
        parse_zip(data).read("a.txt")


def test_read_of_a_missing_entry_names_it() -> None:
    archive = parse_zip(factory.zip_bytes([("a", b"x", zipfile.ZIP_STORED)]))
    with pytest.raises(ZipFormatError, match="no entry 'b'"):
        archive.read("b")


def _truncated(path: Path) -> bytes:
    data = path.read_bytes()
    return data[: len(data) // 2]


def _with_cd_offset(data: bytes, offset: int) -> bytes:
    eocd = data.rfind(b"PK\x05\x06")
    return data[: eocd + 16] + struct.pack("<I", offset) + data[eocd + 20 :]


def _stored(name: str, content: bytes = b"data", **overrides: int) -> bytes:
    fields = {"method": 0, "crc": zlib.crc32(content), "size": len(content)} | overrides
    return factory.raw_zip([(name, content, fields["method"], fields["crc"], fields["size"])])


def _patch_central(data: bytes, offset_in_record: int, fmt: str, value: int) -> bytes:
    at = data.find(b"PK\x01\x02") + offset_in_record
    return data[:at] + struct.pack(fmt, value) + data[at + struct.calcsize(fmt) :]


BAD_ZIPS: dict[str, tuple[Callable[[], bytes], str]] = {
    "empty": (lambda: b"", "empty"),
    "not a zip": (lambda: b"this is plain text, not an archive" * 10, "not a zip"),
    "too short": (lambda: b"abc", "not a zip"),
    "truncated": (lambda: _truncated(real_apk("app-uiautomator.apk")), "truncated"),
    "absolute name": (lambda: _stored("/etc/passwd"), "absolute"),
    "dotdot name": (lambda: _stored("res/../../evil.so"), "'..'"),
    "backslash dotdot": (lambda: _stored("res\\..\\evil"), "'..'"),
    "nul in name": (lambda: _stored("a\x00b"), "NUL"),
    "stored sizes differ": (lambda: _stored("a", size=99), "compressed size"),
    "zip64 size": (lambda: _stored("a", size=0xFFFFFFFF), "zip64"),
    "encrypted": (lambda: _patch_central(_stored("a"), 8, "<H", 1), "encrypted"),
    "data beyond file": (
        lambda: _patch_central(_patch_central(_stored("a"), 20, "<I", 10_000), 24, "<I", 10_000),
        "runs past the end of the entry data",
    ),
    "local header beyond file": (
        lambda: _patch_central(_stored("a"), 42, "<I", 10_000),
        "beyond the file",
    ),
    "cd offset beyond end": (lambda: _with_cd_offset(_stored("a"), 10_000), "runs past"),
    "no entries": (lambda: b"PK\x05\x06" + bytes(18), "no entries"),
    "duplicate names": (
        lambda: factory.raw_zip([("a", b"1", 0, zlib.crc32(b"1"), 1)] * 2),
        "appears twice|overlap",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_ZIPS))
def test_bad_zip_is_refused_with_a_reason(case: str, tmp_path: Path) -> None:
    make, reason = BAD_ZIPS[case]
    data = make()
    with pytest.raises(ZipFormatError, match=reason):
        parse_zip(data)
    (tmp_path / "bad.zip").write_bytes(data)
    with pytest.raises(ZipFormatError, match=reason):  # read from the file: the same
        parse_zip(FileBytes(tmp_path / "bad.zip"))


@pytest.mark.parametrize("name", ALL)
def test_a_file_read_on_demand_parses_as_its_bytes(name: str) -> None:
    path = real_apk(name)
    in_memory, from_file = parse_zip(path.read_bytes()), parse_zip(FileBytes(path))
    assert from_file.entries == in_memory.entries
    assert (from_file.entries_end, from_file.cd_offset) == (
        in_memory.entries_end,
        in_memory.cd_offset,
    )
    for entry in from_file.entries[:50]:
        assert from_file.raw(entry) == in_memory.raw(entry)
        assert b"".join(from_file.raw_chunks(entry, 1000)) == bytes(in_memory.raw(entry))
        span = from_file.span(entry)
        assert isinstance(span, FileSpan) and span.read() == in_memory.raw(entry)


def test_overlapping_entries_are_refused() -> None:
    inner = b"2222"
    inner_local = struct.pack(
        "<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, zlib.crc32(inner), 4, 4, 1, 0
    )
    outer = inner_local + b"b" + inner  # entry "a" contains a whole local entry "b"
    data = factory.raw_zip([("a", outer, 0, zlib.crc32(outer), len(outer))])
    eocd = data.rfind(b"PK\x05\x06")
    cd_offset = struct.unpack_from("<I", data, eocd + 16)[0]
    record_b = struct.pack(
        "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, zlib.crc32(inner), 4, 4,
        1, 0, 0, 0, 0, 0, 30 + 1,
    )  # fmt: skip
    central = data[cd_offset:eocd] + record_b + b"b"
    eocd_rec = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 2, 2, len(central), cd_offset, 0)
    with pytest.raises(ZipFormatError, match="overlap"):
        parse_zip(data[:cd_offset] + central + eocd_rec)


_SAMPLE = factory.apk_bytes(factory.manifest())


@settings(max_examples=300, deadline=None)
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(_SAMPLE) - 1), st.integers(0, 255)), min_size=1, max_size=8
    ),
    cut=st.integers(len(_SAMPLE) - 300, len(_SAMPLE)),  # where the directory lies
)
def test_property_damage_gives_zip_format_error_or_a_consistent_archive(
    edits: list[tuple[int, int]], cut: int
) -> None:
    data = bytearray(_SAMPLE)
    for offset, value in edits:
        data[offset] = value
    try:
        archive = parse_zip(bytes(data[:cut]))
    except ZipFormatError:
        return
    for entry in archive.entries:
        assert entry.data_end <= archive.entries_end <= archive.cd_offset
        with contextlib.suppress(ZipFormatError):
            archive.read(entry.name, limit=1 << 16)


def test_an_odd_method_is_read_as_deflate_like_android() -> None:
    content = b"signature block " * 20
    data = factory.raw_zip(
        [("META-INF/CERT.RSA", factory.deflate(content), 21, zlib.crc32(content), len(content))]
    )
    archive = parse_zip(data)
    assert archive.entries[0].method == 21
    assert archive.read("META-INF/CERT.RSA") == content


def test_an_odd_method_over_data_that_is_not_deflate_fails_when_read() -> None:
    archive = parse_zip(_stored("a", b"BZh91AY&SY", method=12))
    with pytest.raises(ZipFormatError, match="not valid deflate"):
        archive.read("a")
