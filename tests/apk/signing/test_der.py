"""The small DER encoder used for the PKCS#7 block, against known encodings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apk.signing import der


@pytest.mark.parametrize(
    ("value", "encoded"),
    [(0, "020100"), (1, "020101"), (127, "02017f"), (128, "02020080"), (256, "02020100")],
)
def test_integer(value: int, encoded: str) -> None:
    assert der.integer(value).hex() == encoded


@given(st.integers(0, 2**160))
def test_integer_is_minimal_and_positive(value: int) -> None:
    encoded = der.integer(value)
    content = encoded[2:]
    assert int.from_bytes(content, "big", signed=True) == value
    assert len(content) == 1 or not (content[0] == 0 and content[1] < 0x80)


@pytest.mark.parametrize(
    ("dotted", "encoded"),
    [
        ("1.2.840.113549.1.7.2", "06092a864886f70d010702"),
        ("2.16.840.1.101.3.4.2.1", "0609608648016503040201"),
        ("1.3.14.3.2.26", "06052b0e03021a"),
    ],
)
def test_oid(dotted: str, encoded: str) -> None:
    assert der.oid(dotted).hex() == encoded


def test_bad_oid() -> None:
    with pytest.raises(ValueError, match="not an object identifier"):
        der.oid("7")


def test_lengths_and_containers() -> None:
    assert der.octet_string(bytes(200))[:3].hex() == "0481c8"
    assert der.octet_string(bytes(300))[:4].hex() == "0482012c"
    assert der.set_of(b"\x05\x00", b"\x02\x01\x01").hex() == "3105020101" + "0500"
    assert der.context(0, b"\x05\x00").hex() == "a0020500"
    assert der.sequence(der.null()).hex() == "30020500"
