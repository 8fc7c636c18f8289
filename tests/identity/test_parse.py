"""Each validator accepts real-looking values and rejects bad ones, naming what is wrong."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from identity import parse as p
from identity.luhn import luhn_digit, luhn_valid


@pytest.mark.parametrize(
    ("number", "digit"),
    [("7992739871", "3"), ("49015420323751", "8")],
)
def test_luhn_digit_known_values(number: str, digit: str) -> None:
    assert luhn_digit(number) == digit
    assert luhn_valid(number + digit)
    assert not luhn_valid(number + str((int(digit) + 1) % 10))


@given(st.text(alphabet="0123456789", min_size=1, max_size=25))
def test_luhn_matches_the_definition(payload: str) -> None:
    number = payload + luhn_digit(payload)
    # Definition: doubling every second digit from the right, the digit sum is 0 mod 10.
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d // 10 + d % 10
    assert total % 10 == 0


def test_imei_accepts_real_format() -> None:
    assert p.parse_imei(" 490154203237518 ") == "490154203237518"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("49015420323751", "must have 15 digits, not 14"),
        ("4901542032375180", "must have 15 digits, not 16"),
        ("49015420323751x", "only digits"),
        ("490154203237519", "Luhn check digit should be 8"),
        ("123456789012347", "TAC 12345678 has no known reporting-body prefix"),
    ],
)
def test_imei_rejects(value: str, reason: str) -> None:
    with pytest.raises(p.IdentityValueError, match="bad IMEI") as err:
        p.parse_imei(value)
    assert reason in str(err.value)
    assert repr(value) in str(err.value)


def test_meid() -> None:
    assert p.parse_meid("a0123456789abc") == "A0123456789ABC"
    for bad, reason in [
        ("A0123456789AB", "14 hex digits, not 13"),
        ("A0123456789ABG", "only hex"),
        ("12345678901234", "decimal MEID"),
        ("90123456789ABC", "A0-FF"),
    ]:
        with pytest.raises(ValueError, match="bad MEID") as err:
            p.parse_meid(bad)
        assert reason in str(err.value)


def test_imsi_and_plmn() -> None:
    assert p.parse_imsi("310260123456789") == "310260123456789"
    assert p.plmn_of_imsi("310260123456789") == "310260"  # US: 3-digit MNC
    assert p.plmn_of_imsi("234151234567890") == "23415"  # UK: 2-digit MNC
    with pytest.raises(ValueError, match="unknown mobile country code 999"):
        p.parse_imsi("999011234567890")
    with pytest.raises(ValueError, match="15 digits, not 14"):
        p.parse_imsi("31026012345678")


def test_iccid() -> None:
    body = "8901260123456789012"
    good = body + luhn_digit(body)
    assert p.parse_iccid(good) == good
    with pytest.raises(ValueError, match="must start with 89"):
        body2 = "7901260123456789012"
        p.parse_iccid(body2 + luhn_digit(body2))
    with pytest.raises(ValueError, match="Luhn check digit"):
        p.parse_iccid(good[:-1] + str((int(good[-1]) + 1) % 10))
    with pytest.raises(ValueError, match="19 or 20 digits, not 18"):
        p.parse_iccid("890126012345678901")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("01:1a:2b:3c:4d:5e", "multicast"),
        ("00:1a:2b:3c:4d:5e", "not locally administered"),
        ("02:1a:2b:3c:4d", "six hex octets"),
        ("02:1a:2b:3c:4d:zz", "six hex octets"),
        ("021a2b3c4d5e", "six hex octets"),
    ],
)
def test_mac_rejects(value: str, reason: str) -> None:
    with pytest.raises(ValueError, match="bad MAC address") as err:
        p.parse_mac(value)
    assert reason in str(err.value)


def test_mac_normalises() -> None:
    assert p.parse_mac("02-1A-2B-3C-4D-5E") == "02:1a:2b:3c:4d:5e"
    assert p.parse_mac("fe:00:00:00:00:01") == "fe:00:00:00:00:01"


def test_android_id() -> None:
    assert p.parse_android_id("9774D56D682E549C") == "9774d56d682e549c"
    with pytest.raises(ValueError, match="all zero"):
        p.parse_android_id("0000000000000000")
    with pytest.raises(ValueError, match="16 hex digits"):
        p.parse_android_id("9774d56d682e549")


def test_advertising_id() -> None:
    good = "38400000-8cf0-41bd-a23f-0a94a6d1b1f4"
    assert p.parse_advertising_id(good.upper()) == good
    with pytest.raises(ValueError, match="version 4"):
        p.parse_advertising_id("38400000-8cf0-11bd-b23f-10b96e4ef00d")
    with pytest.raises(ValueError, match="UUID"):
        p.parse_advertising_id("not-a-uuid")
    with pytest.raises(ValueError, match="with dashes"):
        p.parse_advertising_id(good.replace("-", ""))


def test_gsf_id() -> None:
    assert p.parse_gsf_id("3926612478934512345") == "3926612478934512345"
    with pytest.raises(ValueError, match="between 1 and 2"):
        p.parse_gsf_id("0")
    with pytest.raises(ValueError, match="between 1 and 2"):
        p.parse_gsf_id(str(2**63))
    with pytest.raises(ValueError, match="only digits"):
        p.parse_gsf_id("36ab")


def test_machine_id() -> None:
    good = "3d1219c7c4c5404aaa1f6d2a48adfda4"
    assert p.parse_machine_id(good) == good
    for bad in (good.upper(), good[:-1], "0" * 32, good[:-1] + "g"):
        with pytest.raises(ValueError, match="bad machine-id"):
            p.parse_machine_id(bad)


@pytest.mark.parametrize("bad", ["", "-box", "box-", "my_box", "a.b", "x" * 64, "café"])
def test_hostname_rejects(bad: str) -> None:
    with pytest.raises(ValueError, match="bad hostname"):
        p.parse_hostname(bad)


def test_hostname_accepts_labels() -> None:
    assert p.parse_hostname("My-Box-1") == "my-box-1"
    assert p.parse_hostname("x" * 63) == "x" * 63
    assert p.parse_hostname("7") == "7"


def test_serial() -> None:
    assert p.parse_serial("R58M12ABCDE") == "R58M12ABCDE"
    for bad in ("ABC", "unknown", "000000000", "R58M-12ABC", "A" * 21):
        with pytest.raises(ValueError, match="bad serial"):
            p.parse_serial(bad)


def test_phone_number() -> None:
    assert p.parse_phone_number("+1 555-123-4567") == "+15551234567"
    for bad in ("5551234567", "+0123456789", "+1", "+1555abc4567"):
        with pytest.raises(ValueError, match="bad phone number"):
            p.parse_phone_number(bad)


def test_fingerprint() -> None:
    fp = "google/panther/panther:13/TQ3A.230805.001/10316531:user/release-keys"
    assert p.parse_fingerprint(fp) == fp
    with pytest.raises(ValueError, match="brand/product/device"):
        p.parse_fingerprint("google/panther:13/user")
