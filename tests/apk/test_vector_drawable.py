"""Vector drawables read from compiled XML and drawn: colours, alpha, fill rules, group
transforms, clip paths, strokes, tint, and the ones refused."""

from __future__ import annotations

import pytest
from PIL import Image

from apk.axml import ResValue, XmlAttr, XmlElement, build_document
from apk.res_tree import tree
from apk.vector_drawable import (
    Gradient,
    Resources,
    Vector,
    VectorError,
    draw_vector,
    read_vector,
)
from tests.apk import icon_factory as f

RED, BLUE = 0xFF0000, 0x0000FF


def drawn(
    *children: XmlElement, resources: Resources | None = None, **more: ResValue
) -> Image.Image:
    doc = build_document(f.vector_element(*children, viewport=100, **more))
    return draw_vector(read_vector(tree(doc), resources), 100, 100)


def test_fill_colour_alpha_and_fill_rule() -> None:
    image = drawn(
        f.path("M0,0H50V50H0Z", f.rgb(RED)),
        f.path("M50,0H100V50H50Z", f.rgb(BLUE), fillAlpha=f.f32(0.5)),
        f.path("M0,50H50V100H0ZM10,60H40V90H10Z", f.rgb(RED), fillType=ResValue(0x10, 1)),
    )
    assert f.px(image, (25, 25)) == (255, 0, 0, 255)
    assert f.px(image, (75, 25)) == (0, 0, 255, 128)
    assert f.px(image, (75, 75)) == (0, 0, 0, 0)  # nothing drawn there
    assert f.px(image, (25, 75)) == (0, 0, 0, 0)  # the even-odd hole
    assert f.px(image, (5, 75)) == (255, 0, 0, 255)


def test_later_paths_paint_over_earlier_ones() -> None:
    image = drawn(f.path("M0,0H100V100H0Z", f.rgb(RED)), f.path("M25,25H75V75H25Z", f.rgb(BLUE)))
    assert f.px(image, (50, 50)) == (0, 0, 255, 255)
    assert f.px(image, (10, 10)) == (255, 0, 0, 255)


def test_group_transforms_nest_as_android_applies_them() -> None:
    # a 10x10 square at the origin, rotated 90 degrees about (50,50): lands at x 90..100
    image = drawn(f.group(f.path("M0,0H10V10H0Z", f.rgb(RED)), rotation=90, pivotX=50, pivotY=50))
    assert f.px(image, (95, 5)) == (255, 0, 0, 255)
    assert f.px(image, (5, 5))[3] == 0
    # scale about a pivot, then translate; an outer group moves the inner one's result
    inner = f.group(
        f.path("M40,40H60V60H40Z", f.rgb(BLUE)), scaleX=2, scaleY=2, pivotX=50, pivotY=50
    )
    image = drawn(f.group(inner, translateX=-20))
    assert f.px(image, (12, 50)) == (0, 0, 255, 255)  # 30..70 shifted to 10..50
    assert f.px(image, (55, 50))[3] == 0


def test_clip_path_limits_the_paths_after_it() -> None:
    clip = XmlElement("clip-path", (XmlAttr("pathData", "M0,0H50V100H0Z", 0x01010405),))
    image = drawn(f.group(clip, f.path("M0,0H100V100H0Z", f.rgb(RED))))
    assert f.px(image, (25, 50)) == (255, 0, 0, 255)
    assert f.px(image, (75, 50))[3] == 0


def test_strokes_are_drawn_around_the_line() -> None:
    line = f.path("M10,50H90", None, strokeColor=f.rgb(BLUE), strokeWidth=f.f32(10))
    image = drawn(line)
    assert f.px(image, (50, 50)) == (0, 0, 255, 255)
    assert f.px(image, (50, 46)) == (0, 0, 255, 255)
    assert f.px(image, (50, 40))[3] == 0
    assert f.px(image, (5, 50))[3] == 0  # butt cap: nothing before the start


def test_tint_and_vector_alpha() -> None:
    tinted = drawn(f.path("M0,0H50V100H0Z", f.rgb(RED)), tint=f.rgb(0x00FF00))
    assert f.px(tinted, (25, 50)) == (0, 255, 0, 255)
    assert f.px(tinted, (75, 50))[3] == 0
    faded = drawn(f.path("M0,0H100V100H0Z", f.rgb(RED)), alpha=f.f32(0.25))
    assert f.px(faded, (50, 50))[3] == 64


class _Colours(Resources):
    def color(self, res_id: int) -> int | None:
        return {0x7F030000: 0xFF00FF00}.get(res_id)


def test_colour_resources_resolve_and_unknown_ones_refuse_the_vector() -> None:
    image = drawn(f.path("M0,0H100V100H0Z", f.ref(0x7F030000)), resources=_Colours())
    assert f.px(image, (50, 50)) == (0, 255, 0, 255)
    with pytest.raises(VectorError, match="not resolved"):
        drawn(f.path("M0,0H100V100H0Z", f.ref(0x7F030001)), resources=_Colours())
    with pytest.raises(VectorError, match="theme"):
        drawn(f.path("M0,0H100V100H0Z", ResValue(0x02, 0x01010036)))


class _Gradients(Resources):
    """@0x7f020000: black (opaque) to transparent red, from x=20 to x=80."""

    def gradient(self, res_id: int) -> Gradient | None:
        stops = ((0.0, 0xFF000000), (1.0, 0x00FF0000))
        return Gradient((20.0, 0.0), (80.0, 0.0), stops) if res_id == 0x7F020000 else None

    def color(self, res_id: int) -> int | None:
        return 0x80800000 if res_id == 0x7F020000 else None  # the average, if drawn flat


def test_linear_gradient_fills_clamped_beyond_its_ends() -> None:
    image = drawn(f.path("M0,0H100V100H0Z", f.ref(0x7F020000)), resources=_Gradients())
    assert f.px(image, (10, 50)) == (0, 0, 0, 255)  # before the start: the first colour
    assert f.px(image, (90, 50))[3] == 0  # after the end: the last, transparent
    middle = f.px(image, (50, 50))
    assert abs(middle[3] - 128) <= 3 and abs(middle[0] - 128) <= 3 and middle[1] == 0
    assert f.px(image, (50, 10)) == middle  # constant across the gradient's direction
    # moved with its path's group, and scaled by fillAlpha
    moved = drawn(
        f.group(f.path("M0,0H100V100H0Z", f.ref(0x7F020000), fillAlpha=f.f32(0.5)), translateX=20),
        resources=_Gradients(),
    )
    assert f.px(moved, (30, 50)) == (0, 0, 0, 128)  # before the start, now at x=40
    assert abs(f.px(moved, (70, 50))[3] - 64) <= 1  # half way, half alpha


def test_not_a_vector_or_no_viewport() -> None:
    with pytest.raises(VectorError):
        read_vector(tree(build_document(XmlElement("shape"))))
    no_viewport = XmlElement("vector", (), (f.path("M0,0H1V1Z", f.rgb(RED)),))
    with pytest.raises(VectorError, match="viewport"):
        read_vector(tree(build_document(no_viewport)))
    with pytest.raises(VectorError, match="path data"):
        drawn(f.path("M0,0H100Vx", f.rgb(RED)))


def test_the_viewport_stretches_to_the_size_asked() -> None:
    vector = read_vector(
        tree(build_document(f.vector_element(f.path("M0,0H54V108H0Z", f.rgb(RED)))))
    )
    assert isinstance(vector, Vector) and vector.viewport == (108.0, 108.0)
    image = draw_vector(vector, 20, 10)
    assert image.size == (20, 10)
    assert f.px(image, (5, 5)) == (255, 0, 0, 255)
    assert f.px(image, (15, 5))[3] == 0
