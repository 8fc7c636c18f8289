"""The build workflow as other workflows use it: ``build_for_install`` and ``Space.build``."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes

from apk.manifest import read_manifest_info
from apk.signing.p256 import P256PrivateKey
from clone import Space
from clone.errors import BadInput
from clone.home import Home
from clone.workflows.build import BuildRequest, build_for_install, load_app, signing_keys
from clone.workflows.payload import HookMode
from tests.apk import factory, oracles
from tests.apk.signing.apksigner import verify
from tests.realapks import NATIVE, UIAUTOMATOR, real_apk


def test_build_for_install_uses_the_given_indices(clone_home: Path, tmp_path: Path) -> None:
    app = load_app((real_apk(UIAUTOMATOR),))
    built = build_for_install(clone_home, app, [3, 5], tmp_path, ["arm64-v8a"], hooks=HookMode.NONE)
    assert [(b.index, b.package) for b in built.clones] == [
        (3, "com.github.uiautomator.clone3"),
        (5, "com.github.uiautomator.clone5"),
    ]
    for clone in built.clones:
        assert clone.apk.parent == tmp_path and clone.apk.is_file() and clone.splits == ()
    assert built.hooks == {"mode": "none", "loader": None, "abis": []}


def test_space_build_of_split_files(clone_home: Path, tmp_path: Path) -> None:
    base = tmp_path / "base.apk"
    base.write_bytes(factory.apk_bytes(factory.manifest("org.example.app")))
    split = tmp_path / "split.apk"
    split_manifest = factory.manifest("org.example.app", split="config.en", permission=False)
    split.write_bytes(factory.zip_bytes([("AndroidManifest.xml", split_manifest, 8)]))
    result = Space(home=clone_home).build(
        [split, base], count=1, out=tmp_path / "out", hooks="none"
    )
    (clone,) = result.clones
    assert clone.apk == tmp_path / "out" / "org.example.app.clone1" / "base.apk"
    (split_out,) = clone.splits
    with zipfile.ZipFile(split_out) as zf:
        info = read_manifest_info(zf.read("AndroidManifest.xml"))
    assert (info.package, info.split) == ("org.example.app.clone1", "config.en")
    assert result.to_json()["clones"][0]["splits"] == [str(split_out)]


def test_space_build_refuses_system_uid_apps(clone_home: Path, tmp_path: Path) -> None:
    apk = tmp_path / "fw.apk"
    manifest = factory.manifest("com.android.systemui", shared_user_id="android.uid.systemui")
    apk.write_bytes(factory.apk_bytes(manifest))
    with pytest.raises(BadInput, match="system-shared-user"):
        Space(home=clone_home).build(apk, out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_space_build_embeds_the_gadget_by_default(clone_home: Path, tmp_path: Path) -> None:
    empty = tmp_path / "gadgets"
    empty.mkdir()
    with pytest.raises(BadInput, match=r"has no frida-gadget-.*--hooks none"):
        Space(home=clone_home).build(real_apk(UIAUTOMATOR), out=tmp_path / "out", gadget_dir=empty)
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_later_build_signs_with_the_clones_ec_keys_in_pure_python(
    clone_home: Path, tmp_path: Path
) -> None:
    apk = real_apk(NATIVE)  # minSdk 18: each clone gets an EC key, and v1 is needed
    space = Space(home=clone_home)
    first = space.build(apk, count=2, out=tmp_path / "first", hooks="none")  # makes the keys
    app = load_app((apk,))
    request = BuildRequest((apk,), 2, tmp_path / "later", hooks=HookMode.NONE)
    keys = signing_keys(Home(clone_home), request, app, [1, 2])
    assert all(isinstance(k.signer, P256PrivateKey) for k in keys.values())
    later = space.build(apk, count=2, out=tmp_path / "later", hooks="none")
    original = oracles.badging(apk)
    for before, clone in zip(first.clones, later.clones, strict=True):
        # deterministic ECDSA: the same key signs the same clone the same way
        assert clone.apk.read_bytes() == before.apk.read_bytes()
        verdict = verify(clone.apk, min_sdk=18)
        assert verdict.verifies and all(verdict.schemes[n] for n in (1, 2, 3)), verdict.output
        cert = keys[clone.index].certificate.fingerprint(hashes.SHA256()).hex()
        assert cert in verdict.output
        assert oracles.zipalign_ok(clone.apk)
        badging = oracles.badging(clone.apk)
        assert badging.package == clone.package
        assert badging.launchable_activity == original.launchable_activity
