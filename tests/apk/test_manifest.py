"""Manifest facts and the clone rewrite, checked against aapt on real and built manifests."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apk import android_attrs as attrs
from apk.arsc_values import parse_table, table_resolver
from apk.axml import (
    TYPE_INT_BOOLEAN,
    TYPE_INT_DEC,
    TYPE_REFERENCE,
    TYPE_STRING,
    ResValue,
    XmlAttr,
    XmlElement,
    build_document,
    parse,
)
from apk.manifest import (
    COMPONENT_TAGS as COMPONENTS,
)
from apk.manifest import (
    ManifestInfo,
    OwnNames,
    ProviderDecl,
    RenamePlan,
    ResolveString,
    read_manifest_info,
    read_providers,
    read_requested_permissions,
    rewrite_manifest,
    unresolved_references,
)
from apk.manifest_names import (
    ManifestError,
    expand_class_name,
    rename_identifier,
    rename_prefixed,
)
from tests import realapks
from tests.apk import arsc_factory as af
from tests.apk import factory, oracles
from tests.apk.axml_strategies import apk_with_manifest, real_manifest


def aapt(*args: str | Path) -> str:
    return subprocess.run(
        ["aapt", "dump", *map(str, args)], capture_output=True, text=True, check=True
    ).stdout


def badging(apk: Path) -> dict[str, str]:
    out = aapt("badging", apk)
    facts = {"package": re.findall(r"^package: name='([^']*)'", out, re.M)[0]}
    launchable = re.findall(r"^launchable-activity: name='([^']*)'", out, re.M)
    facts["launchable"] = launchable[0] if launchable else ""
    facts["versionCode"] = re.findall(r"versionCode='([^']*)'", out)[0]
    facts["versionName"] = re.findall(r"versionName='([^']*)'", out)[0]
    facts["sdkVersion"] = (re.findall(r"^sdkVersion:'([^']*)'", out, re.M) or ["1"])[0]
    facts["targetSdkVersion"] = (re.findall(r"^targetSdkVersion:'([^']*)'", out, re.M) or [""])[0]
    return facts


def xml_values(tree: str, attr: str) -> list[str]:
    """The string values of ``android:<attr>`` in ``aapt dump xmltree`` output."""
    return re.findall(rf'A: android:{attr}\(0x[0-9a-f]+\)="([^"]*)"', tree)


# ------------------------------------------------------------------------------- real APKs


@pytest.mark.parametrize("name", realapks.ALL)
def test_info_matches_aapt_badging(name: str) -> None:
    info = read_manifest_info(real_manifest(name))
    facts = badging(realapks.real_apk(name))
    assert info.package == facts["package"]
    assert str(info.version_code) == facts["versionCode"]
    assert info.version_name == facts["versionName"]
    assert str(info.min_sdk) == facts["sdkVersion"]
    assert str(info.target_sdk) == (facts["targetSdkVersion"] or facts["sdkVersion"])
    assert info.launchable_activity == facts["launchable"]
    tree = aapt("xmltree", realapks.real_apk(name), "AndroidManifest.xml")
    assert set(info.provider_authorities) == {
        a for entry in xml_values(tree, "authorities") for a in entry.split(";") if a
    }


@pytest.mark.parametrize("name", realapks.ALL)
def test_two_clones_of_a_real_apk_are_distinct(name: str, tmp_path: Path) -> None:
    source = realapks.real_apk(name)
    original = read_manifest_info(real_manifest(name))
    clones: list[ManifestInfo] = []
    for n in (1, 2):
        plan = RenamePlan(original.package, f"{original.package}.clone{n}")
        manifest = rewrite_manifest(real_manifest(name), plan)
        apk = apk_with_manifest(source, manifest, tmp_path / f"clone{n}.apk")
        facts = badging(apk)
        assert facts["package"] == plan.new_package
        assert facts["launchable"] == original.launchable_activity
        tree = aapt("xmltree", apk, "AndroidManifest.xml")
        info = read_manifest_info(manifest)
        assert set(info.provider_authorities) == {
            a for entry in xml_values(tree, "authorities") for a in entry.split(";") if a
        }
        assert info.launchable_activity == original.launchable_activity
        assert info.application_name == original.application_name
        assert len(info.permissions) == len(original.permissions)
        clones.append(info)
    for field in ("provider_authorities", "permissions", "permission_groups"):
        first, second, orig = (set(getattr(i, field)) for i in (*clones, original))
        assert not first & orig and not second & orig and not first & second, field


@pytest.mark.parametrize("name", [realapks.UIAUTOMATOR, realapks.NATIVE])
def test_own_actions_are_renamed_only_when_asked(name: str, tmp_path: Path) -> None:
    """With ``rename_actions`` (hooked clones), exactly the app's own actions
    (``<package>.…``) move under the clone's package, as aapt reads the clone; without it
    every action stays (an unhooked app's code would still send the original names)."""
    source = realapks.real_apk(name)
    original = read_manifest_info(real_manifest(name))
    before = oracles.attribute_values(source, "action", "name")
    own = [x for x in before if x.startswith(original.package + ".")]
    assert own and list(original.own_actions) == list(dict.fromkeys(own))
    new = f"{original.package}.clone3"
    for renamed in (True, False):
        plan = RenamePlan(original.package, new, rename_actions=renamed)
        apk = apk_with_manifest(
            source, rewrite_manifest(real_manifest(name), plan), tmp_path / "c.apk"
        )
        after = oracles.attribute_values(apk, "action", "name")
        expected = [new + x[len(original.package) :] if renamed and x in own else x for x in before]
        assert after == expected
        assert badging(apk)["launchable"] == original.launchable_activity


# ------------------------------------------------------------------------------- a built manifest

OLD, NEW = "com.example.notes", "com.example.notes.clone2"


def a(name: str, value: str | ResValue) -> XmlAttr:
    return XmlAttr(name, value, next(k for k, v in attrs.NAMES.items() if v == name))


def e(tag: str, *attributes: XmlAttr, children: tuple[XmlElement, ...] = ()) -> XmlElement:
    return XmlElement(tag, attributes, children)


def launcher_filter() -> XmlElement:
    return e(
        "intent-filter",
        children=(
            e("action", a("name", "android.intent.action.MAIN")),
            e("category", a("name", "android.intent.category.LAUNCHER")),
        ),
    )


def notes_manifest(
    application: tuple[XmlElement, ...] = (),
    split: str | None = None,
    utf8: bool = True,
    app_attrs: tuple[XmlAttr, ...] = (),
) -> bytes:
    root_attrs = [
        XmlAttr("package", OLD),
        a("versionCode", ResValue(TYPE_INT_DEC, 7)),
        a("versionName", "1.0"),
        a("sharedUserId", "com.example.shared"),
    ]
    if split:
        root_attrs.append(XmlAttr("split", split))
    children = (
        e(
            "uses-sdk",
            a("minSdkVersion", ResValue(TYPE_INT_DEC, 21)),
            a("targetSdkVersion", ResValue(TYPE_INT_DEC, 34)),
        ),
        e("permission", a("name", f"{OLD}.permission.READ")),
        e("permission", a("name", f"{OLD}.permission.WRITE"), a("permissionGroup", f"{OLD}.group")),
        e("permission", a("name", "vendor.push.RECEIVE")),
        e("permission-group", a("name", f"{OLD}.group")),
        e("uses-permission", a("name", f"{OLD}.permission.READ")),
        e("uses-permission", a("name", "android.permission.INTERNET")),
        e("uses-permission", a("name", "vendor.push.RECEIVE")),
        e("uses-permission", a("name", "com.other.permission.X")),
        e("uses-permission", a("name", f"{OLD}.DYNAMIC_RECEIVER_NOT_EXPORTED_PERMISSION")),
        e("instrumentation", a("name", ".Instr"), a("targetPackage", OLD)),
        e(
            "queries",
            children=(
                e("provider", a("authorities", "com.other.app.provider")),
                e("package", a("name", OLD + ".helper")),
            ),
        ),
        e(
            "application",
            a("name", ".NotesApp"),
            a("backupAgent", "Backup"),
            a("taskAffinity", OLD),
            *app_attrs,
            children=application
            or (
                e(
                    "activity",
                    a("name", ".Main"),
                    a("taskAffinity", OLD + ".main"),
                    a("parentActivityName", ".Home"),
                    children=(launcher_filter(),),
                ),
                e(
                    "activity",
                    a("name", "Home"),
                    children=(
                        e(
                            "meta-data",
                            a("name", "android.support.PARENT_ACTIVITY"),
                            XmlAttr("value", ".Main", 0x01010024),
                        ),
                    ),
                ),
                e("activity-alias", a("name", ".Alias"), a("targetActivity", ".Main")),
                e(
                    "provider",
                    a("name", ".data.Provider"),
                    a("authorities", f"{OLD}.data;legacy.notes"),
                    a("readPermission", f"{OLD}.permission.READ"),
                    a("writePermission", f"{OLD}.permission.WRITE"),
                    children=(e("path-permission", a("readPermission", f"{OLD}.permission.READ")),),
                ),
                e(
                    "receiver",
                    a("name", "Receiver"),
                    a("permission", f"{OLD}.DYNAMIC_RECEIVER_NOT_EXPORTED_PERMISSION"),
                ),
                e(
                    "service",
                    a("name", "com.example.lib.Svc"),
                    a("permission", "android.permission.BIND_JOB_SERVICE"),
                ),
            ),
        ),
    )
    return build_document(XmlElement("manifest", tuple(root_attrs), children), utf8).to_bytes()


def test_info_of_a_built_manifest() -> None:
    info = read_manifest_info(notes_manifest())
    assert info == ManifestInfo(
        package=OLD,
        version_code=7,
        version_name="1.0",
        min_sdk=21,
        target_sdk=34,
        application_name=f"{OLD}.NotesApp",
        app_component_factory=None,
        launchable_activity=f"{OLD}.Main",
        extract_native_libs=None,
        has_code=True,
        provider_authorities=(f"{OLD}.data", "legacy.notes"),
        permissions=(f"{OLD}.permission.READ", f"{OLD}.permission.WRITE", "vendor.push.RECEIVE"),
        permission_groups=(f"{OLD}.group",),
        split=None,
        shared_user_id="com.example.shared",
    )


def test_providers_and_requested_permissions_of_a_built_manifest() -> None:
    data = notes_manifest()
    assert read_providers(data) == (
        ProviderDecl(f"{OLD}.data.Provider", (f"{OLD}.data", "legacy.notes")),
    )  # the <queries> <provider> is not one of the app's
    assert read_requested_permissions(data) == (
        f"{OLD}.permission.READ",
        "android.permission.INTERNET",
        "vendor.push.RECEIVE",
        "com.other.permission.X",
        f"{OLD}.DYNAMIC_RECEIVER_NOT_EXPORTED_PERMISSION",
    )


@pytest.mark.parametrize("utf8", [True, False], ids=["utf8", "utf16"])
def test_rewrite_renames_everything_aapt_shows(tmp_path: Path, utf8: bool) -> None:
    plan = RenamePlan(OLD, NEW, application_name="org.clonespace.Boot")
    manifest = rewrite_manifest(notes_manifest(utf8=utf8), plan)
    apk = apk_with_manifest(realapks.real_apk(realapks.UIAUTOMATOR), manifest, tmp_path / "n.apk")
    tree = aapt("xmltree", apk, "AndroidManifest.xml")
    assert f'A: package="{NEW}"' in tree
    assert xml_values(tree, "sharedUserId") == ["com.example.shared.clone2"]
    assert xml_values(tree, "name") == [
        f"{NEW}.permission.READ",
        f"{NEW}.permission.WRITE",
        "vendor.push.RECEIVE.clone2",
        f"{NEW}.group",
        f"{NEW}.permission.READ",
        "android.permission.INTERNET",
        "vendor.push.RECEIVE.clone2",
        "com.other.permission.X",
        f"{NEW}.DYNAMIC_RECEIVER_NOT_EXPORTED_PERMISSION",
        f"{OLD}.Instr",
        f"{OLD}.helper",  # <queries><package> names another app
        "org.clonespace.Boot",
        f"{OLD}.Main",
        "android.intent.action.MAIN",
        "android.intent.category.LAUNCHER",
        f"{OLD}.Home",
        "android.support.PARENT_ACTIVITY",
        f"{OLD}.Alias",
        f"{OLD}.data.Provider",
        f"{OLD}.Receiver",
        "com.example.lib.Svc",
    ]
    assert xml_values(tree, "permissionGroup") == [f"{NEW}.group"]
    assert xml_values(tree, "targetPackage") == [NEW]
    assert xml_values(tree, "authorities") == [
        "com.other.app.provider",
        f"{NEW}.data;legacy.notes.clone2",
    ]
    assert xml_values(tree, "taskAffinity") == [NEW, f"{NEW}.main"]
    assert xml_values(tree, "backupAgent") == [f"{OLD}.Backup"]
    assert xml_values(tree, "parentActivityName") == [f"{OLD}.Home"]
    assert xml_values(tree, "targetActivity") == [f"{OLD}.Main"]
    assert xml_values(tree, "value") == [f"{OLD}.Main"]
    assert xml_values(tree, "readPermission") == [f"{NEW}.permission.READ"] * 2
    assert xml_values(tree, "writePermission") == [f"{NEW}.permission.WRITE"]
    assert xml_values(tree, "permission") == [
        f"{NEW}.DYNAMIC_RECEIVER_NOT_EXPORTED_PERMISSION",
        "android.permission.BIND_JOB_SERVICE",
    ]
    facts = badging(apk)
    assert facts["package"] == NEW
    assert facts["launchable"] == f"{OLD}.Main"


def test_application_name_is_replaced_or_inserted() -> None:
    plan = RenamePlan(OLD, NEW, application_name="org.clonespace.Boot")
    assert (
        read_manifest_info(rewrite_manifest(notes_manifest(), plan)).application_name
        == plan.application_name
    )
    bare = notes_manifest(
        application=(e("activity", a("name", ".Main"), children=(launcher_filter(),)),)
    )
    without = build_document(
        XmlElement("manifest", (XmlAttr("package", OLD),), (XmlElement("application"),))
    )
    for data in (bare, without.to_bytes()):
        info = read_manifest_info(rewrite_manifest(data, plan))
        assert info.application_name == "org.clonespace.Boot"
        assert info.package == NEW


def test_an_alias_is_reported_as_the_launchable_activity(tmp_path: Path) -> None:
    """The launcher starts the alias, so its name is what we report. (aapt 0.2 and aapt2 2.19
    print no launchable-activity for an alias-only launcher; they see the same alias.)"""
    manifest = notes_manifest(
        application=(
            e("activity", a("name", ".Main")),
            e(
                "activity-alias",
                a("name", ".Entry"),
                a("targetActivity", ".Main"),
                children=(launcher_filter(),),
            ),
        )
    )
    assert read_manifest_info(manifest).launchable_activity == f"{OLD}.Entry"
    rewritten = rewrite_manifest(manifest, RenamePlan(OLD, NEW))
    assert read_manifest_info(rewritten).launchable_activity == f"{OLD}.Entry"
    apk = apk_with_manifest(
        realapks.real_apk(realapks.UIAUTOMATOR), rewritten, tmp_path / "alias.apk"
    )
    assert badging(apk)["launchable"] == ""
    tree = aapt("xmltree", apk, "AndroidManifest.xml")
    assert xml_values(tree, "targetActivity") == [f"{OLD}.Main"]
    assert f"{OLD}.Entry" in xml_values(tree, "name")


def test_split_manifest_changes_package_and_references_only() -> None:
    split = notes_manifest(
        application=(e("activity", a("name", ".Feature"), a("permission", "vendor.push.RECEIVE")),),
        split="config.arm64_v8a",
    )
    plan = RenamePlan(OLD, NEW, "org.clonespace.Boot", frozenset({"vendor.push.RECEIVE"}))
    info = read_manifest_info(rewrite_manifest(split, plan))
    assert info.package == NEW
    assert info.split == "config.arm64_v8a"
    assert info.application_name == f"{OLD}.NotesApp"  # a split never gets the boot class
    tree_values = read_manifest_info(rewrite_manifest(split, plan))
    assert tree_values.permissions == (
        f"{NEW}.permission.READ",
        f"{NEW}.permission.WRITE",
        "vendor.push.RECEIVE.clone2",
    )


# ------------------------------------------------------------------------------- hasCode

TRUE, FALSE = ResValue(TYPE_INT_BOOLEAN, 0xFFFFFFFF), ResValue(TYPE_INT_BOOLEAN, 0)
BOOT = "org.clonespace.Boot"
HAS_CODE_VALUES: dict[str, tuple[str | ResValue | None, bool]] = {
    "absent": (None, True),
    "true": (TRUE, True),
    "false": (FALSE, False),
    "string true": ("true", True),
    "string false": ("false", False),
    "reference": (ResValue(TYPE_REFERENCE, 0x7F050000), True),  # unknown: the default
}


def has_code_manifest(value: str | ResValue | None, split: str | None = None) -> bytes:
    app_attrs = () if value is None else (a("hasCode", value),)
    return notes_manifest(split=split, app_attrs=app_attrs)


def aapt_has_code(tree: str) -> list[str]:
    """``android:hasCode`` as ``aapt dump xmltree`` prints it (a typed boolean as
    ``(type 0x12)0x…``, a string in quotes)."""
    return re.findall(r'A: android:hasCode\(0x0101000c\)=(\(type 0x12\)0x\w+|"[^"]*")', tree)


@pytest.mark.parametrize("case", sorted(HAS_CODE_VALUES))
def test_has_code_is_read(case: str) -> None:
    value, expected = HAS_CODE_VALUES[case]
    assert read_manifest_info(has_code_manifest(value)).has_code is expected
    bare = build_document(XmlElement("manifest", (XmlAttr("package", OLD),))).to_bytes()
    assert read_manifest_info(bare).has_code is True  # no <application> at all


@pytest.mark.parametrize("case", sorted(HAS_CODE_VALUES))
def test_a_new_application_class_comes_with_code(case: str, tmp_path: Path) -> None:
    """The boot class lives in a dex, which Android loads only for an APK with code: a
    ``hasCode`` that does not say true becomes a typed true, as aapt writes it; one that says
    true stays, and an absent one (true by default) is not added. aapt reads the clone so."""
    value, _ = HAS_CODE_VALUES[case]
    rewritten = rewrite_manifest(has_code_manifest(value), RenamePlan(OLD, NEW, BOOT))
    info = read_manifest_info(rewritten)
    assert (info.has_code, info.application_name) == (True, BOOT)
    kept = {"absent": [], "string true": ['"true"']}
    apk = apk_with_manifest(realapks.real_apk(realapks.UIAUTOMATOR), rewritten, tmp_path / "c.apk")
    tree = aapt("xmltree", apk, "AndroidManifest.xml")
    assert aapt_has_code(tree) == kept.get(case, ["(type 0x12)0xffffffff"])
    if case not in kept:
        assert _attr(rewritten, "application", attrs.HAS_CODE) == TRUE
    assert badging(apk)["launchable"] == f"{OLD}.Main"


@pytest.mark.parametrize("split", [None, "config.arm64_v8a"], ids=["base", "split"])
def test_has_code_stays_without_a_new_application_class_and_in_splits(split: str | None) -> None:
    """Without ``application_name`` (``--hooks none``) nothing loads a new class, and a split
    never gets one (config splits say ``hasCode="false"``): the attribute stays as it is."""
    manifest = has_code_manifest(FALSE, split)
    plans = [RenamePlan(OLD, NEW)] + ([RenamePlan(OLD, NEW, BOOT)] if split else [])
    for plan in plans:
        rewritten = rewrite_manifest(manifest, plan)
        assert _attr(rewritten, "application", attrs.HAS_CODE) == FALSE
        assert read_manifest_info(rewritten).has_code is False
        assert read_manifest_info(rewritten).application_name == f"{OLD}.NotesApp"


# ------------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("data", "plan", "message"),
    [
        (notes_manifest(), RenamePlan("com.other", NEW), "not 'com.other'"),
        (
            build_document(XmlElement("resources")).to_bytes(),
            RenamePlan(OLD, NEW),
            "not <manifest>",
        ),
        (build_document(XmlElement("manifest")).to_bytes(), RenamePlan(OLD, NEW), "no package"),
    ],
)
def test_rewrite_refuses(data: bytes, plan: RenamePlan, message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        rewrite_manifest(data, plan)


@pytest.mark.parametrize("new", ["notes", "com..x", "1com.x", "com.x/y", OLD])
def test_bad_new_package_is_refused(new: str) -> None:
    with pytest.raises(ManifestError, match=re.escape(repr(new))):
        RenamePlan(OLD, new)


def test_garbage_manifest_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="compiled XML"):
        read_manifest_info(b"<manifest/>")


# ------------------------------------------------------------------------------- naming rules


@pytest.mark.parametrize(
    ("name", "full"),
    [(".Main", "p.q.Main"), ("Main", "p.q.Main"), ("a.b.Main", "a.b.Main"), (".x.Y", "p.q.x.Y")],
)
def test_expand_class_name(name: str, full: str) -> None:
    assert expand_class_name("p.q", name) == full


@pytest.mark.parametrize(
    ("value", "renamed"),
    [
        ("p.q", "p.q.clone3"),
        ("p.q.files", "p.q.clone3.files"),
        ("x.p.q", "x.p.q.clone3"),
        ("p.qr.files", "p.qr.files.clone3"),  # p.q is not a whole word here
        ("legacy", "legacy.clone3"),
    ],
)
def test_rename_identifier(value: str, renamed: str) -> None:
    assert rename_identifier(value, "p.q", "p.q.clone3") == renamed


def test_rename_identifier_with_an_unrelated_new_name() -> None:
    assert rename_identifier("legacy", "p.q", "org.c1") == "legacy.org.c1"


def test_rename_prefixed_only_touches_a_leading_package() -> None:
    assert rename_prefixed("p.q:remote", "p.q", "p.q.c") == "p.q.c:remote"
    assert rename_prefixed("x.p.q", "p.q", "p.q.c") == "x.p.q"


@pytest.mark.parametrize("name", realapks.ALL)
def test_own_names_say_what_the_rewrite_did(name: str) -> None:
    original = read_manifest_info(real_manifest(name))
    new = f"{original.package}.clone1"
    plan = RenamePlan(original.package, new, rename_actions=True)
    clone = read_manifest_info(rewrite_manifest(real_manifest(name), plan))
    _assert_renamed_as_said(original, clone, OwnNames.of([original]).renamed(plan.old_package, new))


def _assert_renamed_as_said(
    original: ManifestInfo, clone: ManifestInfo, said: dict[str, dict[str, str]]
) -> None:
    """``said`` (``OwnNames.renamed``) maps each of the original's names to the clone's."""
    authorities, permissions = said["authorities"], said["permissions"]
    assert [authorities[a] for a in original.provider_authorities] == list(
        clone.provider_authorities
    )
    assert [permissions[p] for p in original.permissions] == list(clone.permissions)
    assert [said["actions"][a] for a in original.own_actions] == list(clone.own_actions)


def test_own_names_are_each_name_once_over_all_apks() -> None:
    info = read_manifest_info(factory.manifest(PKG))
    base = dataclasses.replace(info, provider_authorities=(f"{PKG}.data", "sdk.init"))
    split = dataclasses.replace(info, provider_authorities=("sdk.init", f"{PKG}.more"))
    names = OwnNames.of([base, split])
    assert names.permissions == (f"{PKG}.SECRET",)
    assert names.authorities == (f"{PKG}.data", "sdk.init", f"{PKG}.more")
    assert names.renamed(PKG, CLONE)["authorities"] == {
        f"{PKG}.data": f"{CLONE}.data",
        "sdk.init": "sdk.init.clone1",
        f"{PKG}.more": f"{CLONE}.more",
    }


def test_plan_refuses_a_relative_application_class() -> None:
    with pytest.raises(ManifestError, match="fully qualified"):
        RenamePlan(OLD, NEW, application_name=".Boot")


def test_a_preview_codename_counts_as_the_development_sdk() -> None:
    data = build_document(
        XmlElement(
            "manifest",
            (XmlAttr("package", OLD), a("versionCode", "x")),
            (e("uses-sdk", a("minSdkVersion", "Q")),),
        )
    ).to_bytes()
    info = read_manifest_info(data)
    assert (info.min_sdk, info.target_sdk, info.version_code) == (10000, 10000, None)
    bare = read_manifest_info(
        build_document(XmlElement("manifest", (XmlAttr("package", OLD),))).to_bytes()
    )
    assert (bare.min_sdk, bare.target_sdk, bare.launchable_activity, bare.application_name) == (
        1,
        1,
        None,
        None,
    )


IDENT = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)
CLASS = st.one_of(
    IDENT.map(lambda s: "." + s.capitalize()),
    IDENT.map(str.capitalize),
    IDENT.map(lambda s: f"org.lib.{s.capitalize()}"),
)
AUTHORITY = st.one_of(IDENT.map(lambda s: f"{OLD}.{s}"), IDENT, IDENT.map(lambda s: f"x.{s}.y"))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(sorted(COMPONENTS)), CLASS), max_size=6),
    st.lists(st.lists(AUTHORITY, min_size=1, max_size=3, unique=True), max_size=3),
)
def test_generated_manifests_clone_to_distinct_names(
    components: list[tuple[str, str]], authorities: list[list[str]]
) -> None:
    children = [e("profileable")]  # never empty, so no default components are added
    children += [e(tag, a("name", name)) for tag, name in components]
    children += [
        e("provider", a("name", f".P{i}"), a("authorities", ";".join(auths)))
        for i, auths in enumerate(authorities)
    ]
    data = notes_manifest(application=tuple(children))
    original = read_manifest_info(data)
    clones = [
        read_manifest_info(rewrite_manifest(data, RenamePlan(OLD, f"{OLD}.clone{n}")))
        for n in (1, 2)
    ]
    doc = parse(rewrite_manifest(data, RenamePlan(OLD, f"{OLD}.clone1")))
    names = [
        doc.attribute_string(attr)
        for ref in doc.elements()
        if ref.path[:2] == ("manifest", "application") and len(ref.path) == 3
        for attr in ref.element.attributes
        if doc.attribute_id(attr) == attrs.NAME
    ]
    assert names == [expand_class_name(OLD, n) for _, n in components] + [
        f"{OLD}.P{i}" for i in range(len(authorities))
    ]
    first, second = (set(c.provider_authorities) for c in clones)
    assert not first & set(original.provider_authorities)
    assert not second & set(original.provider_authorities)
    assert not first & second
    assert len(first) == len(set(original.provider_authorities))


# ------------------------------------------------------------------------------- references

PKG, CLONE = af.PACKAGE, f"{af.PACKAGE}.clone1"


def table_of(*values: str | int) -> ResolveString:
    """A resolver over a string table with ``values`` (0x7f010000 …), parsed once."""
    table = parse_table(af.strings_table(list(values)))
    return table_resolver(lambda: table)


def referencing_resolver() -> ResolveString:
    table = parse_table(af.referencing_table())
    return table_resolver(lambda: table)


def test_references_are_renamed_as_literals(tmp_path: Path) -> None:
    manifest = rewrite_manifest(
        af.referencing_manifest(), RenamePlan(PKG, CLONE), referencing_resolver()
    )
    apk = tmp_path / "clone.apk"
    arsc = ("resources.arsc", af.referencing_table(), zipfile.ZIP_STORED)
    apk.write_bytes(factory.apk_bytes(manifest, arsc))
    tree = aapt("xmltree", apk, "AndroidManifest.xml")
    assert xml_values(tree, "sharedUserId") == ["org.example.shared.clone1"]
    assert xml_values(tree, "authorities") == [f"{CLONE}.files"]
    assert xml_values(tree, "readPermission") == [f"{CLONE}.permission.SECRET"]
    assert xml_values(tree, "name") == [
        f"{CLONE}.permission.SECRET",  # <permission>, a reference before
        f"{CLONE}.permission.SECRET",  # <uses-permission>, a literal naming it
        f"{PKG}.Main",
        "android.intent.action.MAIN",
        "android.intent.category.LAUNCHER",
        f"{PKG}.Files",
    ]
    assert re.search(r"A: android:label\(0x01010001\)=@0x7f010004$", tree, re.M)  # untouched
    facts = badging(apk)
    assert (facts["package"], facts["launchable"]) == (CLONE, f"{PKG}.Main")


def test_info_and_rename_map_report_resolved_values() -> None:
    manifest, resolve = af.referencing_manifest(), referencing_resolver()
    info = read_manifest_info(manifest, resolve)
    assert info.provider_authorities == (f"{PKG}.files",)
    assert info.permissions == (f"{PKG}.permission.SECRET",)
    assert info.shared_user_id == "org.example.shared"
    bare = read_manifest_info(manifest)
    assert (bare.provider_authorities, bare.permissions, bare.shared_user_id) == ((), (), None)
    plan = RenamePlan(PKG, CLONE)
    clone = read_manifest_info(rewrite_manifest(manifest, plan, resolve))
    _assert_renamed_as_said(info, clone, OwnNames.of([info]).renamed(PKG, CLONE))
    assert clone.shared_user_id == "org.example.shared.clone1"


def _attr(data: bytes, tag: str, resource_id: int) -> ResValue:
    doc = parse(data)
    ref = next(r for r in doc.elements() if r.tag == tag)
    attr = doc.get(ref.element, attrs.NAMES.get(resource_id, ""), resource_id)
    assert attr is not None
    return attr.value


@pytest.mark.parametrize(
    "resolve",
    [None, table_of("org.example.app.files")],  # no table; a table without the alias
    ids=["no table", "missing ids"],
)
def test_unresolved_references_stay_and_are_reported(resolve: ResolveString | None) -> None:
    manifest = af.referencing_manifest()
    rewritten = rewrite_manifest(manifest, RenamePlan(PKG, CLONE), resolve)
    for tag, rid in (("provider", attrs.AUTHORITIES), ("permission", attrs.NAME)):
        assert _attr(rewritten, tag, rid) == _attr(manifest, tag, rid)
    found = unresolved_references(manifest, resolve)
    assert [(u.tag, u.attribute, u.resource_id) for u in found] == [
        ("manifest", "sharedUserId", af.SHARED_USER),
        ("permission", "name", af.PERMISSION),
        ("provider", "authorities", af.ALIAS),
    ]
    assert "@0x7f010001" in str(found[2]) and "may not install" in str(found[2])
    assert unresolved_references(manifest, referencing_resolver()) == ()


@pytest.mark.parametrize(
    ("tag", "attribute", "value", "expected"),
    [
        ("application", attrs.NAME, ".App", f"{PKG}.App"),  # Android would expand it for CLONE
        ("activity", attrs.TASK_AFFINITY, f"{PKG}:work", f"{CLONE}:work"),
        ("activity", attrs.PERMISSION, "android.permission.CAMERA", None),  # not renamed
        ("uses-permission", attrs.NAME, f"{PKG}.permission.SECRET", None),  # Android ignores it
        ("application", af.LABEL_ATTR, "Notes", None),  # not a name the rewrite touches
    ],
)
def test_which_references_become_literals(
    tag: str, attribute: int, value: str, expected: str | None
) -> None:
    name = attrs.NAMES.get(attribute, "label")
    element = e(tag, XmlAttr(name, ResValue(TYPE_REFERENCE, af.STRING), attribute))
    if tag == "activity":
        element = e("application", children=(element,))
    declared = e("permission", a("name", f"{PKG}.permission.SECRET"))
    root = XmlElement("manifest", (XmlAttr("package", PKG),), (declared, element))
    rewritten = rewrite_manifest(
        build_document(root).to_bytes(), RenamePlan(PKG, CLONE), table_of(value)
    )
    doc = parse(rewritten)
    ref = next(r for r in doc.elements() if r.tag == tag)
    attr = doc.get(ref.element, name, attribute)
    assert attr is not None
    if expected is None:
        assert attr.value == ResValue(TYPE_REFERENCE, af.STRING)
    else:
        assert attr.value.data_type == TYPE_STRING
        assert doc.attribute_string(attr) == expected
