"""Identity values: validated construction, one-field changes, derived SIM fields."""

from __future__ import annotations

import pytest

from identity import DERIVED_FIELDS, FIELDS, Identity, IdentityValueError, generate_identity
from identity.profiles import profile


def test_to_dict_has_the_contract_keys() -> None:
    data = generate_identity(1).to_dict()
    for key in (
        "android_id", "imei", "imsi", "iccid", "serial", "wifi_mac", "bt_mac",
        "advertising_id", "machine_id", "hostname", "sim_operator", "gsf_id", "meid",
    ):  # fmt: skip
        assert isinstance(data[key], str) and data[key]
    assert set(data) == set(FIELDS) | set(DERIVED_FIELDS)


def test_with_field_validates_and_keeps_the_rest() -> None:
    ident = generate_identity(7)
    changed = ident.with_field("wifi_mac", "02:AA:BB:CC:DD:EE")
    assert changed.wifi_mac == "02:aa:bb:cc:dd:ee"
    assert {f for f in FIELDS if getattr(changed, f) != getattr(ident, f)} == {"wifi_mac"}
    with pytest.raises(IdentityValueError, match="multicast"):
        ident.with_field("wifi_mac", "03:aa:bb:cc:dd:ee")


def test_sim_operator_follows_the_imsi() -> None:
    ident = generate_identity(3).with_field("imsi", "262011234567890")
    assert ident.sim_operator == "26201"
    assert ident.sim_operator_name == "Telekom.de"
    assert ident.sim_country_iso == "de"
    with pytest.raises(IdentityValueError, match="set imsi instead"):
        ident.with_field("sim_operator", "310260")


def test_unknown_field_names_the_choices() -> None:
    with pytest.raises(IdentityValueError, match=r"unknown identity field 'colour'.*android_id"):
        generate_identity(1).with_field("colour", "red")


def test_from_dict_reports_missing_and_bad_fields() -> None:
    data = generate_identity(1).to_dict()
    del data["imei"]
    with pytest.raises(IdentityValueError, match="lacks the fields imei"):
        Identity.from_dict(data)
    data = generate_identity(1).to_dict() | {"android_id": "0" * 16}
    with pytest.raises(IdentityValueError, match="ANDROID_ID"):
        Identity.from_dict(data)


def test_text_fields_reject_control_characters() -> None:
    with pytest.raises(IdentityValueError, match="control characters"):
        generate_identity(1).with_field("model", "Pixel\n7")


def test_profiles_are_well_formed() -> None:
    p = profile("pixel_7")
    assert (p.release, p.build_id) == ("13", "TQ3A.230805.001")
    with pytest.raises(ValueError, match="unknown device profile 'nokia'"):
        profile("nokia")


def test_profile_sets_every_build_field() -> None:
    ident = generate_identity(1).with_field("profile", "galaxy_s21")
    assert (ident.manufacturer, ident.model, ident.device, ident.product) == (
        "samsung",
        "SM-G991B",
        "o1s",
        "o1sxxx",
    )
    assert ident.fingerprint == profile("galaxy_s21").fingerprint
    assert ident.imei == generate_identity(1).imei  # identifiers stay
    with pytest.raises(ValueError, match="unknown device profile 'nokia_3310'"):
        ident.with_field("profile", "nokia_3310")
