"""The zip writer: raw copies stay byte-identical, stored data is aligned, zipfile and
zipalign accept the result."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apk.sections import ZipSections
from apk.zip_read import parse_zip
from apk.zip_write import ALIGNMENT_EXTRA_ID, ZipWriter, alignment_for
from tests.apk import factory
from tests.realapks import ALL, real_apk


def _zipalign_ok(path: Path) -> bool:
    tool = shutil.which("zipalign")
    if tool is None:
        pytest.fail("zipalign is not installed (make installs it: apt-get install zipalign)")
    done = subprocess.run([tool, "-c", "-p", "4", str(path)], capture_output=True, timeout=60)
    return done.returncode == 0


def _check_alignment(data: bytes) -> None:
    for entry in parse_zip(data).entries:
        if entry.is_stored:
            assert entry.data_offset % alignment_for(entry.name, True) == 0, entry.name


@pytest.mark.parametrize("name", ALL)
def test_copying_every_entry_keeps_data_and_aligns(name: str, tmp_path: Path) -> None:
    source = real_apk(name).read_bytes()
    archive = parse_zip(source)
    writer = ZipWriter()
    for entry in archive.entries:
        writer.copy(archive, entry)
    out = writer.sections().assemble()
    copied = parse_zip(out)
    assert copied.names == archive.names
    for old, new in zip(archive.entries, copied.entries, strict=True):
        assert bytes(copied.raw(new)) == bytes(archive.raw(old))  # compressed bytes unchanged
        assert (new.crc32, new.method, new.uncompressed_size) == (
            old.crc32,
            old.method,
            old.uncompressed_size,
        )
    _check_alignment(out)
    path = tmp_path / "copy.apk"
    path.write_bytes(out)
    assert _zipalign_ok(path)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None


def test_stored_native_library_is_16k_aligned_with_the_apksigner_extra(tmp_path: Path) -> None:
    writer = ZipWriter()
    writer.add("classes.dex", b"x" * 1001, compress=True)
    writer.add("lib/arm64-v8a/libx.so", b"\x7fELF" + bytes(5000), compress=False)
    writer.add("assets/a.bin", b"abc", compress=False)
    out = writer.sections().assemble()
    entries = {e.name: e for e in parse_zip(out).entries}
    lib = entries["lib/arm64-v8a/libx.so"]
    assert lib.data_offset % 16384 == 0
    assert entries["assets/a.bin"].data_offset % 4 == 0
    extra_id, size, alignment = struct.unpack_from("<HHH", lib.local_extra)
    assert (extra_id, alignment, size) == (ALIGNMENT_EXTRA_ID, 16384, len(lib.local_extra) - 4)
    path = tmp_path / "a.apk"
    path.write_bytes(out)
    assert _zipalign_ok(path)


def test_explicit_alignment_overrides_the_default() -> None:
    writer = ZipWriter()
    writer.add("a", b"1", compress=False)
    writer.add("page.bin", b"2" * 10, compress=False, alignment=4096)
    entry = parse_zip(writer.sections().assemble()).entry("page.bin")
    assert entry.data_offset % 4096 == 0


def test_old_alignment_padding_is_replaced_not_accumulated() -> None:
    first = ZipWriter()
    first.add("pad", b"x", compress=False)
    first.add("lib/x86/liba.so", bytes(300), compress=False)
    once = first.sections().assemble()
    archive = parse_zip(once)
    second = ZipWriter()
    for entry in archive.entries:
        second.copy(archive, entry)
    twice = second.sections().assemble()
    assert twice == once


def test_a_name_written_twice_is_refused() -> None:
    writer = ZipWriter()
    writer.add("a", b"1", compress=True)
    with pytest.raises(ValueError, match="written twice"):
        writer.add("a", b"2", compress=False)


def test_forks_share_the_start_and_diverge() -> None:
    base = ZipWriter()
    base.add("shared.txt", b"same for everyone", compress=True)
    one, two = base.fork(), base.fork()
    one.add("only-one", b"1", compress=False)
    two.add("only-two", b"22", compress=True)
    a, b = one.sections(), two.sections()
    assert parse_zip(a.assemble()).names == ("shared.txt", "only-one")
    assert parse_zip(b.assemble()).names == ("shared.txt", "only-two")
    assert a.entries.startswith(base.written()) and b.entries.startswith(base.written())


def test_sections_fit_the_signers_view(tmp_path: Path) -> None:
    writer = ZipWriter()
    writer.add("a.txt", b"hello", compress=True)
    sections = writer.sections()
    assert isinstance(sections, ZipSections)
    assert sections.central_directory_offset == len(sections.entries)
    block = b"\x00" * 4096
    data = sections.assemble(block)
    assert parse_zip(data).cd_offset == len(sections.entries) + len(block)


_names = st.lists(
    st.from_regex(r"[a-z]{1,8}(/[a-z0-9_]{1,8}){0,2}(\.so|\.bin|\.xml)?", fullmatch=True),
    min_size=1,
    max_size=12,
    unique=True,
)


@settings(max_examples=60, deadline=None)
@given(
    names=_names,
    data=st.data(),
)
def test_property_zipfile_reads_back_every_entry_aligned(
    names: list[str], data: st.DataObject
) -> None:
    writer = ZipWriter()
    expected = {}
    for name in names:
        content = data.draw(st.binary(max_size=3000), label=name)
        compress = data.draw(st.booleans(), label=f"{name} compressed")
        writer.add(name, content, compress=compress)
        expected[name] = content
    out = writer.sections().assemble()
    with zipfile.ZipFile(io.BytesIO(out)) as zf:
        assert {i.filename: zf.read(i) for i in zf.infolist()} == expected
    _check_alignment(out)
    copy = ZipWriter()
    archive = parse_zip(out)
    for entry in archive.entries:
        copy.copy(archive, entry)
    assert copy.sections().assemble() == out


def test_writer_output_of_a_synthetic_apk_parses() -> None:
    data = factory.apk_bytes(factory.manifest())
    archive = parse_zip(data)
    writer = ZipWriter()
    for entry in archive.entries:
        writer.copy(archive, entry)
    assert parse_zip(writer.sections().assemble()).names == archive.names


class _Unseekable(io.RawIOBase):
    """A write-only stream: zipfile then writes data descriptors after each entry."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: object) -> int:
        chunk = bytes(b)  # type: ignore[call-overload]
        self.data += chunk
        return len(chunk)


def test_entries_with_data_descriptors_are_copied_without_them() -> None:
    stream = _Unseekable()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.txt", b"alpha" * 100)
        zf.writestr("b.txt", b"beta" * 100)
    archive = parse_zip(bytes(stream.data))
    assert all(e.flags & 0x08 for e in archive.entries)
    writer = ZipWriter()
    for entry in archive.entries:
        writer.copy(archive, entry)
    out = writer.sections().assemble()
    assert not any(e.flags & 0x08 for e in parse_zip(out).entries)
    with zipfile.ZipFile(io.BytesIO(out)) as zf:
        assert zf.read("a.txt") == b"alpha" * 100 and zf.read("b.txt") == b"beta" * 100
