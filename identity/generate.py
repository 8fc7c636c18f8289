"""Generation of identities: from a seed (deterministic) or from ``secrets``."""

from __future__ import annotations

from identity.draw import Draw, Stream
from identity.luhn import luhn_digit
from identity.model import Identity
from identity.operators import OPERATORS, Operator
from identity.profiles import PROFILES, BuildProfile

_SERIAL_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def generate_identity(seed: int | None = None) -> Identity:
    """A new identity. The same ``seed`` gives the same identity on every run and Python;
    ``None`` draws one from ``secrets``."""
    draw = Draw(seed)
    profile = draw.stream("profile").choice(PROFILES)
    operator = draw.stream("operator").choice(OPERATORS)
    return Identity(
        android_id=_nonzero_hex(draw.stream("android_id"), 16),
        imei=_imei(draw.stream("imei"), profile.tac),
        meid="A" + draw.stream("meid").chars("0123456789ABCDEF", 13),
        imsi=_imsi(draw.stream("imsi"), operator),
        iccid=_iccid(draw.stream("iccid"), operator),
        serial=_serial(draw.stream("serial"), profile),
        wifi_mac=_mac(draw.stream("wifi_mac")),
        bt_mac=_mac(draw.stream("bt_mac")),
        advertising_id=_uuid4(draw.stream("advertising_id")),
        gsf_id=str(2**62 + draw.stream("gsf_id").below(2**62)),
        phone_number=_phone(draw.stream("phone_number"), operator),
        manufacturer=profile.manufacturer,
        brand=profile.brand,
        model=profile.model,
        device=profile.device,
        product=profile.product,
        fingerprint=profile.fingerprint,
        machine_id=_machine_id(draw.stream("machine_id")),
        hostname=f"{profile.device.lower()}-{draw.stream('hostname').hex(8)}",
    )


def _nonzero_hex(stream: Stream, n: int) -> str:
    while True:
        text = stream.hex(n)
        if int(text, 16):
            return text


def _imei(stream: Stream, tac: str) -> str:
    body = tac + stream.digits(6)
    return body + luhn_digit(body)


def _imsi(stream: Stream, operator: Operator) -> str:
    plmn = operator.plmn
    return plmn + stream.digits(15 - len(plmn))


def _iccid(stream: Stream, operator: Operator) -> str:
    body = operator.iccid_prefix + stream.digits(19 - len(operator.iccid_prefix))
    return body + luhn_digit(body)


def _serial(stream: Stream, profile: BuildProfile) -> str:
    rest = profile.serial_length - len(profile.serial_prefix)
    return profile.serial_prefix + stream.chars(_SERIAL_ALPHABET, rest)


def _mac(stream: Stream) -> str:
    octets = bytearray(stream.bytes(6))
    octets[0] = (octets[0] & 0xFC) | 0x02  # unicast, locally administered
    return ":".join(f"{b:02x}" for b in octets)


def _uuid4(stream: Stream) -> str:
    raw = bytearray(stream.bytes(16))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _machine_id(stream: Stream) -> str:
    # systemd writes random machine ids as version-4 UUIDs without dashes.
    return _uuid4(stream).replace("-", "")


def _phone(stream: Stream, operator: Operator) -> str:
    first = str(2 + stream.below(8))
    return "+" + operator.calling_code + first + stream.digits(operator.national_digits - 1)
