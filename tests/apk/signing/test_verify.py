"""verify_apk of an APK read from its file (in pieces) gives what it gives on its bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from apk.facts import signing_certificates
from apk.file_bytes import FileBytes
from apk.signing.verify import SignatureVerificationError, verify_apk
from apk.source import load_source, parse_source
from apk.zip_read import parse_zip
from tests.realapks import ALL, NATIVE, real_apk


@pytest.mark.parametrize("name", ALL)
def test_a_file_verifies_as_its_bytes(name: str) -> None:
    path = real_apk(name)
    from_file = verify_apk(FileBytes(path))
    assert from_file == verify_apk(path.read_bytes())
    assert from_file.v2 is not None or from_file.v3 is not None
    source = load_source(path)
    assert isinstance(source.data, FileBytes)
    in_memory = parse_source(path.read_bytes(), str(path))
    assert signing_certificates(source) == signing_certificates(in_memory) != ()


def test_a_changed_entry_fails_from_the_file_too(tmp_path: Path) -> None:
    data = bytearray(real_apk(NATIVE).read_bytes())
    entry = max(parse_zip(bytes(data)).entries, key=lambda e: e.compressed_size)
    data[entry.data_offset + entry.compressed_size // 2] ^= 0xFF
    (tmp_path / "changed.apk").write_bytes(data)
    for source in (bytes(data), FileBytes(tmp_path / "changed.apk")):
        with pytest.raises(SignatureVerificationError, match="content digest does not match"):
            verify_apk(source)
