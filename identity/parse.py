"""Pure validators of user-given identity values.

Each ``parse_*`` takes text, returns the value in its canonical form and raises
``IdentityValueError`` (a ``ValueError``) saying exactly what is wrong with which value.
"""

from __future__ import annotations

import re
import uuid

from identity.luhn import luhn_digit, luhn_valid
from identity.operators import MCC_COUNTRIES, mnc_length


class IdentityValueError(ValueError):
    """A user-given identity value is malformed."""


# GSMA reporting-body identifiers: the first two digits of a TAC.
REPORTING_BODIES = frozenset(
    {"01", "10", "30", "31", "33", "35", "44", "45", "49", "50", "51", "52", "53", "54",
     "86", "91", "98", "99"}
)  # fmt: skip

_HEX_RE = re.compile(r"^[0-9a-f]+$")
_MAC_RE = re.compile(r"^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$")
_LABEL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_SERIAL_RE = re.compile(r"^[A-Za-z0-9]{6,20}$")
_PHONE_RE = re.compile(r"^\+[1-9][0-9]{6,14}$")


def _fail(what: str, value: str, why: str) -> IdentityValueError:
    return IdentityValueError(f"bad {what} {value!r}: {why}")


def _digits(what: str, value: str, lengths: tuple[int, ...]) -> str:
    text = value.strip()
    if not text.isdigit() or not text.isascii():
        raise _fail(what, value, "must contain only digits 0-9")
    if len(text) not in lengths:
        want = " or ".join(str(n) for n in lengths)
        raise _fail(what, value, f"must have {want} digits, not {len(text)}")
    return text


def parse_imei(value: str) -> str:
    """15 digits, a plausible TAC (first 8 digits), a correct Luhn check digit."""
    text = _digits("IMEI", value, (15,))
    if text[:2] not in REPORTING_BODIES:
        raise _fail("IMEI", value, f"TAC {text[:8]} has no known reporting-body prefix")
    if not luhn_valid(text):
        raise _fail("IMEI", value, f"Luhn check digit should be {luhn_digit(text[:14])}")
    return text


def parse_meid(value: str) -> str:
    """14 hex digits (A0-FF regional code for hex MEIDs); returned upper case."""
    text = value.strip().upper()
    if len(text) != 14:
        raise _fail("MEID", value, f"must have 14 hex digits, not {len(text)}")
    if not _HEX_RE.match(text.lower()):
        raise _fail("MEID", value, "must contain only hex digits 0-9, A-F")
    if text.isdigit():
        raise _fail("MEID", value, "a decimal MEID is not allowed; use the hex form (A0…)")
    if int(text[:2], 16) < 0xA0:
        raise _fail("MEID", value, "regional code (first two digits) must be A0-FF")
    return text


def parse_imsi(value: str) -> str:
    """15 digits starting with a known MCC."""
    text = _digits("IMSI", value, (15,))
    if text[:3] not in MCC_COUNTRIES:
        raise _fail("IMSI", value, f"unknown mobile country code {text[:3]}")
    return text


def plmn_of_imsi(imsi: str) -> str:
    """``MCC+MNC`` of a valid IMSI (MNC length by country)."""
    return imsi[: 3 + mnc_length(imsi[:3])]


def parse_iccid(value: str) -> str:
    """``89…``, 19 or 20 digits, a correct Luhn check digit."""
    text = _digits("ICCID", value, (19, 20))
    if not text.startswith("89"):
        raise _fail("ICCID", value, "must start with 89 (telecommunications)")
    if not luhn_valid(text):
        raise _fail("ICCID", value, f"Luhn check digit should be {luhn_digit(text[:-1])}")
    return text


def parse_mac(value: str) -> str:
    """``xx:xx:xx:xx:xx:xx`` (or ``-``), unicast, locally administered; returned lower case."""
    text = value.strip().lower().replace("-", ":")
    if not _MAC_RE.match(text):
        raise _fail("MAC address", value, "expected six hex octets like 02:1a:2b:3c:4d:5e")
    first = int(text[:2], 16)
    if first & 1:
        raise _fail("MAC address", value, "is multicast (lowest bit of the first octet set)")
    if not first & 2:
        raise _fail(
            "MAC address", value, "is not locally administered (set bit 1 of the first octet)"
        )
    return text


def parse_android_id(value: str) -> str:
    """16 hex digits, not all zero; returned lower case."""
    text = value.strip().lower()
    if len(text) != 16 or not _HEX_RE.match(text):
        raise _fail("ANDROID_ID", value, "must be 16 hex digits")
    if int(text, 16) == 0:
        raise _fail("ANDROID_ID", value, "must not be all zero")
    return text


def parse_advertising_id(value: str) -> str:
    """A random (version 4) UUID in its 36-character form; returned lower case."""
    text = value.strip().lower()
    try:
        parsed = uuid.UUID(text)
    except ValueError:
        raise _fail("advertising id", value, "must be a UUID like 8-4-4-4-12 hex") from None
    if str(parsed) != text:
        raise _fail("advertising id", value, "must be written 8-4-4-4-12 with dashes")
    if parsed.version != 4 or parsed.variant != uuid.RFC_4122:
        raise _fail("advertising id", value, "must be a random (version 4) UUID")
    return text


def parse_gsf_id(value: str) -> str:
    """The Google Services Framework id: a positive 64-bit decimal number."""
    text = _digits("GSF id", value, tuple(range(1, 20)))
    number = int(text)
    if number == 0 or number >= 2**63:
        raise _fail("GSF id", value, "must be between 1 and 2^63-1")
    return str(number)


def parse_machine_id(value: str) -> str:
    """32 lower-case hex digits, not all zero (``/etc/machine-id``)."""
    text = value.strip()
    if len(text) != 32 or not _HEX_RE.match(text):
        raise _fail("machine-id", value, "must be 32 lower-case hex digits")
    if int(text, 16) == 0:
        raise _fail("machine-id", value, "must not be all zero")
    return text


def parse_hostname(value: str) -> str:
    """One RFC 1123 label: 1-63 of a-z, 0-9, '-', not starting or ending with '-'."""
    text = value.strip().lower()
    if not 1 <= len(text) <= 63:
        raise _fail("hostname", value, "must have 1 to 63 characters")
    if not _LABEL_RE.match(text):
        raise _fail("hostname", value, "use a-z, 0-9 and '-', not at the start or end (RFC 1123)")
    return text


def parse_serial(value: str) -> str:
    """6-20 letters and digits, not one repeated character, not ``unknown``."""
    text = value.strip()
    if not _SERIAL_RE.match(text):
        raise _fail("serial", value, "must be 6 to 20 letters and digits")
    if len(set(text)) == 1 or text.lower() == "unknown":
        raise _fail("serial", value, "is a placeholder, not a device serial")
    return text


def parse_phone_number(value: str) -> str:
    """An E.164 number: ``+``, country code, 7 to 15 digits in all."""
    text = value.strip().replace(" ", "").replace("-", "")
    if not _PHONE_RE.match(text):
        raise _fail("phone number", value, "must be E.164, like +15551234567")
    return text


def parse_text(what: str, value: str, limit: int = 200) -> str:
    """Printable text without control characters (names, build fields)."""
    if not value or len(value) > limit:
        raise _fail(what, value, f"must have 1 to {limit} characters")
    if not value.isprintable():
        raise _fail(what, value, "must not contain control characters")
    return value


def parse_fingerprint(value: str) -> str:
    """``brand/product/device:release/id/incremental:type/tags``."""
    parts = re.match(r"^([^/:\s]+)/([^/:\s]+)/([^/:\s]+):([^/:\s]+)/([^/:\s]+)/([^/:\s]+)"
                     r":([^/:\s]+)/([^/:\s]+)$", value.strip())  # fmt: skip
    if not parts:
        raise _fail(
            "fingerprint", value, "expected brand/product/device:release/id/incremental:type/tags"
        )
    return value.strip()
