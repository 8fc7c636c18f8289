"""The payload plan: which ABIs, which names, which entries, and the refusals."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from apk.facts import dex_entry_names, next_dex_name
from hooks.payload.config import ConfigError, PayloadNames, gadget_config, parse_config
from hooks.payload.dexgen import (
    ACC_CONSTRUCTOR,
    ACC_FINAL,
    ACC_PRIVATE,
    ACC_PUBLIC,
    ClassDef,
    Code,
    DirectMethod,
    InvokeDirect,
    MethodRef,
    ReturnVoid,
    write_dex,
)
from hooks.payload.dexpatch import clear_final
from hooks.payload.embed import (
    ApkFacts,
    PayloadInputError,
    choose_library,
    payload_abis,
    prepare,
    required_archs,
)
from hooks.payload.gadget import Arch, GadgetSet, acquire
from hooks.payload.loader import LoaderInputError
from tests.realapks import NATIVE, UIAUTOMATOR, real_apk

AGENT = b"/* agent */ rpc.exports = {};\n"
ALL_ABIS = ("arm64-v8a", "armeabi-v7a", "x86", "x86_64")


def names_of(apk: str) -> tuple[str, ...]:
    with zipfile.ZipFile(real_apk(apk)) as z:
        return tuple(z.namelist())


def app_dex(name: str, flags: int = ACC_PUBLIC, ctor_flags: int = ACC_PUBLIC) -> bytes:
    """A dex defining Application subclass ``name`` with the given class/constructor flags."""
    parent = "Landroid/app/Application;"
    init = DirectMethod(
        "<init>", (), "V", ctor_flags | ACC_CONSTRUCTOR,
        Code(1, 1, 1, (InvokeDirect((0,), MethodRef(parent, "<init>", (), "V")), ReturnVoid())),
    )  # fmt: skip
    desc = "L" + name.replace(".", "/") + ";"
    return write_dex([ClassDef(desc, parent, flags, (init,))])


@pytest.fixture(scope="module")
def gadgets(gadget_dir: Path, frida_version: str) -> GadgetSet:
    return acquire(
        frida_version, list(Arch), gadget_dir=gadget_dir, cache_root=Path("/nonexistent")
    )


def facts(
    entries: tuple[str, ...] = ("classes.dex",),
    application: str | None = None,
    extract: bool | None = None,
    **kw: object,
) -> ApkFacts:
    return ApkFacts("com.example.app", application, extract, 24, entries, **kw)  # type: ignore[arg-type]


# --- ABIs -----------------------------------------------------------------------------


def test_no_native_code_gets_all_four_abis() -> None:
    assert payload_abis(names_of(UIAUTOMATOR)) == (ALL_ABIS, ())


def test_native_apk_gets_exactly_its_abis() -> None:
    assert payload_abis(names_of(NATIVE)) == (("arm64-v8a", "armeabi-v7a"), ())
    assert required_archs(facts(names_of(NATIVE))) == (Arch.ARM, Arch.ARM64)


def test_device_abis_narrow_only_apps_without_native_code() -> None:
    assert payload_abis(names_of(UIAUTOMATOR), ["x86_64", "x86"]) == (("x86", "x86_64"), ())
    assert payload_abis(names_of(NATIVE), ["x86_64"])[0] == ("arm64-v8a", "armeabi-v7a")
    with pytest.raises(PayloadInputError, match="have no Frida Gadget"):
        payload_abis(names_of(UIAUTOMATOR), ["riscv64"])


def test_unknown_abis() -> None:
    assert payload_abis(["lib/mips/liba.so", "lib/x86/liba.so"]) == (("x86",), ("mips",))
    with pytest.raises(PayloadInputError, match="only for mips, riscv64"):
        payload_abis(["lib/mips/liba.so", "lib/riscv64/liba.so"])


def test_library_name_avoids_the_apps_own_files() -> None:
    assert choose_library(["lib/x86/libfoo.so"]).gadget == "libcsrt.so"
    taken = choose_library(["lib/x86/libcsrt.config.so", "lib/arm64-v8a/libcsrt2.so"])
    assert taken.all() == ("libcsrt3.so", "libcsrt3.config.so", "libcsrt3.script.so")


@pytest.mark.parametrize("bad", ["frida", "myfrida", "Csrt", "a-b", "", "x" * 40])
def test_library_names_must_be_neutral(bad: str) -> None:
    with pytest.raises(ConfigError):
        PayloadNames(bad)


def test_next_dex_is_the_first_one_art_would_miss() -> None:
    assert next_dex_name(["classes.dex"]) == "classes2.dex"
    assert next_dex_name(["classes.dex", "classes2.dex", "classes3.dex"]) == "classes4.dex"
    assert next_dex_name(["classes.dex", "classes3.dex"]) == "classes2.dex"
    assert next_dex_name(["AndroidManifest.xml"]) == "classes.dex"
    assert dex_entry_names(["classes2.dex", "classes.dex", "classes4.dex"]) == [
        "classes.dex",
        "classes2.dex",
    ]


# --- the C fast path each ABI's script carries -------------------------------------------

SLOTTED = "📦\n2 /src/index.js\n26 /src/fastpath/carried.js\n✄\nab\n✄\nexport const CARRIED=null;"


def test_each_abis_script_carries_its_own_architectures_module(gadgets: GadgetSet) -> None:
    from hooks.payload.bundle import carried_fast_path
    from hooks.prebuilt import PrebuiltFastPath

    prebuilt = PrebuiltFastPath("k1", {"arm": b"ARM MODULE", "x64": b"X64 MODULE"})
    names = ("lib/armeabi/liba.so", "lib/armeabi-v7a/liba.so", "lib/x86/liba.so")
    agent = SLOTTED.encode()
    payload = prepare(facts(names), {}, gadgets, agent, prebuilt=prebuilt)
    scripts = {e.name: e.data for e in payload.shared if e.name.endswith(".script.so")}
    # armeabi devices run the ARMv7 Gadget: both ARM directories carry the arm module
    assert carried_fast_path(scripts["lib/armeabi/libcsrt.script.so"]) == (
        "arm",
        "k1",
        b"ARM MODULE",
    )
    assert scripts["lib/armeabi-v7a/libcsrt.script.so"] == scripts["lib/armeabi/libcsrt.script.so"]
    assert scripts["lib/x86/libcsrt.script.so"] == agent  # no ia32 module: the agent as built
    assert payload.summary()["fast_path"] == {
        "armeabi": "prebuilt", "armeabi-v7a": "prebuilt", "x86": "tinycc",
    }  # fmt: skip


def test_without_prebuilt_modules_every_abi_runs_the_agent_as_built(gadgets: GadgetSet) -> None:
    payload = prepare(facts(names_of(NATIVE)), {}, gadgets, AGENT)
    scripts = [e.data for e in payload.shared if e.name.endswith(".script.so")]
    assert scripts == [AGENT, AGENT]
    assert set(payload.summary()["fast_path"].values()) == {"tinycc"}


def test_an_agent_without_the_slot_cannot_carry_the_fast_path(gadgets: GadgetSet) -> None:
    from hooks.payload.bundle import BundleError
    from hooks.prebuilt import PrebuiltFastPath

    prebuilt = PrebuiltFastPath("k1", {"arm64": b"MODULE"})
    with pytest.raises(BundleError, match="not a frida-compile bundle"):
        prepare(facts(names_of(NATIVE)), {}, gadgets, AGENT, prebuilt=prebuilt)


# --- the plan -------------------------------------------------------------------------


def test_plan_without_application_class(gadgets: GadgetSet) -> None:
    payload = prepare(facts(names_of(UIAUTOMATOR)), {}, gadgets, AGENT)
    assert payload.superclass == "android.app.Application"
    assert payload.loader_class == "com.example.app.CsBootApplication"
    assert payload.abis == ALL_ABIS
    entries = {e.name: e for e in payload.entries_for({"clone": "com.example.app:1"})}
    expected = {"classes2.dex"} | {
        f"lib/{abi}/{f}" for abi in ALL_ABIS for f in PayloadNames("csrt").all()
    }
    assert set(entries) == expected
    gadgets_in = [e for n, e in entries.items() if n.endswith("/libcsrt.so")]
    assert len(gadgets_in) == 4
    assert all(not e.compress and e.alignment == 16384 for e in gadgets_in)  # always stored
    others = [e for n, e in entries.items() if not n.endswith("/libcsrt.so")]
    assert all(e.compress for e in others)  # extractNativeLibs absent: deflated
    assert entries["lib/x86/libcsrt.so"].data == gadgets.gadgets[Arch.X86].data
    assert entries["lib/arm64-v8a/libcsrt.script.so"].data == AGENT
    assert not any("frida" in name for name in entries)


def test_plan_stores_and_aligns_when_libs_are_not_extracted(gadgets: GadgetSet) -> None:
    payload = prepare(facts(names_of(NATIVE), extract=False), {}, gadgets, AGENT)
    libs = [e for e in payload.entries_for({}) if e.name.startswith("lib/")]
    assert len(libs) == 6
    assert all(not e.compress and e.alignment == 16384 for e in libs)
    assert payload.summary()["native_libs_extracted"] is False


def test_config_carries_the_clone_policy_in_script_mode(gadgets: GadgetSet) -> None:
    payload = prepare(
        facts(application="com.example.app.App"),
        {"classes.dex": app_dex("com.example.app.App")},
        gadgets,
        AGENT,
    )
    policy = {"version": 1, "clone": "com.example.app:2", "redirects": []}
    (config_entry,) = [
        e for e in payload.entries_for(policy) if e.name.endswith("x86/libcsrt.config.so")
    ]
    config = parse_config(config_entry.data)
    interaction = config["interaction"]
    assert interaction["type"] == "script"
    assert interaction["path"] == "libcsrt.script.so"
    assert interaction["on_change"] == "ignore"
    assert interaction["parameters"]["clone"] == "com.example.app:2"
    assert interaction["parameters"]["android"] == {
        "source_package": "com.example.app",
        "application_class": "com.example.app.App",
        "loader_class": "com.example.app.CsBootApplication",
    }


def test_a_listening_config_is_refused() -> None:
    listen = b'{"interaction": {"type": "listen", "address": "0.0.0.0"}}'
    with pytest.raises(ConfigError, match="must be 'script', not 'listen'"):
        parse_config(listen)
    assert parse_config(gadget_config(PayloadNames("csrt"), {}))["interaction"]["type"] == "script"


def test_loader_extends_the_apps_application_in_its_package(gadgets: GadgetSet) -> None:
    dex = app_dex("org.sample.core.MyApp")
    payload = prepare(
        facts(application="org.sample.core.MyApp"),
        {"classes.dex": b"unrelated", "classes2.dex": dex},
        gadgets,
        AGENT,
    )
    assert payload.superclass == "org.sample.core.MyApp"
    assert payload.loader_class == "org.sample.core.CsBootApplication"
    assert payload.application_name == payload.loader_class
    assert [w for w in payload.warnings if "16 KiB" not in w] == []


def test_loader_name_avoids_an_existing_class(gadgets: GadgetSet) -> None:
    existing = app_dex("com.example.app.CsBootApplication")
    payload = prepare(facts(), {"classes.dex": existing}, gadgets, AGENT)
    assert payload.loader_class == "com.example.app.CsBootApplication2"


def test_final_application_is_unfinalized_or_refused(gadgets: GadgetSet) -> None:
    dex = app_dex("com.example.app.App", flags=ACC_PUBLIC | ACC_FINAL)
    dexes = {"classes.dex": app_dex("a.B"), "classes2.dex": dex}
    payload = prepare(facts(application="com.example.app.App"), dexes, gadgets, AGENT)
    assert [name for name, _ in payload.replaced] == ["classes2.dex"]
    assert payload.replaced[0][1] == clear_final(dex, "com.example.app.App") != dex
    assert payload.summary()["unfinalized"] == ["classes2.dex"]
    with pytest.raises(LoaderInputError, match=r"com\.example\.app\.App is final.*--hooks none"):
        prepare(facts(application="com.example.app.App"), dexes, gadgets, AGENT, patch_final=False)


def test_private_constructor_is_refused(gadgets: GadgetSet) -> None:
    dex = app_dex("com.example.app.App", ctor_flags=ACC_PRIVATE)
    with pytest.raises(LoaderInputError, match="private constructor"):
        prepare(facts(application="com.example.app.App"), {"classes.dex": dex}, gadgets, AGENT)


def test_unfound_application_class_is_a_warning(gadgets: GadgetSet) -> None:
    payload = prepare(
        facts(application="com.example.app.Gone"), {"classes.dex": app_dex("a.B")}, gadgets, AGENT
    )
    assert any("com.example.app.Gone is not in the APK's dex" in w for w in payload.warnings)


def test_an_app_without_dex_gets_the_loader_as_classes_dex(gadgets: GadgetSet) -> None:
    """A pure-native app (hasCode="false", no dex, no Application class): the loader is its
    only dex, extends android.app.Application, and nothing about it is worth a warning (the
    manifest rewrite turns hasCode true)."""
    native = tuple(n for n in names_of(NATIVE) if not n.endswith(".dex"))
    payload = prepare(facts(native), {}, gadgets, AGENT)
    assert (payload.dex_name, payload.superclass) == ("classes.dex", "android.app.Application")
    assert payload.loader_class == "com.example.app.CsBootApplication"
    assert payload.abis == ("arm64-v8a", "armeabi-v7a")
    assert "classes.dex" in {e.name for e in payload.entries_for({})}
    assert list(payload.warnings) == list(gadgets.warnings)


def test_missing_gadgets_are_refused(gadgets: GadgetSet) -> None:
    only_arm = GadgetSet(gadgets.version, "dir", {Arch.ARM: gadgets.gadgets[Arch.ARM]})
    with pytest.raises(PayloadInputError, match="no gadget for arm64"):
        prepare(facts(names_of(NATIVE)), {}, only_arm, AGENT)


def test_old_min_sdk_is_a_warning(gadgets: GadgetSet) -> None:
    old = ApkFacts("com.example.app", None, None, 19, ("classes.dex",))
    payload = prepare(old, {}, gadgets, AGENT)
    assert any("needs API 21+" in w for w in payload.warnings)
