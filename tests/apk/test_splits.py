"""Split APK sets in every form they come in, renamed consistently and signed with one key."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from apk.manifest import read_manifest_info
from apk.pipeline import CloneSpec, build_clones
from apk.signing import load_or_create
from apk.source import ApkInputError
from apk.splits import AppSet, load_app
from tests.apk import arsc_factory as af
from tests.apk import factory
from tests.apk.signing.apksigner import verify

PACKAGE = "org.example.app"


def _base() -> bytes:
    return factory.apk_bytes(factory.manifest(PACKAGE))


def _split(name: str, package: str = PACKAGE, version_code: int = 7) -> bytes:
    manifest = factory.manifest(package, split=name, version_code=version_code, permission=False)
    lib = (f"lib/{name.removeprefix('config.')}/libx.so", b"\x7fELF" + bytes(64), 0)
    return factory.zip_bytes([("AndroidManifest.xml", manifest, zipfile.ZIP_DEFLATED), lib])


def _write(directory: Path, files: dict[str, bytes]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in files.items():
        (directory / name).write_bytes(data)
        paths.append(directory / name)
    return paths


SET = {"base.apk": _base(), "split_config.arm64_v8a.apk": _split("config.arm64_v8a")}


def _check(app: AppSet) -> None:
    assert app.package == PACKAGE
    assert app.base.split is None
    assert [s.split for s in app.splits] == ["config.arm64_v8a"]


def test_a_directory(tmp_path: Path) -> None:
    _write(tmp_path / "app", SET)
    _check(load_app([tmp_path / "app"]))


def test_several_files(tmp_path: Path) -> None:
    _check(load_app(_write(tmp_path, SET)[::-1]))


@pytest.mark.parametrize("suffix", [".apks", ".xapk"])
def test_an_archive_of_apks(tmp_path: Path, suffix: str) -> None:
    inner = [(f"splits/{n}", d, zipfile.ZIP_STORED) for n, d in SET.items()]
    extra = [("toc.pb", b"\x00", zipfile.ZIP_STORED), ("manifest.json", b"{}", 8)]
    path = tmp_path / f"app{suffix}"
    path.write_bytes(factory.zip_bytes(inner + extra))
    app = load_app([path])
    _check(app)
    assert app.base.name.endswith("!splits/base.apk")


def test_a_plain_apk_is_a_set_of_one(tmp_path: Path) -> None:
    (path,) = _write(tmp_path, {"a.apk": _base()})
    app = load_app([path])
    assert not app.is_split and app.apks == (app.base,)


BAD_SETS = {
    "two bases": ({"a.apk": _base(), "b.apk": _base()}, "exactly one base"),
    "no base": ({"s.apk": _split("config.x86")}, "no base APK"),
    "other package": ({"a.apk": _base(), "s.apk": _split("config.x86", "org.other")}, "org.other"),
    "other version": (
        {"a.apk": _base(), "s.apk": _split("config.x86", version_code=8)},
        "versionCode 8",
    ),
    "same split twice": (
        {"a.apk": _base(), "s.apk": _split("config.x86"), "t.apk": _split("config.x86")},
        "given twice",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_SETS))
def test_inconsistent_sets_are_refused(tmp_path: Path, case: str) -> None:
    files, reason = BAD_SETS[case]
    with pytest.raises(ApkInputError, match=reason):
        load_app(_write(tmp_path, files))


def test_empty_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ApkInputError, match=r"without \.apk files"):
        load_app([tmp_path])


@pytest.mark.slow
def test_clones_of_a_split_set_are_renamed_and_signed_alike(tmp_path: Path) -> None:
    app = load_app(_write(tmp_path / "in", SET))
    key = load_or_create(tmp_path / "keys")
    specs = [CloneSpec(i, f"{PACKAGE}.clone{i}") for i in (1, 2)]
    built = build_clones(app, specs, tmp_path / "out", key)
    for clone in built:
        assert clone.apk == tmp_path / "out" / clone.package / "base.apk"
        (split,) = clone.splits
        assert split.name == "split_config.arm64_v8a.apk"
        certs = set()
        for path, split_name in ((clone.apk, None), (split, "config.arm64_v8a")):
            with zipfile.ZipFile(path) as zf:
                info = read_manifest_info(zf.read("AndroidManifest.xml"))
            assert (info.package, info.split) == (clone.package, split_name)
            verdict = verify(path)
            assert verdict.verifies, verdict.output
            digest = re.search(r"certificate SHA-256 digest: (\w+)", verdict.output)
            assert digest is not None
            certs.add(digest.group(1))
        assert len(certs) == 1


def test_a_split_resolves_its_references_against_the_base(tmp_path: Path) -> None:
    arsc = ("resources.arsc", af.referencing_table(), zipfile.ZIP_STORED)
    base = factory.apk_bytes(af.referencing_manifest(), arsc)
    split_manifest = af.referencing_manifest(split="feature")
    split = factory.zip_bytes([("AndroidManifest.xml", split_manifest, zipfile.ZIP_DEFLATED)])
    app = load_app(_write(tmp_path / "in", {"base.apk": base, "split_feature.apk": split}))
    assert app.splits[0].info.provider_authorities == ()  # the split alone cannot tell
    assert app.warnings() == ()
    key = load_or_create(tmp_path / "keys")
    (clone,) = build_clones(app, [CloneSpec(1, f"{af.PACKAGE}.c1")], tmp_path / "out", key)
    with zipfile.ZipFile(clone.splits[0]) as zf:
        info = read_manifest_info(zf.read("AndroidManifest.xml"))
    assert info.provider_authorities == (f"{af.PACKAGE}.c1.files",)
    assert verify(clone.splits[0], min_sdk=21).verifies  # the base's minSdk


def test_a_split_reference_nothing_resolves_is_warned_about(tmp_path: Path) -> None:
    split_manifest = af.referencing_manifest(PACKAGE, split="feature", authority=af.STRING + 99)
    split = factory.zip_bytes([("AndroidManifest.xml", split_manifest, zipfile.ZIP_DEFLATED)])
    app = load_app(_write(tmp_path, {"base.apk": _base(), "split_feature.apk": split}))
    (warning,) = app.warnings()
    assert "split_feature.apk: <provider android:authorities> is @0x7f010063" in warning
