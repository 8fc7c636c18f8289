"""A file's bytes read on demand (apk.file_bytes): slices, spans copied in the kernel or not,
and a file that changes while it is read."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest

from apk.file_bytes import FileBytes, FileChangedError, FileSpan, copy_span

CONTENT = bytes(range(256)) * 5000 + b"tail"


@pytest.fixture
def source(tmp_path: Path) -> FileBytes:
    path = tmp_path / "source.bin"
    path.write_bytes(CONTENT)
    return FileBytes(path)


def test_slices_read_what_bytes_slices_give(source: FileBytes) -> None:
    assert len(source) == len(CONTENT)
    for key in (slice(0, 10), slice(1000, 300000), slice(-4, None), slice(None), slice(5, 2)):
        assert source[key] == CONTENT[key]
    assert source.read(7, 3) == CONTENT[7:10]
    assert b"".join(source.chunks(3, 100001, 4096)) == CONTENT[3:100004]
    assert source.sha256() == hashlib.sha256(CONTENT).hexdigest()


def _copied(tmp_path: Path, spans: list[FileSpan]) -> bytes:
    out = tmp_path / "out.bin"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        os.write(fd, b"head")
        for span in spans:
            copy_span(span, fd)
        os.write(fd, b"end")
    finally:
        os.close(fd)
    return out.read_bytes()


def test_spans_are_copied_exactly(source: FileBytes, tmp_path: Path) -> None:
    spans = [FileSpan(source, 10, 5000), FileSpan(source, 0, len(CONTENT)), FileSpan(source, 9, 0)]
    expected = b"head" + CONTENT[10:5010] + CONTENT + b"end"
    assert _copied(tmp_path, spans) == expected
    assert b"".join(spans[0].chunks(333)) == spans[0].read() == CONTENT[10:5010]


@pytest.mark.parametrize("code", [errno.EXDEV, errno.ENOSYS, errno.EINVAL])
def test_spans_are_copied_without_copy_file_range_too(
    source: FileBytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    def refuse(*args: object) -> int:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "copy_file_range", refuse)
    assert _copied(tmp_path, [FileSpan(source, 1, 70000)]) == b"head" + CONTENT[1:70001] + b"end"


def test_other_copy_errors_are_not_hidden(
    source: FileBytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "copy_file_range", full)
    with pytest.raises(OSError, match="No space"):
        _copied(tmp_path, [FileSpan(source, 0, 10)])


def test_a_file_that_shrinks_is_refused(source: FileBytes, tmp_path: Path) -> None:
    os.truncate(tmp_path / "source.bin", 1000)
    with pytest.raises(FileChangedError, match=r"source\.bin changed while it was read"):
        source.read(900, 200)
    with pytest.raises(FileChangedError):
        _copied(tmp_path, [FileSpan(source, 500, 1000)])


def test_a_file_replaced_meanwhile_is_still_read_as_it_was(
    source: FileBytes, tmp_path: Path
) -> None:
    other = tmp_path / "other.bin"
    other.write_bytes(b"x" * len(CONTENT))
    os.replace(other, tmp_path / "source.bin")
    assert source[100:200] == CONTENT[100:200]
