"""Each hook group of the agent, exercised on the JVM test bed after start-up: the started
probe clone calls one framework API at a time (com.clonespace.bed.Calls), as app code
would, and gets the clone's answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.jvm.bed import REAL_DEVICE, Bed
from tests.jvm.conftest import HookedClone

ORIGINAL = "com.clonespace.probe"
AUTHORITY = f"{ORIGINAL}.provider"
OWN_PERMISSION = f"{ORIGINAL}.permission.PROBE"


@pytest.mark.parametrize(
    ("call", "arg", "field"),
    [
        ("settings_secure", "android_id", "android_id"),
        ("settings_secure_for_user", "android_id", "android_id"),
        ("settings_global", "device_name", "model"),
    ],
)
def test_settings(app: Bed, clone: HookedClone, call: str, arg: str, field: str) -> None:
    assert app.call(call, arg) == clone.identity[field]


def test_settings_bluetooth_address_is_upper_case(app: Bed, clone: HookedClone) -> None:
    assert app.call("settings_secure", "bluetooth_address") == clone.identity["bt_mac"].upper()


@pytest.mark.parametrize(
    ("method", "field"),
    [
        ("getImei", "imei"),
        ("getDeviceId", "imei"),
        ("getMeid", "meid"),
        ("getSubscriberId", "imsi"),
        ("getSimSerialNumber", "iccid"),
        ("getLine1Number", "phone_number"),
    ],
)
def test_telephony_every_overload(app: Bed, clone: HookedClone, method: str, field: str) -> None:
    assert app.call("telephony", method) == clone.identity[field]
    if method in ("getImei", "getDeviceId", "getMeid"):  # the per-slot forms (API 23/26+)
        assert app.call("telephony_slot", method) == clone.identity[field]


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("SERIAL", "serial"),
        ("MODEL", "model"),
        ("MANUFACTURER", "manufacturer"),
        ("FINGERPRINT", "fingerprint"),
    ],
)
def test_build_fields(app: Bed, clone: HookedClone, name: str, field: str) -> None:
    assert app.call("build_field", name) == clone.identity[field]


def test_build_id_comes_from_the_fingerprint(app: Bed, clone: HookedClone) -> None:
    build_id = clone.identity["fingerprint"].split(":")[1].split("/")[1]
    assert app.call("build_field", "ID") == build_id
    assert app.call("build_get_serial") == clone.identity["serial"]


def test_mac_addresses(app: Bed, clone: HookedClone) -> None:
    assert app.call("wifi_mac") == clone.identity["wifi_mac"]
    assert app.call("bt_mac") == clone.identity["bt_mac"].upper()
    assert app.call("netif_mac", "lo") == "null"  # the loopback has none, hooked or not


def test_network_interface_hardware_address(app: Bed, clone: HookedClone) -> None:
    """java.net.NetworkInterface is the JDK's own here: a real interface of this machine."""
    real = [
        p.name
        for p in sorted(Path("/sys/class/net").iterdir())
        if p.name != "lo" and (p / "address").read_text().strip() not in ("", "00:00:00:00:00:00")
    ]
    if not real:
        pytest.skip("this machine has no network interface with a hardware address")
    assert app.call("netif_mac", real[0]) == clone.identity["wifi_mac"].lower()


@pytest.mark.parametrize("call", ["ad_id", "ad_id_androidx"])
def test_advertising_id_from_the_apps_own_classes(app: Bed, clone: HookedClone, call: str) -> None:
    """Play services and androidx ship inside the app: found through the app's class loader."""
    assert app.call(call) == clone.identity["advertising_id"]


@pytest.mark.parametrize("call", ["gsf_id", "gsf_id_bundle"])
def test_gsf_id_query(app: Bed, clone: HookedClone, call: str) -> None:
    assert app.call(call) == clone.identity["gsf_id"]


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("ro.serialno", "serial"),
        ("ro.product.model", "model"),
        ("ro.build.fingerprint", "fingerprint"),
    ],
)
def test_system_properties_java(app: Bed, clone: HookedClone, name: str, field: str) -> None:
    assert app.call("sysprop", name) == clone.identity[field]


def test_accounts_only_the_clones_own(app: Bed) -> None:
    assert app.call("accounts") == ""
    assert app.call("accounts_by_type", "com.google") == ""
    assert app.call("accounts_by_type_and_features", "com.google") == ""


def test_accounts_added_and_removed_stay_in_the_clone(app: Bed) -> None:
    assert app.call("add_account", "com.example:alice@example.com") == "true"
    assert app.call("accounts") == "com.example:alice@example.com"
    assert app.call("accounts_by_type", "com.google") == ""
    assert (
        app.call("accounts_by_type_and_features", "com.example") == "com.example:alice@example.com"
    )
    assert app.call("remove_account", "com.example:alice@example.com") == "true"
    assert app.call("accounts") == ""


def test_signatures_are_the_originals(app: Bed, clone: HookedClone) -> None:
    original = clone.policy["original_signatures"][0]
    assert app.call("signature") == original
    assert app.call("signing_info") == original
    assert app.call("package_info_of", ORIGINAL) == original


def test_own_authority_reaches_the_clones_provider(app: Bed, clone: HookedClone) -> None:
    assert app.call("acquire_provider", AUTHORITY) == "found"
    assert app.call("resolve_provider", AUTHORITY) == "found"
    assert app.call("acquire_provider", "com.example.nobody") == "missing"
    uri = app.call("file_provider_uri", AUTHORITY)
    assert uri.startswith(f"content://{clone.policy['authorities'][AUTHORITY]}/"), uri


def test_real_values_are_not_answered(app: Bed) -> None:
    """No API answers any of the device's real identity values."""
    answers = {
        app.call("settings_secure", "android_id"),
        app.call("telephony", "getImei"),
        app.call("build_get_serial"),
        app.call("wifi_mac"),
        app.call("ad_id"),
        app.call("gsf_id"),
    }
    assert not answers & set(REAL_DEVICE.values())


def test_own_permission_is_checked_under_the_clones_name(app: Bed) -> None:
    """The clone's manifest declares and requests the permission renamed; the app's code
    checks the original name."""
    assert app.call("check_permission", OWN_PERMISSION) == "granted"
    assert app.call("check_permission", "android.permission.READ_PHONE_STATE") == "granted"
    assert app.call("check_permission", "com.example.other.permission.X") == "denied"
