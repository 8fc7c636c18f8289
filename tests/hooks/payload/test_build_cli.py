"""``clone build --hooks gadget|none`` through the CLI: the ``--json`` result names the
loader and the ABIs; bad gadgets and unextendable apps exit 2 with one line and leave
nothing behind. Gadgets are stand-ins (see standins.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from hooks.payload.dexgen import ACC_FINAL, ACC_PRIVATE, ACC_PUBLIC
from hooks.payload.gadget import Arch, gadget_filename
from tests.conftest import RunCli
from tests.hooks.payload.standins import publish, standin
from tests.hooks.payload.test_embed import app_dex
from tests.hooks.payload.variants import native_only, variant
from tests.realapks import NATIVE, UIAUTOMATOR, real_apk


def one_line_error(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("clone: error: ")
    return lines[0]


def left_behind(out: Path, clone_home: Path) -> list[Path]:
    """Files a failed build left: anything in --out, or in the gadget cache."""
    found = list(out.rglob("*")) if out.exists() else []
    cache = clone_home / "cache" / "gadget"
    return found + (list(cache.rglob("*")) if cache.exists() else [])


@pytest.mark.slow
def test_json_says_which_loader_and_abis(
    run_cli: RunCli, tmp_path: Path, gadget_dir: Path, frida_version: str
) -> None:
    out = tmp_path / "out"
    r = run_cli(
        "build", real_apk(NATIVE), "--count", "1", "--out", out,
        "--hooks", "gadget", "--gadget-dir", gadget_dir, "--json",
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    hooks = json.loads(r.stdout)["hooks"]
    assert hooks["mode"] == "gadget"
    assert hooks["loader"] == "dex-subclass"
    assert hooks["loader_class"] == "com.netease.nie.yosemite.CsBootApplication"
    assert hooks["application_class"] == "com.netease.nie.yosemite.MyApp"
    assert hooks["abis"] == ["arm64-v8a", "armeabi-v7a"]
    assert hooks["gadget_version"] == frida_version
    assert hooks["dex"] == "classes3.dex"


def test_hooks_none_in_json(run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = run_cli(
        "build", real_apk(UIAUTOMATOR), "-n", "1", "--out", out, "--hooks", "none", "--json"
    )
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["hooks"] == {"mode": "none", "loader": None, "abis": []}


def bad_gadget_dirs(tmp_path: Path, version: str) -> dict[str, tuple[Path, str]]:
    """name -> (gadget dir, what the error line must say)."""
    wrong_abi = tmp_path / "wrong-abi"
    wrong_abi.mkdir()
    for arch in Arch:  # every file right but arm64, which holds the 32-bit ARM object
        data = standin(Arch.ARM if arch is Arch.ARM64 else arch, tmp_path)
        (wrong_abi / gadget_filename(version, arch)).write_bytes(data)
    wrong_version = tmp_path / "wrong-version"
    wrong_version.mkdir()
    for arch in Arch:
        (wrong_version / gadget_filename("16.0.0", arch)).write_bytes(standin(arch, tmp_path))
    a_file = tmp_path / "a-file"
    a_file.write_bytes(b"not a directory")
    old = f"has frida-gadget-16.0.0-android-arm.so but the installed frida is {version}"
    return {
        "wrong-abi": (wrong_abi, "is an ELF for ARM (32-bit), not for arm64"),
        "wrong-version": (wrong_version, old),
        "missing": (tmp_path / "nowhere", "cannot read the gadget directory"),
        "a-file": (a_file, "cannot read the gadget directory"),
    }


@pytest.mark.parametrize("case", ["wrong-abi", "wrong-version", "missing", "a-file"])
def test_bad_gadget_dir_exits_2(
    case: str, run_cli: RunCli, tmp_path: Path, clone_home: Path, frida_version: str
) -> None:
    gdir, says = bad_gadget_dirs(tmp_path, frida_version)[case]
    out = tmp_path / "out"
    r = run_cli(
        "build", real_apk(UIAUTOMATOR), "--out", out, "--hooks", "gadget", "--gadget-dir", gdir
    )
    assert r.exit_code == 2
    assert says in one_line_error(r.stderr)
    assert left_behind(out, clone_home) == []


def test_unextendable_application_class_exits_2(
    run_cli: RunCli, tmp_path: Path, clone_home: Path, gadget_dir: Path
) -> None:
    """A variant of the real APK whose Application class has only a private constructor
    (defined in an added classes2.dex written by our DEX writer): no subclass can call it."""
    app = "com.github.uiautomator.SealedApp"
    dex = app_dex(app, ctor_flags=ACC_PRIVATE)
    source = variant(
        real_apk(UIAUTOMATOR), tmp_path / "sealed.apk", application=app, extra={"classes2.dex": dex}
    )
    out = tmp_path / "out"
    r = run_cli("build", source, "--out", out, "--hooks", "gadget", "--gadget-dir", gadget_dir)
    assert r.exit_code == 2
    line = one_line_error(r.stderr)
    assert f"Application class {app} has a private constructor" in line
    assert "--hooks none" in line
    assert left_behind(out, clone_home) == []
    r = run_cli("build", source, "-n", "1", "--out", out, "--hooks", "none")
    assert r.exit_code == 0, r.stderr  # the way out the message names works


@pytest.mark.parametrize("hooks", [(), ("--hooks", "gadget")], ids=["default", "gadget"])
def test_no_gadget_anywhere_exits_1_and_caches_nothing(
    run_cli: RunCli,
    tmp_path: Path,
    clone_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    frida_version: str,
    hooks: tuple[str, ...],
) -> None:
    """Gadget is the default. Without --gadget-dir and with an empty cache the download is
    tried; here it points at a closed local port, so it fails (exit 1) and the one line
    names both ways out: the exact files for --gadget-dir, or --hooks none."""
    monkeypatch.setenv("CLONE_GADGET_URL", "http://127.0.0.1:9/releases")
    out = tmp_path / "out"
    r = run_cli("build", real_apk(UIAUTOMATOR), "--out", out, *hooks)
    assert r.exit_code == 1
    line = one_line_error(r.stderr)
    assert f"no Frida Gadget {frida_version}" in line
    names = ", ".join(gadget_filename(frida_version, a) for a in Arch)  # arm, arm64, x86, x86_64
    assert f"pass --gadget-dir DIR holding {names}" in line
    assert line.endswith("or build without hooks: --hooks none")
    assert left_behind(out, clone_home) == []


def _configs(apk: Path) -> dict[str, dict[str, object]]:
    """abi -> the Gadget config's parameters (the clone's policy) in a built clone."""
    with zipfile.ZipFile(apk) as z:
        names = [n for n in z.namelist() if n.endswith("/libcsrt.config.so")]
        return {n.split("/")[1]: json.loads(z.read(n))["interaction"]["parameters"] for n in names}


def _build_json(run_cli: RunCli, out: Path, *args: str | Path) -> dict[str, Any]:
    r = run_cli("build", real_apk(UIAUTOMATOR), "-n", "2", "--out", out, "--json", *args)
    assert r.exit_code == 0, r.stderr
    assert r.stderr == ""  # with --json, warnings stay in the JSON
    doc = json.loads(r.stdout)
    assert isinstance(doc, dict)
    return doc


def test_each_clone_carries_its_own_identity_reproducible_by_seed(
    run_cli: RunCli, tmp_path: Path, gadget_dir: Path
) -> None:
    first = _build_json(run_cli, tmp_path / "a", "--gadget-dir", gadget_dir, "--seed", "7")
    for clone in first["clones"]:
        configs = _configs(Path(clone["apk"]))
        assert sorted(configs) == sorted(first["hooks"]["abis"])
        assert all(c["identity"] == clone["identity"] for c in configs.values())
        assert all(
            c["clone"] == f"com.github.uiautomator:{clone['index']}" for c in configs.values()
        )
    one, two = (c["identity"] for c in first["clones"])
    assert all(one[k] != two[k] for k in ("android_id", "imei", "wifi_mac", "machine_id"))
    again = _build_json(run_cli, tmp_path / "b", "--gadget-dir", gadget_dir, "--seed", "7")
    assert [c["identity"] for c in again["clones"]] == [one, two]
    other = _build_json(run_cli, tmp_path / "c", "--gadget-dir", gadget_dir, "--seed", "8")
    assert [c["identity"]["android_id"] for c in other["clones"]] != [
        one["android_id"], two["android_id"]
    ]  # fmt: skip
    unseeded = _build_json(run_cli, tmp_path / "d", "--gadget-dir", gadget_dir)
    assert unseeded["clones"][0]["identity"] not in (one, two)


def test_warnings_are_one_line_each_on_stderr(
    run_cli: RunCli, tmp_path: Path, gadget_dir: Path
) -> None:
    """uiautomator's minSdk 19 is below the hooked clone's API 21: a warning, not an error;
    on stderr as ``clone: warning: …`` in text mode, in ``hooks.warnings`` with --json."""
    doc = _build_json(run_cli, tmp_path / "j", "--gadget-dir", gadget_dir)
    warnings = doc["hooks"]["warnings"]
    assert any("supports API 19" in w for w in warnings)
    out = tmp_path / "t"
    r = run_cli("build", real_apk(UIAUTOMATOR), "-n", "1", "--out", out, "--gadget-dir", gadget_dir)
    assert r.exit_code == 0, r.stderr
    assert r.stderr.splitlines() == [f"clone: warning: {w}" for w in warnings]
    assert len(r.stdout.splitlines()) == 3  # header, the clone, "not registered"


def test_agent_not_built_exits_1(
    run_cli: RunCli, tmp_path: Path, gadget_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("hooks.payload.script.AGENT_JS", tmp_path / "missing" / "agent.js")
    out = tmp_path / "out"
    r = run_cli(
        "build",
        real_apk(UIAUTOMATOR),
        "--out",
        out,
        "--hooks",
        "gadget",
        "--gadget-dir",
        gadget_dir,
    )
    assert r.exit_code == 1
    line = one_line_error(r.stderr)
    assert "the agent is not built" in line
    assert "reinstall Clonespace from a wheel" in line  # no agent sources beside it
    assert not out.exists()


def test_an_agent_that_cannot_carry_the_fast_path_exits_1(
    run_cli: RunCli, tmp_path: Path, gadget_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An agent.js that is not a build of these sources (a plain script, no carried.js) while
    the build has prebuilt modules: one line saying to rebuild, and nothing written."""
    from hooks.prebuilt import read_prebuilt

    if read_prebuilt() is None:
        pytest.skip("the agent build made no prebuilt module (no C compiler): nothing to carry")
    agent = tmp_path / "agent.js"
    agent.write_text("rpc.exports = {};\n")
    monkeypatch.setattr("hooks.payload.script.AGENT_JS", agent)
    out = tmp_path / "out"
    r = run_cli(
        "build", real_apk(UIAUTOMATOR), "--out", out,
        "--hooks", "gadget", "--gadget-dir", gadget_dir,
    )  # fmt: skip
    assert r.exit_code == 1
    line = one_line_error(r.stderr)
    assert "not a frida-compile bundle" in line and "make agent" in line
    assert not out.exists()


def test_gadget_cache_is_used_without_gadget_dir(
    run_cli: RunCli, tmp_path: Path, clone_home: Path, gadget_dir: Path, frida_version: str
) -> None:
    cache = clone_home / "cache" / "gadget" / frida_version
    cache.mkdir(parents=True)
    for arch in (Arch.ARM, Arch.ARM64):
        shutil.copy(gadget_dir / gadget_filename(frida_version, arch), cache)
    r = run_cli(
        "build", real_apk(NATIVE), "-n", "1", "--out", tmp_path / "o", "--hooks", "gadget", "--json"
    )
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["hooks"]["abis"] == ["arm64-v8a", "armeabi-v7a"]


@pytest.mark.slow
def test_a_pure_native_app_builds_hooked(run_cli: RunCli, tmp_path: Path, gadget_dir: Path) -> None:
    """``clone build`` of an app without dex and with hasCode="false" (see native_only):
    exit 0, no warning, the loader is the clone's classes.dex, the clone verifies."""
    source = native_only(real_apk(NATIVE), tmp_path / "native.apk")
    out = tmp_path / "out"
    r = run_cli("build", source, "-n", "2", "--out", out, "--gadget-dir", gadget_dir, "--json")
    assert r.exit_code == 0, r.stderr
    assert r.stderr == ""
    result = json.loads(r.stdout)
    hooks = result["hooks"]
    assert (hooks["dex"], hooks["superclass"]) == ("classes.dex", "android.app.Application")
    assert hooks["loader_class"] == "com.netease.nie.yosemite.CsBootApplication"
    assert hooks["abis"] == ["arm64-v8a", "armeabi-v7a"]
    for clone in result["clones"]:
        subprocess.run(["apksigner", "verify", clone["apk"]], check=True, capture_output=True)
        with zipfile.ZipFile(clone["apk"]) as z:
            assert [n for n in z.namelist() if n.endswith(".dex")] == ["classes.dex"]


def final_app_variant(tmp_path: Path) -> tuple[str, Path]:
    """A variant of the real APK whose Application class is final, as Kotlin makes it."""
    app = "com.github.uiautomator.KotlinApp"
    dex = app_dex(app, flags=ACC_PUBLIC | ACC_FINAL)
    source = variant(
        real_apk(UIAUTOMATOR), tmp_path / "final.apk", application=app, extra={"classes2.dex": dex}
    )
    return app, source


@pytest.mark.skipif(shutil.which("dexdump") is None, reason="needs dexdump")
def test_final_application_class_is_unfinalized(
    run_cli: RunCli, tmp_path: Path, gadget_dir: Path
) -> None:
    app, source = final_app_variant(tmp_path)
    out = tmp_path / "out"
    r = run_cli(
        "build",
        source,
        "-n",
        "1",
        "--out",
        out,
        "--hooks",
        "gadget",
        "--gadget-dir",
        gadget_dir,
        "--json",
    )
    assert r.exit_code == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["hooks"]["unfinalized"] == ["classes2.dex"]
    assert result["hooks"]["superclass"] == app
    apk = Path(result["clones"][0]["apk"])
    subprocess.run(["apksigner", "verify", str(apk)], check=True, capture_output=True)
    with zipfile.ZipFile(apk) as z:
        (tmp_path / "c2.dex").write_bytes(z.read("classes2.dex"))
    dump = subprocess.run(["dexdump", str(tmp_path / "c2.dex")], capture_output=True, text=True)
    at = dump.stdout.index("Class descriptor  : 'Lcom/github/uiautomator/KotlinApp;'")
    assert "Access flags      : 0x0001 (PUBLIC)" in dump.stdout[at:].split("\n")[1]


def test_build_downloads_the_gadgets_into_the_cache(
    run_cli: RunCli,
    tmp_path: Path,
    clone_home: Path,
    frida_version: str,
    release_server: tuple[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The download path end to end, against the local release server (CLONE_GADGET_URL):
    the .so.xz assets are fetched, decompressed, cached, and embedded."""
    url, root = release_server
    for arch in (Arch.ARM, Arch.ARM64):
        publish(root, frida_version, arch, standin(arch, tmp_path))
    monkeypatch.setenv("CLONE_GADGET_URL", url)
    out = tmp_path / "o"
    r = run_cli("build", real_apk(NATIVE), "-n", "1", "--out", out, "--hooks", "gadget", "--json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["hooks"]["abis"] == ["arm64-v8a", "armeabi-v7a"]
    cache = clone_home / "cache" / "gadget" / frida_version
    assert sorted(p.name for p in cache.iterdir()) == [
        gadget_filename(frida_version, Arch.ARM),
        gadget_filename(frida_version, Arch.ARM64),
    ]
    with zipfile.ZipFile(json.loads(r.stdout)["clones"][0]["apk"]) as z:
        assert z.read("lib/arm64-v8a/libcsrt.so") == standin(Arch.ARM64, tmp_path)


def test_a_gadget_dir_of_published_xz_files_for_one_abi_is_enough(
    run_cli: RunCli, tmp_path: Path, frida_version: str
) -> None:
    """uiautomator ships no native code, so it would take all four Gadgets; a --gadget-dir
    holding only Frida's published arm64 .so.xz builds arm64 clones and warns about the rest."""
    import lzma

    gdir = tmp_path / "gadgets"
    gdir.mkdir()
    packed = lzma.compress(standin(Arch.ARM64, tmp_path), format=lzma.FORMAT_XZ)
    (gdir / (gadget_filename(frida_version, Arch.ARM64) + ".xz")).write_bytes(packed)
    doc = _build_json(run_cli, tmp_path / "j", "--gadget-dir", gdir)
    assert doc["hooks"]["abis"] == ["arm64-v8a"]
    [narrowed] = [w for w in doc["hooks"]["warnings"] if "--gadget-dir has Gadgets only" in w]
    assert "only for arm64-v8a" in narrowed
    assert "armeabi-v7a, x86, x86_64 devices" in narrowed
    with zipfile.ZipFile(doc["clones"][0]["apk"]) as z:
        assert {n.split("/")[1] for n in z.namelist() if n.startswith("lib/")} == {"arm64-v8a"}
    text = run_cli("build", real_apk(UIAUTOMATOR), "--out", tmp_path / "t", "--gadget-dir", gdir)
    assert text.exit_code == 0, text.stderr
    assert any("--gadget-dir has Gadgets only" in line for line in text.stderr.splitlines())
