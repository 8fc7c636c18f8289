"""An app's label and icon, read without aapt (aapt is the oracle where it can be): the
raster files of real APKs, the adaptive icon and vector drawables of AOSP's own
framework-res.apk, and generated APKs for every kind of layer and every way one breaks."""

from __future__ import annotations

import functools
import io
import re
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from apk.adaptive_icon import IconShape
from apk.app_icon import (
    ANY_DPI,
    NO_DPI,
    ApkResources,
    AppIcon,
    app_face,
    best_icon,
    image_kind,
)
from apk.axml import ResValue, XmlAttr, XmlElement, build_document
from apk.res_tree import XmlNode, xml_tree
from apk.source import load_source, parse_source
from apk.vector_drawable import VectorError, draw_vector, read_vector
from tests.apk import aapt2_app, oracles
from tests.apk import icon_factory as f
from tests.realapks import ALL, framework_res, real_apk

RED, GREEN, BLUE = 0xFFFF0000, 0xFF00FF00, 0xFF0000FF
SIZE = 192  # the default drawn size


def rgba(argb: int) -> tuple[int, int, int, int]:
    return ((argb >> 16) & 255, (argb >> 8) & 255, argb & 255, argb >> 24)


def image(icon: AppIcon) -> Image.Image:
    return Image.open(io.BytesIO(icon.data))


# ------------------------------------------------------------------------------- real APKs


@pytest.mark.parametrize("name", ALL)
def test_label_and_icon_match_aapt(name: str) -> None:
    path = real_apk(name)
    face = app_face(load_source(path))
    expected = oracles.face(path)
    assert face.label == expected.label
    assert face.icon is not None
    # aapt's icon at the highest density it lists (65534 is anydpi, 65535 nodpi)
    densest = max(d for d in expected.icons if d < 0xFFFE)
    assert face.icon.path == expected.icons[densest]
    assert face.icon.ext == "png" and face.icon.data.startswith(b"\x89PNG")
    assert not face.icon.drawn


@functools.cache
def _aapt(*args: str) -> str:
    return subprocess.run(["aapt", *args], capture_output=True, text=True, check=True).stdout


def _aapt_files(apk: Path, res_id: int) -> dict[str, str]:
    """``aapt dump --values resources``: the file of ``res_id`` per configuration."""
    files: dict[str, str] = {}
    config = ""
    for line in _aapt("dump", "--values", "resources", str(apk)).splitlines():
        if m := re.match(r"\s+config (\S+):", line):
            config = m.group(1)
        elif f"resource {res_id:#010x} " in line:
            files[config] = ""
        elif (
            config in files and not files[config] and (m := re.search(r'\(string8\) "(.*)"', line))
        ):
            files[config] = m.group(1)
    return files


def _aapt_layer_ids(apk: Path, xml: str) -> dict[str, int]:
    """The resource each layer of an adaptive icon names, as ``aapt dump xmltree`` reads it
    (a ``<bitmap>`` child: its ``android:src``)."""
    layers: dict[str, int] = {}
    current = ""
    for line in _aapt("dump", "xmltree", str(apk), xml).splitlines():
        if m := re.match(r"\s+E: (background|foreground)", line):
            current = m.group(1)
        elif current and (
            m := re.search(r"android:(?:drawable|src)\(0x[0-9a-f]+\)=@(0x[0-9a-f]+)", line)
        ):
            layers.setdefault(current, int(m.group(1), 16))
    return layers


def test_aosp_default_app_icon_is_composed_from_the_layers_aapt_names() -> None:
    """framework-res's ``sym_def_app_icon``: an adaptive icon whose background is a vector
    (a grid of strokes over a colour resource) and whose foreground a ``<bitmap>`` of PNGs
    per density."""
    path = framework_res()
    apk = load_source(path)
    table = apk.resources()
    assert table is not None
    icon = best_icon(apk, table, 0x01080093)  # @android:drawable/sym_def_app_icon
    assert icon is not None and icon.drawn and icon.ext == "png"
    assert icon.path == "res/drawable/sym_def_app_icon.xml"
    layers = _aapt_layer_ids(path, icon.path)
    background = _aapt_files(path, layers["background"])
    foreground = _aapt_files(path, layers["foreground"])
    assert icon.layers == (background["(default)"], foreground["xxxhdpi"])
    picture = image(icon)
    assert picture.size == (SIZE, SIZE) and picture.mode == "RGBA"
    assert f.px(picture, (2, 2))[3] == 0  # outside the circle
    r, g, b, a = f.px(picture, (SIZE // 2, SIZE - 12))  # the background: teal
    assert a == 255 and g > r and b > r
    assert f.px(picture, (SIZE // 2 - 30, SIZE // 2 - 5))[:3] == (255, 255, 255)  # the head
    assert len(picture.getcolors(maxcolors=100_000) or ()) > 50  # a picture, not a fill


def _is_nothing_to_draw(root: XmlNode) -> bool:
    """No path with something to paint: none at all, or each trimmed to nothing."""
    paths = [n for n in _walk(root) if n.tag == "path"]
    return all(0x01010409 in p.attrs and p.attrs[0x01010409].data == 0 for p in paths)


def _walk(node: XmlNode) -> list[XmlNode]:
    return [node, *(n for c in node.children for n in _walk(c))]


def test_every_vector_of_framework_res_is_drawn_or_refused_for_a_theme_colour() -> None:
    path = framework_res()
    apk = load_source(path)
    table = apk.resources()
    assert table is not None
    resources = ApkResources(apk, table)
    drawn, refused, blank = 0, 0, []
    with zipfile.ZipFile(path) as zf:
        names = [n for n in zf.namelist() if n.startswith("res/") and n.endswith(".xml")]
    for name in names:
        root = xml_tree(apk.archive.read(name))
        if root.tag != "vector":
            continue
        try:
            picture = draw_vector(read_vector(root, resources), 48, 48)
        except VectorError as e:
            assert "theme colour" in str(e), (name, e)
            refused += 1
            continue
        drawn += 1
        if picture.getchannel("A").getextrema()[1] == 0:
            blank.append(name)
            assert _is_nothing_to_draw(root), name
    assert drawn >= 200 and refused <= 10, (drawn, refused)
    assert len(blank) <= 5


def test_android_studio_style_icon_built_by_aapt2(tmp_path: Path) -> None:
    """The template app's icon as aapt2 compiles it (the gradient moved into its own
    ``$ic_launcher_foreground__0`` resource under -v24): composed from the files aapt names."""
    apk = aapt2_app.build(tmp_path, aapt2_app.template_sources(f.png(0xFF3DDC84, 96, "WEBP")))
    face = app_face(load_source(apk))
    expected = oracles.face(apk)
    assert face.label == expected.label == "Icons"
    icon = face.icon
    assert icon is not None and icon.drawn
    assert icon.path == expected.icons[ANY_DPI] == "res/mipmap-anydpi-v26/ic_launcher.xml"
    layers = _aapt_layer_ids(apk, icon.path)
    assert icon.layers == (
        _aapt_files(apk, layers["background"])["(default)"],
        _aapt_files(apk, layers["foreground"])["v24"],
    )
    picture = image(icon)
    assert picture.size == (SIZE, SIZE)
    assert f.px(picture, (2, 2))[3] == 0  # the circle mask
    assert f.px(picture, (SIZE // 2, SIZE // 2 - 20)) == (255, 255, 255, 255)  # the head
    eye = f.px(picture, (round((43.4 - 18) / 72 * SIZE), round((55.4 - 18) / 72 * SIZE)))
    assert eye[0] < 100 and eye[1] > 150  # the eyes are holes: green, not the white head
    background = f.px(picture, (40, 60))  # clear of the shadow and of the grid lines
    shadow = f.px(picture, (SIZE - 50, SIZE - 45))
    assert background[3] == shadow[3] == 255
    assert sum(shadow[:3]) < sum(background[:3])  # the shadow darkens the green
    # a linear gradient: darkest by the head, fading to nothing towards the corner
    near = f.px(picture, (round((60 - 18) / 72 * SIZE), round((72 - 18) / 72 * SIZE)))
    far = f.px(picture, (round((78 - 18) / 72 * SIZE), round((86 - 18) / 72 * SIZE)))
    assert sum(near[:3]) + 20 < sum(far[:3])
    assert abs(background[1] - aapt2_app.GREEN[1]) <= 30  # grid lines lighten it a little


def test_a_webp_only_icon_built_by_aapt2_is_kept_as_it_is(tmp_path: Path) -> None:
    sources = aapt2_app.template_sources(f.png(0xFF3DDC84, 96, "WEBP"))
    del sources["mipmap-anydpi-v26/ic_launcher.xml"]
    apk = aapt2_app.build(tmp_path, sources)
    icon = app_face(load_source(apk)).icon
    expected = oracles.face(apk)
    assert icon is not None and not icon.drawn and icon.ext == "webp"
    assert icon.path == expected.icons[max(d for d in expected.icons if d < ANY_DPI)]
    assert icon.path == "res/mipmap-xxxhdpi-v4/ic_launcher.webp"


# -------------------------------------------------------------------- generated: layer kinds

FG_SQUARE = "M36,36h36v36h-36z"  # the middle third of the 108dp layer


def _apk(
    resources: Sequence[f.Res], layer_bg: object, layer_fg: object, raster: bool = True
) -> tuple[bytes, int]:
    """An APK whose ``@mipmap/ic_launcher`` is an adaptive icon (in anydpi-v26) over the
    given layers, with a PNG at xxhdpi as the older launchers' fallback."""
    mipmap = f.res_id([*resources, f.Res("mipmap", "ic_launcher")], "mipmap", "ic_launcher")
    variants = [
        f.Var(
            density=f.ANYDPI,
            sdk=26,
            file=("res/mipmap-anydpi-v26/ic_launcher.xml", f.adaptive(layer_bg, layer_fg)),  # type: ignore[arg-type]
        )
    ]
    if raster:
        variants.append(
            f.Var(density=480, file=("res/mipmap-xxhdpi-v4/ic_launcher.png", f.png(BLUE)))
        )
    return f.icon_apk([*resources, f.Res("mipmap", "ic_launcher", tuple(variants))], mipmap), mipmap


def _face(data: bytes, **kw: object) -> AppIcon | None:
    return app_face(parse_source(data, "generated.apk"), **kw).icon  # type: ignore[arg-type]


def _check_composed(icon: AppIcon | None, bg: int, fg: int | None) -> Image.Image:
    assert icon is not None and icon.drawn
    assert icon.path == "res/mipmap-anydpi-v26/ic_launcher.xml"
    picture = image(icon)
    assert picture.size == (SIZE, SIZE)
    assert f.px(picture, (2, 2))[3] == 0  # masked: a circle
    assert f.px(picture, (SIZE // 2, 10)) == rgba(bg)  # background, outside the square
    if fg is not None:
        assert f.px(picture, (SIZE // 2, SIZE // 2)) == rgba(fg)
    return picture


def _vector_fg(fill: int = RED) -> f.Res:
    xml = f.vector(f.path(FG_SQUARE, f.rgb(fill)))
    return f.Res("drawable", "fg", (f.Var(file=("res/drawable/fg.xml", xml)),))


def test_colour_literal_background_and_vector_foreground(tmp_path: Path) -> None:
    resources = [_vector_fg()]
    data, _ = _apk(resources, f.rgb(GREEN), f.ref(f.res_id(resources, "drawable", "fg")))
    icon = _face(data)
    _check_composed(icon, GREEN, RED)
    assert icon is not None and icon.layers == ("res/drawable/fg.xml",)
    # aapt agrees on the file the icon is (its anydpi line)
    apk = tmp_path / "a.apk"
    apk.write_bytes(data)
    assert oracles.face(apk).icons[ANY_DPI] == icon.path


def test_colour_resource_background_and_bitmap_foreground_at_best_density() -> None:
    fg_files = [
        f.Var(density=160, file=("res/mipmap-mdpi-v4/fg.png", f.png(BLUE))),
        f.Var(density=640, file=("res/mipmap-xxxhdpi-v4/fg.png", f.png(RED))),
        f.Var(density=320, file=("res/mipmap-xhdpi-v4/fg.png", f.png(BLUE))),
    ]
    resources = [
        f.Res("color", "bg", (f.Var(color=GREEN),)),
        f.Res("mipmap", "fg", tuple(fg_files)),
    ]
    bg, fg = f.res_id(resources, "color", "bg"), f.res_id(resources, "mipmap", "fg")
    icon = _face(_apk(resources, f.ref(bg), f.ref(fg))[0])
    # a bitmap layer fills the whole 108dp: red everywhere the mask shows
    picture = image(icon) if icon else None
    assert icon is not None and picture is not None
    assert icon.layers == ("res/mipmap-xxxhdpi-v4/fg.png",)
    assert f.px(picture, (SIZE // 2, 10)) == rgba(RED)
    assert f.px(picture, (2, 2))[3] == 0


@pytest.mark.parametrize("ext", ["WEBP", "JPEG"])
def test_webp_and_jpeg_layers(ext: str) -> None:
    name = f"res/drawable-xxhdpi-v4/bg.{ext.lower()}"
    resources = [
        f.Res("drawable", "bg", (f.Var(density=480, file=(name, f.png(GREEN, ext=ext))),)),
        _vector_fg(),
    ]
    bg, fg = f.res_id(resources, "drawable", "bg"), f.res_id(resources, "drawable", "fg")
    icon = _face(_apk(resources, f.ref(bg), f.ref(fg))[0])
    assert icon is not None and icon.layers == (name, "res/drawable/fg.xml")
    r, g, b, a = f.px(image(icon), (SIZE // 2, 10))
    assert a == 255 and g > 240 and r < 15 and b < 15  # JPEG is lossy
    assert f.px(image(icon), (SIZE // 2, SIZE // 2)) == rgba(RED)


def test_inline_child_drawables_and_shape_and_inset() -> None:
    shape = XmlElement(
        "shape", (), (XmlElement("solid", (XmlAttr("color", f.rgb(GREEN), f.COLOR),)),)
    )
    inner = f.vector_element(f.path("M0,0h108v108h-108z", f.rgb(RED)))
    inset = XmlElement(
        "inset",
        (XmlAttr("inset", _fraction(0.25), 0x010104B5),),
        (inner,),
    )
    icon = _face(_apk([], shape, inset)[0])
    picture = _check_composed(icon, GREEN, RED)
    # the inset red square covers 27..81 of 108dp: in the visible 72dp, 9..63
    edge = round(SIZE * 9 / 72)
    assert f.px(picture, (edge + 2, SIZE // 2)) == rgba(RED)
    assert f.px(picture, (edge - 3, SIZE // 2)) == rgba(GREEN)


def _fraction(value: float) -> ResValue:
    """A Res_value fraction (TYPE_FRACTION, radix 0p23, unit: of the base size)."""
    mantissa = round(value * (1 << 23))
    return ResValue(0x06, (mantissa << 8) | (3 << 4))


def test_rounded_square_mask_and_size() -> None:
    resources = [_vector_fg()]
    data, _ = _apk(resources, f.rgb(GREEN), f.ref(f.res_id(resources, "drawable", "fg")))
    icon = _face(data, size=96, shape=IconShape.ROUNDED_SQUARE)
    assert icon is not None
    picture = image(icon)
    assert picture.size == (96, 96)
    assert f.px(picture, (0, 0))[3] == 0  # the rounded corner
    assert f.px(picture, (6, 6)) == rgba(GREEN)  # inside the rounded corner
    circle = _face(data, size=96)
    assert circle is not None and f.px(image(circle), (6, 6))[3] == 0


def test_a_vector_icon_without_adaptive_layers() -> None:
    xml = f.vector(
        f.path("M0,0h108v54h-108z", f.rgb(RED)), f.path("M0,54h108v54h-108z", f.rgb(BLUE))
    )
    resources = [
        f.Res(
            "drawable",
            "icon",
            (
                f.Var(density=f.ANYDPI, sdk=21, file=("res/drawable-anydpi-v21/icon.xml", xml)),
                f.Var(density=480, file=("res/drawable-xxhdpi-v4/icon.png", f.png(GREEN))),
            ),
        )
    ]
    icon = _face(f.icon_apk(resources, f.res_id(resources, "drawable", "icon")))
    assert icon is not None and icon.drawn and icon.path == "res/drawable-anydpi-v21/icon.xml"
    picture = image(icon)
    assert picture.size == (SIZE, SIZE)
    assert f.px(picture, (2, 2)) == rgba(RED)  # a plain vector icon is not masked
    assert f.px(picture, (2, SIZE - 3)) == rgba(BLUE)


def test_round_icon_is_preferred_and_a_webp_raster_kept_as_it_is() -> None:
    webp = f.png(GREEN, ext="WEBP")
    resources = [
        f.Res(
            "mipmap",
            "plain",
            (f.Var(density=480, file=("res/mipmap-xxhdpi-v4/plain.png", f.png(RED))),),
        ),
        f.Res(
            "mipmap", "round", (f.Var(density=480, file=("res/mipmap-xxhdpi-v4/round.webp", webp)),)
        ),
    ]
    data = f.icon_apk(
        resources,
        f.res_id(resources, "mipmap", "plain"),
        round_icon=f.res_id(resources, "mipmap", "round"),
    )
    icon = _face(data)
    assert icon is not None and not icon.drawn
    assert (icon.path, icon.ext, icon.data, icon.density) == (
        "res/mipmap-xxhdpi-v4/round.webp",
        "webp",
        webp,
        480,
    )


# ---------------------------------------------------------------------- generated: failures


def _raster_fallback(icon: AppIcon | None) -> None:
    """The older launchers' PNG, as the adaptive icon could not be drawn."""
    assert icon is not None and not icon.drawn
    assert icon.path == "res/mipmap-xxhdpi-v4/ic_launcher.png" and icon.density == 480


def test_a_layer_naming_a_missing_resource_falls_back_to_the_raster() -> None:
    data, _ = _apk([], f.rgb(GREEN), f.ref(0x7F01FFFF))
    _raster_fallback(_face(data))


def test_a_layer_file_missing_from_the_zip_falls_back() -> None:
    resources = [f.Res("drawable", "fg", (f.Var(file=("res/drawable/fg.xml", b"")),))]
    mipmap = f.res_id([*resources, f.Res("mipmap", "ic_launcher")], "mipmap", "ic_launcher")
    adaptive = f.adaptive(f.rgb(GREEN), f.ref(f.res_id(resources, "drawable", "fg")))
    variants = (
        f.Var(density=f.ANYDPI, sdk=26, file=("res/mipmap-anydpi-v26/ic_launcher.xml", adaptive)),
        f.Var(density=480, file=("res/mipmap-xxhdpi-v4/ic_launcher.png", f.png(BLUE))),
    )
    data = f.icon_apk([*resources, f.Res("mipmap", "ic_launcher", variants)], mipmap)
    # drop the layer's file from the zip
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            if item.filename != "res/drawable/fg.xml":
                zout.writestr(item, zin.read(item))
    _raster_fallback(_face(out.getvalue()))


@pytest.mark.parametrize(
    "content",
    [
        b"not xml at all",
        b"\x03\x00\x08\x00\xff\xff\xff\xff",
        f.png(RED)[:40],
        f.broken_chunk_png(),
    ],
    ids=["text", "truncated-axml", "truncated-png", "png-broken-chunk"],
)
def test_a_broken_layer_file_falls_back(content: bytes) -> None:
    resources = [f.Res("drawable", "fg", (f.Var(file=("res/drawable/fg.xml", content)),))]
    _raster_fallback(
        _face(_apk(resources, f.rgb(GREEN), f.ref(f.res_id(resources, "drawable", "fg")))[0])
    )


def test_a_broken_adaptive_icon_file_falls_back() -> None:
    mipmap = f.res_id([f.Res("mipmap", "ic_launcher")], "mipmap", "ic_launcher")
    variants = (
        f.Var(
            density=f.ANYDPI,
            sdk=26,
            file=("res/mipmap-anydpi-v26/ic_launcher.xml", b"\x03\x00\x08\x00junk"),
        ),
        f.Var(density=480, file=("res/mipmap-xxhdpi-v4/ic_launcher.png", f.png(BLUE))),
    )
    _raster_fallback(_face(f.icon_apk([f.Res("mipmap", "ic_launcher", variants)], mipmap)))


def test_an_adaptive_icon_with_no_layers_or_bad_path_data_falls_back() -> None:
    _raster_fallback(_face(_apk([], None, None)[0]))
    bad = f.vector(f.path("M0,0L5", f.rgb(RED)))
    resources = [f.Res("drawable", "fg", (f.Var(file=("res/drawable/fg.xml", bad)),))]
    _raster_fallback(
        _face(_apk(resources, f.rgb(GREEN), f.ref(f.res_id(resources, "drawable", "fg")))[0])
    )


def test_a_fill_naming_a_colour_state_list_uses_its_default_item_and_alpha() -> None:
    """``res/color/fg.xml``: a pressed-state item first, then the default item, whose
    ``android:alpha`` halves the colour's alpha (as ``ColorStateList.getDefaultColor``)."""
    pressed = XmlElement(
        "item",
        (
            XmlAttr("state_pressed", ResValue(0x12, 0xFFFFFFFF), 0x010100A7),
            XmlAttr("color", f.rgb(BLUE), f.COLOR),
        ),
    )
    default = XmlElement(
        "item", (XmlAttr("color", f.rgb(RED), f.COLOR), XmlAttr("alpha", f.f32(0.5), 0x0101031F))
    )
    selector = build_document(XmlElement("selector", (), (pressed, default))).to_bytes()
    colour = f.Res("color", "fg_colour", (f.Var(file=("res/color/fg_colour.xml", selector)),))
    colour_id = f.res_id([colour], "color", "fg_colour")
    xml = f.vector(f.path(FG_SQUARE, f.ref(colour_id)))
    resources = [f.Res("drawable", "fg", (f.Var(file=("res/drawable/fg.xml", xml)),)), colour]
    icon = _face(_apk(resources, f.rgb(GREEN), f.ref(f.res_id(resources, "drawable", "fg")))[0])
    picture = _check_composed(icon, GREEN, None)
    r, g, b, a = f.px(picture, (SIZE // 2, SIZE // 2))  # half-transparent red over green
    assert a == 255 and b == 0 and abs(r - 128) <= 1 and abs(g - 127) <= 1


def test_a_vector_layer_in_a_theme_colour_falls_back_to_the_raster() -> None:
    """``?attr/colorPrimary`` depends on the theme the launcher does not have: the vector is
    refused (not drawn in a guessed colour) and the densest raster shown instead."""
    xml = f.vector(f.path(FG_SQUARE, ResValue(0x02, 0x01010433)))
    resources = [f.Res("drawable", "fg", (f.Var(file=("res/drawable/fg.xml", xml)),))]
    _raster_fallback(
        _face(_apk(resources, f.rgb(GREEN), f.ref(f.res_id(resources, "drawable", "fg")))[0])
    )


@pytest.mark.parametrize("loop", [1, 2], ids=["names-itself", "two-files"])
def test_colour_state_lists_that_name_each_other_in_a_loop_fall_back(loop: int) -> None:
    names = [f"c{i}" for i in range(loop)]
    ids = [f.res_id([f.Res("color", n) for n in names], "color", n) for n in names]
    colours = []
    for i, name in enumerate(names):
        item = XmlElement("item", (XmlAttr("color", f.ref(ids[(i + 1) % loop]), f.COLOR),))
        selector = build_document(XmlElement("selector", (), (item,))).to_bytes()
        colours.append(f.Res("color", name, (f.Var(file=(f"res/color/{name}.xml", selector)),)))
    xml = f.vector(f.path(FG_SQUARE, f.ref(ids[0])))
    resources = [f.Res("drawable", "fg", (f.Var(file=("res/drawable/fg.xml", xml)),)), *colours]
    _raster_fallback(
        _face(_apk(resources, f.rgb(GREEN), f.ref(f.res_id(resources, "drawable", "fg")))[0])
    )


def test_a_missing_background_is_transparent() -> None:
    resources = [_vector_fg()]
    icon = _face(_apk(resources, None, f.ref(f.res_id(resources, "drawable", "fg")))[0])
    assert icon is not None and icon.drawn
    picture = image(icon)
    assert f.px(picture, (SIZE // 2, 10))[3] == 0
    assert f.px(picture, (SIZE // 2, SIZE // 2)) == rgba(RED)


def test_a_monochrome_layer_is_read_past() -> None:
    resources = [_vector_fg()]
    fg = f.ref(f.res_id(resources, "drawable", "fg"))
    mipmap = f.res_id([*resources, f.Res("mipmap", "ic_launcher")], "mipmap", "ic_launcher")
    xml = f.adaptive(f.rgb(GREEN), fg, monochrome=fg)
    variant = f.Var(density=f.ANYDPI, sdk=26, file=("res/mipmap-anydpi-v26/ic_launcher.xml", xml))
    icon = _face(f.icon_apk([*resources, f.Res("mipmap", "ic_launcher", (variant,))], mipmap))
    _check_composed(icon, GREEN, RED)


def test_nothing_drawable_and_no_raster_gives_no_icon_never_an_error() -> None:
    """The launcher then shows its letter avatar."""
    data, _ = _apk([], f.rgb(GREEN), f.ref(0x7F01FFFF), raster=False)
    face = app_face(parse_source(data, "generated.apk"))
    assert face.icon is None and face.label == "Icons"


def test_reference_loops_give_no_icon() -> None:
    a, b = 0x7F010000, 0x7F010001
    resources = [f.Res("drawable", "a", (f.Var(ref=b),)), f.Res("drawable", "b", (f.Var(ref=a),))]
    assert _face(f.icon_apk(resources, a)) is None


_VECTOR = f.vector(
    f.group(f.path(FG_SQUARE, f.rgb(RED), fillType=ResValue(0x10, 1)), rotation=10, pivotX=54),
    f.path("M10,10a5 5 0 1 1 10 0", None, strokeColor=f.rgb(BLUE), strokeWidth=f.f32(2)),
)
_ADAPTIVE = f.adaptive(f.ref(0x7F030000), f.ref(0x7F010000))


@settings(max_examples=150, deadline=None)
@given(
    which=st.sampled_from(["vector", "adaptive"]),
    damage=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=6),
)
def test_damaged_drawables_never_raise(which: str, damage: list[tuple[int, int]]) -> None:
    """Bytes of the vector layer or of the adaptive icon overwritten at random: the face is
    still read, the icon drawn or the raster fallback, never an exception."""
    vector, adaptive = bytearray(_VECTOR), bytearray(_ADAPTIVE)
    target = vector if which == "vector" else adaptive
    for at, byte in damage:
        target[at % len(target)] = byte
    resources = [
        f.Res("drawable", "fg", (f.Var(file=("res/drawable/fg.xml", bytes(vector))),)),
        f.Res("color", "bg", (f.Var(color=GREEN),)),
    ]
    mipmap = f.res_id([*resources, f.Res("mipmap", "ic_launcher")], "mipmap", "ic_launcher")
    variants = (
        f.Var(
            density=f.ANYDPI,
            sdk=26,
            file=("res/mipmap-anydpi-v26/ic_launcher.xml", bytes(adaptive)),
        ),
        f.Var(density=480, file=("res/mipmap-xxhdpi-v4/ic_launcher.png", f.png(BLUE))),
    )
    data = f.icon_apk([*resources, f.Res("mipmap", "ic_launcher", variants)], mipmap)
    icon = _face(data)
    assert icon is not None
    if icon.drawn:
        assert image(icon).size == (SIZE, SIZE)
    else:
        assert icon.path == "res/mipmap-xxhdpi-v4/ic_launcher.png"


@settings(max_examples=100, deadline=None)
@given(
    ext=st.sampled_from(["PNG", "WEBP", "JPEG"]),
    damage=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=6),
    cut=st.none() | st.integers(8, 10_000),
)
def test_damaged_bitmap_layers_never_raise(
    ext: str, damage: list[tuple[int, int]], cut: int | None
) -> None:
    """A foreground bitmap's bytes overwritten (and perhaps cut short) at random: Pillow's
    errors for it, whatever their class, end in the raster fallback or a drawn icon."""
    bitmap = bytearray(f.png(RED, 32, ext))
    for at, byte in damage:
        bitmap[at % len(bitmap)] = byte
    name = f"res/drawable-xxhdpi-v4/fg.{ext.lower()}"
    content = bytes(bitmap if cut is None else bitmap[: cut % len(bitmap)])
    resources = [f.Res("drawable", "fg", (f.Var(density=480, file=(name, content)),))]
    data, _ = _apk(resources, f.rgb(GREEN), f.ref(f.res_id(resources, "drawable", "fg")))
    icon = _face(data)
    assert icon is not None
    if icon.drawn:
        assert icon.layers == (name,) and image(icon).size == (SIZE, SIZE)
    else:
        assert icon.path == "res/mipmap-xxhdpi-v4/ic_launcher.png"


def test_reading_a_face_imports_pillow_only_when_drawing() -> None:
    code = "import sys, apk.app_icon, clone.faces; print('PIL' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_image_kinds() -> None:
    assert image_kind(b"\x89PNG\r\n\x1a\n....") == "png"
    assert image_kind(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert image_kind(b"\xff\xd8\xff\xe0") == "jpg"
    assert image_kind(b"\x03\x00\x08\x00<vector") is None  # a compiled XML drawable
    assert NO_DPI == 0xFFFF
