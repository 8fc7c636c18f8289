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


def test_an_adaptive_icon_is_kept_composed(tmp_path: Path) -> None:
    """What the launcher then shows: the adaptive icon drawn, not the older PNG beside it."""
    from PIL import Image

    from tests.apk import icon_factory as f

    resources = [f.Res("color", "bg", (f.Var(color=0xFF00FF00),))]
    mipmap = f.res_id([*resources, f.Res("mipmap", "ic")], "mipmap", "ic")
    adaptive = f.adaptive(f.ref(f.res_id(resources, "color", "bg")), f.rgb(0xFF0000))
    variants = (
        f.Var(density=f.ANYDPI, sdk=26, file=("res/mipmap-anydpi-v26/ic.xml", adaptive)),
        f.Var(density=480, file=("res/mipmap-xxhdpi-v4/ic.png", f.png(0xFF0000FF))),
    )
    apk = tmp_path / "app.apk"
    apk.write_bytes(f.icon_apk([*resources, f.Res("mipmap", "ic", variants)], mipmap))
    space = Space(home=tmp_path / "home")
    kept = space.keep_app_face(apk)
    assert kept is not None and kept.label == "Icons"
    assert kept.icon is not None and kept.icon.name == "icon.png"
    with Image.open(kept.icon) as icon:
        assert icon.size == (192, 192)
        assert f.px(icon, (96, 96)) == (255, 0, 0, 255)  # the foreground colour
        assert f.px(icon, (1, 1))[3] == 0  # masked


def test_a_layer_pillow_cannot_decode_keeps_the_raster_beside_it(tmp_path: Path) -> None:
    """A PNG layer whose pixels run into a broken chunk (Pillow raises ``SyntaxError``):
    keeping the face still succeeds, with the older PNG as the icon."""
    from tests.apk import icon_factory as f

    resources = [
        f.Res("drawable", "fg", (f.Var(file=("res/drawable/fg.png", f.broken_chunk_png())),))
    ]
    mipmap = f.res_id([*resources, f.Res("mipmap", "ic")], "mipmap", "ic")
    adaptive = f.adaptive(f.rgb(0xFF00FF00), f.ref(f.res_id(resources, "drawable", "fg")))
    raster = f.png(0xFF0000FF)
    variants = (
        f.Var(density=f.ANYDPI, sdk=26, file=("res/mipmap-anydpi-v26/ic.xml", adaptive)),
        f.Var(density=480, file=("res/mipmap-xxhdpi-v4/ic.png", raster)),
    )
    apk = tmp_path / "app.apk"
    apk.write_bytes(f.icon_apk([*resources, f.Res("mipmap", "ic", variants)], mipmap))
    kept = Space(home=tmp_path / "home").keep_app_face(apk)
    assert kept is not None and kept.label == "Icons"
    assert kept.icon is not None and kept.icon.read_bytes() == raster
