"""``Identity``: everything that makes a clone look like its own phone (and Linux host)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from identity import parse as p
from identity.operators import MCC_COUNTRIES, operator_for_plmn
from identity.profiles import BuildProfile, profile


@dataclass(frozen=True)
class Identity:
    """The device identifiers one clone answers with. Build with ``Identity.from_dict``
    (validated) or ``identity.generate.generate_identity``; change with ``with_field``."""

    android_id: str
    imei: str
    meid: str
    imsi: str
    iccid: str
    serial: str
    wifi_mac: str
    bt_mac: str
    advertising_id: str
    gsf_id: str
    phone_number: str
    manufacturer: str
    brand: str
    model: str
    device: str
    product: str
    fingerprint: str
    machine_id: str
    hostname: str

    @property
    def sim_operator(self) -> str:
        """``MCC+MNC`` of the SIM, always the prefix of the IMSI."""
        return p.plmn_of_imsi(self.imsi)

    @property
    def sim_operator_name(self) -> str:
        op = operator_for_plmn(self.sim_operator)
        return op.name if op else ""

    @property
    def sim_country_iso(self) -> str:
        return MCC_COUNTRIES.get(self.imsi[:3], "")

    def to_dict(self) -> dict[str, str]:
        """Every field plus the SIM fields derived from the IMSI; the policy's ``identity``."""
        data = dataclasses.asdict(self)
        data.update(
            sim_operator=self.sim_operator,
            sim_operator_name=self.sim_operator_name,
            sim_country_iso=self.sim_country_iso,
        )
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Identity:
        """Validate every field; ValueError names the first bad or missing one."""
        missing = [name for name in FIELDS if name not in data]
        if missing:
            raise p.IdentityValueError(f"identity lacks the fields {', '.join(missing)}")
        values = {name: parse_field(name, str(data[name])) for name in FIELDS}
        return cls(**values)

    def with_field(self, name: str, value: str) -> Identity:
        """A copy with one field replaced by the validated ``value``; ``profile`` (a key of
        ``identity.profiles``) sets every build field of that real device at once."""
        if name == PROFILE_FIELD:
            return self.with_profile(profile(value))
        return dataclasses.replace(self, **{name: parse_field(name, value)})

    def with_profile(self, build: BuildProfile) -> Identity:
        """A copy wearing the build fields of device profile ``build``."""
        return dataclasses.replace(
            self,
            manufacturer=build.manufacturer,
            brand=build.brand,
            model=build.model,
            device=build.device,
            product=build.product,
            fingerprint=build.fingerprint,
        )


FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Identity))
PROFILE_FIELD = "profile"  # settable only: sets the build fields from a device profile
DERIVED_FIELDS: tuple[str, ...] = ("sim_operator", "sim_operator_name", "sim_country_iso")

_PARSERS: dict[str, Callable[[str], str]] = {
    "android_id": p.parse_android_id,
    "imei": p.parse_imei,
    "meid": p.parse_meid,
    "imsi": p.parse_imsi,
    "iccid": p.parse_iccid,
    "serial": p.parse_serial,
    "wifi_mac": p.parse_mac,
    "bt_mac": p.parse_mac,
    "advertising_id": p.parse_advertising_id,
    "gsf_id": p.parse_gsf_id,
    "phone_number": p.parse_phone_number,
    "fingerprint": p.parse_fingerprint,
    "machine_id": p.parse_machine_id,
    "hostname": p.parse_hostname,
}


def parse_field(name: str, value: str) -> str:
    """Validate ``value`` for the identity field ``name``; ValueError for either."""
    if name in DERIVED_FIELDS:
        raise p.IdentityValueError(f"{name} follows the IMSI; set imsi instead")
    if name not in FIELDS:
        raise p.IdentityValueError(
            f"unknown identity field {name!r}: choose one of {', '.join(FIELDS)} or profile"
        )
    parser = _PARSERS.get(name)
    if parser is None:
        return p.parse_text(name, value)
    return parser(value)
