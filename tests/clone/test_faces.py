"""The label and icon kept with an app's clones (``Space.keep_app_face``/``app_face``)."""

from __future__ import annotations

from pathlib import Path

from clone import Space
from tests.realapks import POCOSERVICE, real_apk


def test_a_kept_face_is_read_back(tmp_path: Path) -> None:
    space = Space(home=tmp_path)
    kept = space.keep_app_face(real_apk(POCOSERVICE))
    assert kept is not None
    face = space.app_face("com.netease.open.pocoservice")
    assert face == kept
    assert face.label == "PocoService"
    assert face.icon is not None and face.icon.name == "icon.png"
    assert face.icon.read_bytes().startswith(b"\x89PNG")


def test_no_face_kept_is_empty(tmp_path: Path) -> None:
    face = Space(home=tmp_path).app_face("notes")
    assert face.label is None and face.icon is None


def test_an_unreadable_apk_keeps_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.apk"
    bad.write_bytes(b"not a zip")
    assert Space(home=tmp_path / "home").keep_app_face(bad) is None
