"""Hooked clones of real APKs, checked with the official tools (apksigner, zipalign, aapt,
dexdump): the payload is there for exactly the right ABIs, each Gadget config is script
mode, the added dex defines the class the manifest names, and the clones still pass every
check of a plain clone. Gadgets are stand-ins (see standins.py)."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from apk.manifest import OwnNames
from apk.pipeline import BuiltClone, build_clones
from apk.signing.keys import generate
from apk.splits import load_app
from clone.workflows.payload import HookMode, HookPlan, prepare_hooks
from hooks.payload.bundle import carried_fast_path
from hooks.payload.gadget import ARCH_FOR_ABI
from hooks.prebuilt import read_prebuilt
from tests.apk.oracles import attribute_values
from tests.hooks.payload.variants import DEX, native_only, variant
from tests.hooks.test_prebuilt import TARGETS, readelf
from tests.realapks import NATIVE, UIAUTOMATOR, real_apk

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        any(
            shutil.which(t) is None
            for t in ("apksigner", "zipalign", "aapt", "dexdump", "unzip", "readelf")
        ),
        reason="needs apksigner, zipalign, aapt, dexdump, unzip and readelf",
    ),
]

ALL_ABIS = ["arm64-v8a", "armeabi-v7a", "x86", "x86_64"]


@dataclass(frozen=True)
class Case:
    apk: str
    abis: list[str]
    superclass: str  # what the loader extends
    factory: str | None  # the app's appComponentFactory, kept as it is


CASES = {
    "uiautomator": Case(
        UIAUTOMATOR, ALL_ABIS, "android.app.Application", "androidx.core.app.CoreComponentFactory"
    ),
    "native": Case(
        NATIVE,
        ["arm64-v8a", "armeabi-v7a"],
        "com.netease.nie.yosemite.MyApp",
        "androidx.core.app.CoreComponentFactory",
    ),
}


@dataclass(frozen=True)
class Built:
    case: Case
    source: Path
    plan: HookPlan
    clones: list[BuiltClone]


@pytest.fixture(scope="module", params=sorted(CASES))
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, gadget_dir: Path
) -> Built:
    case = CASES[request.param]
    source = real_apk(case.apk)
    app = load_app([source])
    out = tmp_path_factory.mktemp(f"hooked-{request.param}")
    plan = prepare_hooks(app, HookMode.GADGET, gadget_dir=gadget_dir, cache_root=out / "cache")
    specs = [plan.spec(i, f"{app.package}.clone{i}") for i in (1, 2)]
    clones = build_clones(app, specs, out / "dist", generate())
    return Built(case, source, plan, clones)


def run(*cmd: str | Path) -> str:
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, errors="replace")
    assert done.returncode == 0, f"{cmd[0]} failed: {done.stdout}{done.stderr}"
    return done.stdout


def application_attrs(apk: Path) -> dict[str, str]:
    """The string attributes of <application> as ``aapt dump xmltree`` prints them."""
    tree = run("aapt", "dump", "xmltree", apk, "AndroidManifest.xml")
    block = tree[tree.index("E: application") :].split("E: ", 2)[1]
    return dict(re.findall(r'A: android:(\w+)\(0x[0-9a-f]+\)="([^"]*)"', block))


def test_official_tools_accept_the_clones(built: Built) -> None:
    for clone in built.clones:
        run("apksigner", "verify", clone.apk)
        run("zipalign", "-c", "-p", "4", clone.apk)
        badging = run("aapt", "dump", "badging", clone.apk)
        assert f"package: name='{clone.package}'" in badging
        original = run("aapt", "dump", "badging", built.source)
        launch = re.search(r"launchable-activity: name='([^']+)'", original)
        assert launch is not None and f"launchable-activity: name='{launch.group(1)}'" in badging
        native = re.search(r"native-code: (.*)", badging)
        assert native is not None
        assert native.group(1).split() == [f"'{a}'" for a in built.case.abis]


def test_payload_is_there_for_exactly_the_right_abis(built: Built) -> None:
    with zipfile.ZipFile(built.source) as z:
        original = {i.filename: i.CRC for i in z.infolist()}
    for clone in built.clones:
        with zipfile.ZipFile(clone.apk) as z:
            entries = {i.filename: i for i in z.infolist()}
        added = sorted(set(entries) - set(original))
        payload = sorted(
            f"lib/{abi}/{f}"
            for abi in built.case.abis
            for f in ("libcsrt.so", "libcsrt.config.so", "libcsrt.script.so")
        )
        dex = built.plan.summary()["dex"]
        signature_files = [n for n in added if n.startswith("META-INF/")]
        assert sorted(set(added) - set(signature_files)) == sorted([*payload, dex])
        untouched = {n for n in original if not n.startswith("META-INF/")}
        untouched -= {"AndroidManifest.xml", "resources.arsc"}
        assert all(original[n] == entries[n].CRC for n in untouched)
        assert not any("frida" in n.lower() for n in added)
        for abi in built.case.abis:  # the Gadget is stored, 16 KiB aligned, byte for byte
            info = entries[f"lib/{abi}/libcsrt.so"]
            assert info.compress_type == zipfile.ZIP_STORED
            assert data_offset(clone.apk, info) % 16384 == 0


def unzip(apk: Path, name: str) -> bytes:
    """Entry ``name`` of ``apk`` as Info-ZIP's ``unzip`` extracts it."""
    done = subprocess.run(["unzip", "-p", str(apk), name], capture_output=True, check=True)
    return done.stdout


def test_each_abis_script_carries_the_fast_path_built_for_it(built: Built, tmp_path: Path) -> None:
    """The agent script in ``lib/<abi>/`` (listed by aapt, extracted by unzip) carries the
    module of dist/cmodule for that ABI's architecture, a shared object for its machine as
    readelf reads it; an ABI whose module the build could not make carries none."""
    prebuilt = read_prebuilt()
    assert prebuilt is not None, "the agent build made no dist/cmodule (make agent)"
    machines = {t.arch: t.machine for t in TARGETS}
    expected = {}
    for clone in built.clones:
        listed = run("aapt", "list", clone.apk).splitlines()
        for abi in built.case.abis:
            name = f"lib/{abi}/libcsrt.script.so"
            assert name in listed
            carried = carried_fast_path(unzip(clone.apk, name))
            arch = ARCH_FOR_ABI[abi].process_arch
            so = prebuilt.for_arch(arch)
            expected[abi] = "tinycc" if so is None else "prebuilt"
            if so is None:
                assert carried is None, f"{abi}: carries a module the build did not make"
                continue
            assert carried == (arch, prebuilt.key, so), f"{abi}: not its own module"
            (tmp_path / "carried.so").write_bytes(carried[2])
            header = readelf("-h", tmp_path / "carried.so")
            assert re.search(rf"Machine:\s+{re.escape(machines[arch])}\n", header), abi
    assert built.plan.summary()["fast_path"] == expected


def test_each_config_is_script_mode_with_the_clones_policy(built: Built) -> None:
    for clone in built.clones:
        with zipfile.ZipFile(clone.apk) as z:
            for abi in built.case.abis:
                config = json.loads(z.read(f"lib/{abi}/libcsrt.config.so"))
                interaction = config["interaction"]
                assert interaction["type"] == "script"
                assert interaction["path"] == "libcsrt.script.so"
                assert interaction["on_change"] == "ignore"
                policy = interaction["parameters"]
                source_package = clone.package.rsplit(".clone", 1)[0]
                assert policy["clone"] == f"{source_package}:{clone.index}"
                assert policy["platform"] == "android"
                assert policy["clone_package"] == clone.package
                assert policy["original_package"] == source_package
                assert len(policy["original_signatures"]) == 1
                virtual = {r["virtual"]: r["real"] for r in policy["redirects"]}
                assert virtual[f"/data/data/{source_package}"] == f"/data/user/0/{clone.package}"
                script = z.read(f"lib/{abi}/libcsrt.script.so")
                assert b"rpc.exports" in script  # the built agent


def test_dexdump_shows_the_loader_the_manifest_names(built: Built, tmp_path: Path) -> None:
    summary = built.plan.summary()
    for clone in built.clones:
        attrs = application_attrs(clone.apk)
        loader = attrs["name"]
        assert loader == summary["loader_class"]
        assert attrs.get("appComponentFactory") == built.case.factory
        dex = tmp_path / f"{clone.index}.dex"
        with zipfile.ZipFile(clone.apk) as z:
            dex.write_bytes(z.read(summary["dex"]))
        dump = run("dexdump", "-d", dex)
        descriptor = "L" + loader.replace(".", "/") + ";"
        superclass = "L" + built.case.superclass.replace(".", "/") + ";"
        assert f"Class descriptor  : '{descriptor}'" in dump
        assert f"Superclass        : '{superclass}'" in dump
        clinit = dump[dump.index("'<clinit>'") : dump.index("'<init>'")]
        assert 'const-string v0, "csrt"' in clinit
        assert "Ljava/lang/System;.loadLibrary:(Ljava/lang/String;)V" in clinit
        init = dump[dump.index("'<init>'") :]
        assert f"invoke-direct {{v0}}, {superclass}.<init>:()V" in init


def test_original_application_is_recorded_for_the_agent(built: Built) -> None:
    summary = built.plan.summary()
    original = None if built.case.superclass.startswith("android.") else built.case.superclass
    assert summary["application_class"] == original
    assert summary["abis"] == built.case.abis
    with zipfile.ZipFile(built.clones[0].apk) as z:
        config = json.loads(z.read(f"lib/{built.case.abis[0]}/libcsrt.config.so"))
    assert config["interaction"]["parameters"]["android"]["application_class"] == original


def data_offset(apk: Path, info: zipfile.ZipInfo) -> int:
    """Where an entry's data starts (after its local header, whose extra may differ)."""
    with apk.open("rb") as f:
        f.seek(info.header_offset + 26)
        name_len, extra_len = struct.unpack("<HH", f.read(4))
    return int(info.header_offset) + 30 + int(name_len) + int(extra_len)


def test_unextracted_libs_are_stored_and_16k_aligned(tmp_path: Path, gadget_dir: Path) -> None:
    """A variant of the no-native-code APK with extractNativeLibs="false" (no real fixture
    has it): the payload is stored, 16 KiB aligned, and the tools still accept the clone."""
    source = variant(real_apk(UIAUTOMATOR), tmp_path / "in.apk", extract_native_libs=False)
    app = load_app([source])
    plan = prepare_hooks(app, HookMode.GADGET, gadget_dir=gadget_dir, cache_root=tmp_path)
    (clone,) = build_clones(
        app, [plan.spec(1, "com.github.uiautomator.clone1")], tmp_path, generate()
    )
    run("apksigner", "verify", clone.apk)
    run("zipalign", "-c", "-p", "4", clone.apk)
    assert plan.summary()["native_libs_extracted"] is False
    with zipfile.ZipFile(clone.apk) as z:
        libs = [i for i in z.infolist() if i.filename.startswith("lib/")]
        assert len(libs) == 12
        for info in libs:
            assert info.compress_type == zipfile.ZIP_STORED, info.filename
            assert data_offset(clone.apk, info) % 16384 == 0, info.filename
            assert z.read(info) == z.read(info.filename)  # CRC checked by zipfile


def test_hooks_none_adds_nothing(tmp_path: Path) -> None:
    app = load_app([real_apk(UIAUTOMATOR)])
    plan = prepare_hooks(app, HookMode.NONE, gadget_dir=None, cache_root=tmp_path)
    (clone,) = build_clones(
        app, [plan.spec(1, "com.github.uiautomator.clone1")], tmp_path, generate()
    )
    with zipfile.ZipFile(clone.apk) as z:
        assert not [n for n in z.namelist() if n.startswith("lib/") or n == "classes2.dex"]
    assert "name" not in application_attrs(clone.apk)
    assert plan.summary() == {"mode": "none", "loader": None, "abis": []}


def method_code(dump: str, cls: str, method: str) -> str:
    """The dexdump -d text of ``cls.method`` (empty when the class is not in this dex)."""
    start = dump.find(f"Class descriptor  : '{cls}'")
    if start < 0:
        return ""
    end = dump.find("Class descriptor  :", start + 1)
    body = dump[start : end if end > 0 else len(dump)]
    at = body.find(f"name          : '{method}'")
    return body[at : body.find("locals", at)] if at >= 0 else ""


def test_app_component_factory_still_reaches_the_loader(built: Built, tmp_path: Path) -> None:
    """The app's appComponentFactory (kept in the manifest) gets our class name from the
    framework and must hand it on unchanged: its instantiateApplication passes the
    className argument (v3) straight to AppComponentFactory's, which loads and instantiates
    that class through the app's class loader."""
    assert built.case.factory is not None
    factory = "L" + built.case.factory.replace(".", "/") + ";"
    code = ""
    with zipfile.ZipFile(built.clones[0].apk) as z:
        for name in sorted(n for n in z.namelist() if re.fullmatch(r"classes\d*\.dex", n)):
            (tmp_path / name).write_bytes(z.read(name))
            code = method_code(
                run("dexdump", "-d", tmp_path / name), factory, "instantiateApplication"
            )
            if code:
                break
    registers = re.search(r"registers     : (\d+)", code)
    assert registers is not None and "ins           : 3" in code  # this, cl, className
    n = int(registers.group(1))  # the arguments are the last three registers
    args = f"{{v{n - 3}, v{n - 2}, v{n - 1}}}"
    assert f"invoke-super {args}, Landroid/app/AppComponentFactory;.instantiateApplication:" in code
    assert "const-string" not in code and "if-" not in code  # no special case of a name


def authorities_and_permissions(apk: Path) -> set[str]:
    """Provider authorities and declared permissions, as aapt prints them."""
    return {
        *attribute_values(apk, "provider", "authorities"),
        *attribute_values(apk, "permission", "name"),
    }


def test_no_authority_or_permission_is_shared(built: Built) -> None:
    """The payload changes nothing the APK-cloning checks rely on: every clone's provider
    authorities and declared permissions differ from the original's and each other's."""
    original = authorities_and_permissions(built.source)
    if not original:
        pytest.skip(f"{built.case.apk} declares no provider or permission")
    seen = [authorities_and_permissions(c.apk) for c in built.clones]
    for names in seen:
        assert not names & original
    assert not seen[0] & seen[1]


def embedded_policy(built: Built, clone: BuiltClone) -> dict[str, Any]:
    with zipfile.ZipFile(clone.apk) as z:
        config = json.loads(z.read(f"lib/{built.case.abis[0]}/libcsrt.config.so"))
    policy = config["interaction"]["parameters"]
    assert isinstance(policy, dict)
    return policy


@pytest.mark.parametrize(
    ("key", "element", "attribute"),
    [
        ("authorities", "provider", "authorities"),
        ("permissions", "permission", "name"),
        ("actions", "action", "name"),
    ],
)
def test_policy_maps_original_names_to_the_clones(
    built: Built, key: str, element: str, attribute: str
) -> None:
    """The agent maps the names the app's code uses (its provider authorities, declared
    permissions, own intent actions) to the clone's: each clone's policy maps exactly the
    names its manifest renamed, pair by pair, as aapt reads the two manifests."""
    original = attribute_values(built.source, element, attribute)
    package = built.plan.source_package
    for clone in built.clones:
        mapping = embedded_policy(built, clone)[key]
        renamed = attribute_values(clone.apk, element, attribute)
        pairs = dict(zip(original, renamed, strict=True))
        assert mapping == {a: b for a, b in pairs.items() if a != b}
        if key == "actions":  # hooked clones move exactly the app's own actions
            assert mapping and set(mapping) == {a for a in original if a.startswith(package + ".")}
            assert all(v.startswith(clone.package + ".") for v in mapping.values())


def test_names_outside_the_package_name_are_mapped_explicitly() -> None:
    """An authority or permission that does not start with the package (an SDK's) is
    renamed with the clone's suffix, which the agent's prefix rule cannot guess: the policy
    names it."""
    plan = HookPlan(
        HookMode.GADGET,
        "org.example.app",
        own_names=OwnNames(
            authorities=("org.example.app.files", "sdk.init"),
            permissions=("org.example.app.SECRET", "sdk.push.RECEIVE"),
        ),
    )
    policy = plan.policy(2, "org.example.app.clone2")
    assert policy["authorities"] == {
        "org.example.app.files": "org.example.app.clone2.files",
        "sdk.init": "sdk.init.clone2",
    }
    assert policy["permissions"] == {
        "org.example.app.SECRET": "org.example.app.clone2.SECRET",
        "sdk.push.RECEIVE": "sdk.push.RECEIVE.clone2",
    }


def has_code(apk: Path) -> str | None:
    """``<application android:hasCode>`` as ``aapt dump xmltree`` prints it, if present."""
    tree = run("aapt", "dump", "xmltree", apk, "AndroidManifest.xml")
    block = tree[tree.index("E: application") :].split("E: ", 2)[1]
    found = re.search(r"A: android:hasCode\(0x0101000c\)=(\(type 0x12\)0x\w+)", block)
    return found.group(1) if found else None


@pytest.mark.parametrize(
    ("apk", "abis"), [(UIAUTOMATOR, ALL_ABIS), (NATIVE, ["arm64-v8a", "armeabi-v7a"])]
)
def test_a_pure_native_app_gets_code(
    apk: str, abis: list[str], tmp_path: Path, gadget_dir: Path
) -> None:
    """A variant as a pure-native app (no dex, hasCode="false", no Application class of its
    own): each hooked clone carries the loader as its classes.dex, says hasCode true (else
    Android would load no dex and fail to find the class it names), and passes the tools."""
    source = native_only(real_apk(apk), tmp_path / "native.apk")
    assert has_code(source) == "(type 0x12)0x0"
    app = load_app([source])
    assert not app.base.info.has_code and app.base.info.application_name is None
    plan = prepare_hooks(app, HookMode.GADGET, gadget_dir=gadget_dir, cache_root=tmp_path)
    summary = plan.summary()
    assert (summary["dex"], summary["abis"]) == ("classes.dex", abis)
    assert summary["superclass"] == "android.app.Application"
    assert summary["application_class"] is None
    assert not [w for w in summary["warnings"] if "not in the APK's dex" in w]
    specs = [plan.spec(i, f"{app.package}.clone{i}") for i in (1, 2)]
    original = run("aapt", "dump", "badging", source)
    launch = re.search(r"launchable-activity: name='([^']+)'", original)
    assert launch is not None
    for clone in build_clones(app, specs, tmp_path / "dist", generate()):
        run("apksigner", "verify", clone.apk)
        run("zipalign", "-c", "-p", "4", clone.apk)
        badging = run("aapt", "dump", "badging", clone.apk)
        assert f"package: name='{clone.package}'" in badging
        assert f"launchable-activity: name='{launch.group(1)}'" in badging
        assert has_code(clone.apk) == "(type 0x12)0xffffffff"
        assert application_attrs(clone.apk)["name"] == summary["loader_class"]
        with zipfile.ZipFile(clone.apk) as z:
            assert [n for n in z.namelist() if DEX.fullmatch(n)] == ["classes.dex"]
            (tmp_path / "classes.dex").write_bytes(z.read("classes.dex"))
        dump = run("dexdump", "-d", tmp_path / "classes.dex")
        descriptor = "L" + summary["loader_class"].replace(".", "/") + ";"
        assert f"Class descriptor  : '{descriptor}'" in dump
        assert "Superclass        : 'Landroid/app/Application;'" in dump
        assert "Ljava/lang/System;.loadLibrary:(Ljava/lang/String;)V" in dump
