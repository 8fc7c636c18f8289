"""apk.inflate: ISA-L's inflater and CRC-32 give exactly zlib's results, errors included."""

from __future__ import annotations

import os
import zlib

import pytest

from apk import inflate
from apk.zip_read import parse_zip
from tests.realapks import NATIVE, real_apk


def _inflate_all(raw: bytes, *, use_zlib: bool) -> bytes:
    inflater = inflate.raw_inflater(use_zlib=use_zlib)
    out, pending = [], raw
    while pending and not inflater.eof:
        out.append(inflater.decompress(pending, 1 << 16))
        pending = inflater.unconsumed_tail
    out.append(inflater.flush())
    return b"".join(out)


def test_isal_is_the_inflater_here() -> None:
    assert inflate.NAME == "isal"  # a dependency: the benchmark's figures assume it


def test_same_bytes_and_crc_as_zlib_on_a_real_apk() -> None:
    data = real_apk(NATIVE).read_bytes()
    archive = parse_zip(data)
    deflated = sorted(
        (e for e in archive.entries if not e.is_stored), key=lambda e: -e.uncompressed_size
    )
    for entry in deflated[:3] + deflated[-3:]:
        raw = bytes(archive.raw(entry))
        content = _inflate_all(raw, use_zlib=False)
        assert content == _inflate_all(raw, use_zlib=True) == archive.read(entry.name, 64 << 20)
        assert inflate.crc32(content) == zlib.crc32(content) == entry.crc32
        assert inflate.crc32(content[100:], inflate.crc32(content[:100])) == entry.crc32


def test_bad_deflate_data_is_one_of_the_errors() -> None:
    garbage = b"\xff" * 16 + os.urandom(64)
    for use_zlib in (False, True):
        with pytest.raises(inflate.ERRORS):
            _inflate_all(garbage, use_zlib=use_zlib)
