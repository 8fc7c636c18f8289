"""The probe's compiled ``AndroidManifest.xml``, written with the project's AXML encoder.

Every value is a literal, the label too (``build`` still adds a one-string
``resources.arsc``: without one, ``aapt dump badging`` shows no label). Besides the three
components, the probe declares a permission and an intent action of its own, so its clones
show how the hooks map the app's own names to the clone's.
"""

from __future__ import annotations

from apk import android_attrs as attrs
from apk.axml import TYPE_INT_BOOLEAN, TYPE_INT_DEC, ResValue, XmlAttr, XmlElement, build_document
from apk.manifest import ACTION_MAIN, CATEGORY_LAUNCHER

PACKAGE = "com.clonespace.probe"
LABEL = "Clonespace probe"
VERSION_CODE = 1
VERSION_NAME = "1.0"
MIN_SDK = 24
TARGET_SDK = 34
APPLICATION_CLASS = f"{PACKAGE}.ProbeApplication"
ACTIVITY_CLASS = f"{PACKAGE}.ProbeActivity"
PROVIDER_CLASS = f"{PACKAGE}.ProbeProvider"
PROVIDER_AUTHORITY = f"{PACKAGE}.provider"  # the smali asks for this authority too
OWN_PERMISSION = f"{PACKAGE}.permission.PROBE"
OWN_ACTION = f"{PACKAGE}.action.SHOW"
PERMISSIONS = (
    OWN_PERMISSION,
    "android.permission.READ_PHONE_STATE",
    "android.permission.GET_ACCOUNTS",
    "android.permission.ACCESS_WIFI_STATE",
    "android.permission.BLUETOOTH",
)


def _int(value: int) -> ResValue:
    return ResValue(TYPE_INT_DEC, value)


def _bool(value: bool) -> ResValue:
    return ResValue(TYPE_INT_BOOLEAN, 0xFFFFFFFF if value else 0)


def _name(value: str) -> XmlAttr:
    return XmlAttr("name", value, attrs.NAME)


def _launcher_filter() -> XmlElement:
    return XmlElement(
        "intent-filter",
        (),
        (
            XmlElement("action", (_name(ACTION_MAIN),)),
            XmlElement("category", (_name(CATEGORY_LAUNCHER),)),
        ),
    )


def _own_action_filter() -> XmlElement:
    return XmlElement(
        "intent-filter",
        (),
        (
            XmlElement("action", (_name(OWN_ACTION),)),
            XmlElement("category", (_name("android.intent.category.DEFAULT"),)),
        ),
    )


def _application() -> XmlElement:
    provider = XmlElement(
        "provider",
        (
            _name(PROVIDER_CLASS),
            XmlAttr("authorities", PROVIDER_AUTHORITY, attrs.AUTHORITIES),
            XmlAttr("exported", _bool(False), attrs.EXPORTED),
        ),
    )
    activity = XmlElement(
        "activity",
        (_name(ACTIVITY_CLASS), XmlAttr("exported", _bool(True), attrs.EXPORTED)),
        (_launcher_filter(), _own_action_filter()),
    )
    return XmlElement(
        "application",
        (_name(APPLICATION_CLASS), XmlAttr("label", LABEL, attrs.LABEL)),
        (provider, activity),
    )


def probe_manifest() -> bytes:
    """The manifest: package, version, SDK levels, permissions and the three components."""
    uses_sdk = XmlElement(
        "uses-sdk",
        (
            XmlAttr("minSdkVersion", _int(MIN_SDK), attrs.MIN_SDK_VERSION),
            XmlAttr("targetSdkVersion", _int(TARGET_SDK), attrs.TARGET_SDK_VERSION),
        ),
    )
    declared = XmlElement("permission", (_name(OWN_PERMISSION),))
    permissions = tuple(XmlElement("uses-permission", (_name(p),)) for p in PERMISSIONS)
    root = XmlElement(
        "manifest",
        (
            XmlAttr("versionCode", _int(VERSION_CODE), attrs.VERSION_CODE),
            XmlAttr("versionName", VERSION_NAME, attrs.VERSION_NAME),
            XmlAttr("package", PACKAGE),
        ),
        (uses_sdk, declared, *permissions, _application()),
    )
    return build_document(root).to_bytes()
