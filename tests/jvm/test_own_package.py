"""The app's original package name where the system resolves it, the original certificate
for the app itself, and SubscriptionManager, on the JVM test bed (HotSpot over fake
framework classes with AOSP's signatures; not ART, not a phone).

The started probe clone calls each API with its ORIGINAL package name, as code holding
``BuildConfig.APPLICATION_ID`` or a literal does; the bed's system side (Activities,
Broadcasts, IPackageManager's proxy) knows only the clone's package, as a phone would."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.hooks.agent_fixtures import compile_agent_entry
from tests.jvm.bed import REAL_DEVICE, Bed, BedApp, Framework, Toolchain
from tests.jvm.conftest import HookedClone, with_script

ORIGINAL = "com.clonespace.probe"
SIGNATURE_MATCH, SIGNATURE_UNKNOWN_PACKAGE = "0", "-4"


@pytest.fixture(scope="module")
def activity(installed: list[BedApp]) -> str:
    assert installed[0].activity is not None
    return installed[0].activity


@pytest.mark.parametrize("call", ["broadcast_to_package", "pending_broadcast_to_package"])
def test_broadcast_to_the_original_package_reaches_the_clone(app: Bed, call: str) -> None:
    """Android 14 wants a package on broadcasts to the app's own non-exported receivers."""
    assert app.call(call, ORIGINAL) == "received"
    assert app.call(call, "com.example.other") == "not received"


@pytest.mark.parametrize("how", ["component", "class_name", "pending_component"])
def test_a_component_of_the_original_package_is_the_clones(
    app: Bed, clone: HookedClone, activity: str, how: str
) -> None:
    assert app.call(f"start_{how}", ORIGINAL) == f"started {clone.package}/{activity}"


def test_an_intent_limited_to_the_original_package_is_the_clones(
    app: Bed, clone: HookedClone
) -> None:
    assert app.call("start_package", ORIGINAL) == (
        f"started android.intent.action.MAIN in {clone.package}"
    )
    assert app.call("start_package", "com.example.other").startswith(
        "error:android.content.ActivityNotFoundException"
    )


@pytest.mark.parametrize("call", ["start_details_settings", "start_details_settings_parts"])
def test_a_package_uri_of_the_original_names_the_clone(
    app: Bed, clone: HookedClone, call: str
) -> None:
    answer = app.call(call, ORIGINAL)
    assert (
        answer == f"started android.settings.APPLICATION_DETAILS_SETTINGS package:{clone.package}"
    )


def test_package_manager_finds_the_app_by_its_original_name(
    app: Bed, clone: HookedClone, activity: str
) -> None:
    assert app.call("application_info", ORIGINAL) == clone.package
    assert app.call("launch_intent", ORIGINAL) == f"{clone.package}/{activity}"
    assert app.call("application_info", "com.example.other") == "null"
    assert app.call("launch_intent", "com.example.other") == "null"


def test_check_signatures_of_the_app_itself_match(app: Bed, clone: HookedClone) -> None:
    for pair in (f"{ORIGINAL},{clone.package}", f"{clone.package},{ORIGINAL}"):
        assert app.call("check_signatures", pair) == SIGNATURE_MATCH
    assert app.call("check_signatures", f"{ORIGINAL},com.example.other") == (
        SIGNATURE_UNKNOWN_PACKAGE
    )


def test_has_signing_certificate_is_the_originals(
    app: Bed, clone: HookedClone, installed: list[BedApp]
) -> None:
    original = clone.policy["original_signatures"][0]
    digest = hashlib.sha256(bytes.fromhex(original)).hexdigest()
    for name in (clone.package, ORIGINAL):
        assert app.call("has_signing_certificate", f"{name},{original},0") == "true"
        assert app.call("has_signing_certificate", f"{name},{digest},1") == "true"
    (own,) = installed[0].signatures  # the clone's own key: not what the app was signed with
    assert own != original
    assert app.call("has_signing_certificate", f"{clone.package},{own},0") == "false"


@pytest.mark.parametrize(
    ("method", "field"),
    [
        ("getIccId", "iccid"),
        ("getActiveSubscriptionInfo.getIccId", "iccid"),
        ("getNumber", "phone_number"),
        ("getPhoneNumber", "phone_number"),
    ],
)
def test_subscription_manager(app: Bed, clone: HookedClone, method: str, field: str) -> None:
    answer = app.call("subscription", method)
    assert answer == clone.identity[field]
    assert answer != REAL_DEVICE[field]


def test_a_package_info_cached_before_the_hooks_carries_the_original_certificate(
    tools: Toolchain,
    framework: Framework,
    installed: list[BedApp],
    clone: HookedClone,
    tmp_path: Path,
) -> None:
    """API 30-33: ApplicationPackageManager asks a process-wide cache
    (PackageManager.getPackageInfoAsUserCached) before IPackageManager. Here the signature
    hooks arrive late (Java.perform: at the first Activity, see late-signature-probe.ts),
    after the app has read its own PackageInfo at every earlier step; the cache holds that
    answer, and only the hook on the cached path makes the Activity see the original's."""
    script = compile_agent_entry("src/android/late-signature-probe.ts", tmp_path / "late.js")
    app = with_script(installed[0], tmp_path / "late", script)
    with Bed(tools, framework).start(app) as run:
        pass
    original = clone.policy["original_signatures"][0]
    (own,) = installed[0].signatures
    assert run.seen_at("attachBaseContext")["signature"] == own  # before the hooks
    assert run.seen_at("Activity.onCreate")["signature"] == original
