"""The build workflow as other workflows use it: ``build_for_install`` and ``Space.build``."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from apk.manifest import read_manifest_info
from clone import Space
from clone.errors import BadInput
from clone.workflows.build import build_for_install
from clone.workflows.payload import HookMode
from tests.apk import factory
from tests.realapks import UIAUTOMATOR, real_apk


def test_build_for_install_uses_the_given_indices(clone_home: Path, tmp_path: Path) -> None:
    built = build_for_install(
        clone_home, real_apk(UIAUTOMATOR), [3, 5], tmp_path, ["arm64-v8a"], hooks=HookMode.NONE
    )
    assert [(b.index, b.package) for b in built] == [
        (3, "com.github.uiautomator.clone3"),
        (5, "com.github.uiautomator.clone5"),
    ]
    for clone in built:
        (apk,) = clone.apks
        assert apk.parent == tmp_path and apk.is_file()
        assert clone.state.hooks == {"mode": "none", "loader": None, "abis": []}


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
