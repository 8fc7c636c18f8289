"""Path data to polygons to coverage: every command, both fill rules, against areas and
points worked out by hand."""

from __future__ import annotations

import math

import pytest

from apk.path_data import (
    Command,
    PathDataError,
    coverage,
    flatten,
    multiply,
    parse_path,
    rotate,
    scale,
    translate,
)


def area(path: str, size: int = 100, even_odd: bool = False) -> float:
    """The covered fraction of a ``size``-pixel square, the path in pixel units."""
    cov = coverage(flatten(parse_path(path)), size, size, even_odd=even_odd)
    return sum(cov) / 255 / (size * size)


def pixel(path: str, x: int, y: int, size: int = 100) -> int:
    return coverage(flatten(parse_path(path)), size, size)[y * size + x]


def test_numbers_as_android_writes_them() -> None:
    assert parse_path("M-.5.5l1e1-2zm1,1h2v3") == [
        Command("M", (-0.5, 0.5)),
        Command("l", (10.0, -2.0)),
        Command("z", ()),
        Command("m", (1.0, 1.0)),
        Command("h", (2.0,)),
        Command("v", (3.0,)),
    ]


def test_repeated_arguments_and_moves_that_become_lines() -> None:
    assert parse_path("M0 0 10 0 10 10") == [
        Command("M", (0.0, 0.0)),
        Command("L", (10.0, 0.0)),
        Command("L", (10.0, 10.0)),
    ]
    assert [c.letter for c in parse_path("m1 1 2 2c1 1 2 2 3 3 4 4 5 5 6 6")] == [
        "m",
        "l",
        "c",
        "c",
    ]


def test_arc_flags_without_separators() -> None:
    # "a5 5 0 1110 0": rx ry rotation, then the flags 1 and 1, then x=10, y=0
    assert parse_path("M0 0a5 5 0 1110 0") == [
        Command("M", (0.0, 0.0)),
        Command("a", (5.0, 5.0, 0.0, 1.0, 1.0, 10.0, 0.0)),
    ]


def test_what_android_tolerates() -> None:
    # a command letter without numbers is skipped; flags written as floats (framework-res)
    assert parse_path("M0 0c M1 1") == [Command("M", (0.0, 0.0)), Command("M", (1.0, 1.0))]
    assert parse_path("a10,10 0.0,1.0 1.0,20.0 0.0") == [
        Command("a", (10.0, 10.0, 0.0, 1.0, 1.0, 20.0, 0.0))
    ]


@pytest.mark.parametrize("bad", ["10 10", "M10", "Mx", "M0 0 L5", "M0 0a5 5 0 2 0 1 1", "Z 5"])
def test_malformed_path_data(bad: str) -> None:
    with pytest.raises(PathDataError):
        parse_path(bad)


def test_a_square_covers_exactly_its_pixels() -> None:
    assert area("M10,10H60V60H10Z") == pytest.approx(0.25)
    assert area("M10,10h50v50h-50z") == pytest.approx(0.25)  # relative, the same square
    assert pixel("M10,10H60V60H10Z", 10, 10) == 255
    assert pixel("M10,10H60V60H10Z", 9, 30) == 0
    assert pixel("M10.5,10H60V60H10.5Z", 10, 30) == 128  # half a pixel covered


def test_circles_from_arcs_and_from_cubics() -> None:
    arcs = "M50 0A50 50,0,1,1,50 100A50 50,0,1,1,50 0"  # the circular icon mask
    assert area(arcs) == pytest.approx(math.pi / 4, abs=0.002)
    k = 50 * 0.5523  # the cubic approximation of a quarter circle
    cubics = (
        f"M50,0C{50 + k},0 100,{50 - k} 100,50S{50 + k},100 50,100S0,{50 + k} 0,50S{50 - k},0 50,0Z"
    )
    assert area(cubics) == pytest.approx(math.pi / 4, abs=0.003)


def test_quadratics_and_their_smooth_continuation() -> None:
    # a quadratic from (0,100) over (50,0) to (100,100) bounds 2/3 of its triangle's box
    assert area("M0,100Q50,0 100,100Z") == pytest.approx(0.5 * 2 / 3, abs=0.005)
    # T reflects the control point: a symmetric wave, up then down, as much above as below
    wave = area("M0,50Q25,0 50,50T100,50V100H0Z")
    assert wave == pytest.approx(0.5, abs=0.005)


def test_fill_rules() -> None:
    # two squares drawn the same way round: non-zero fills the inner one, even-odd cuts it
    nested = "M0,0H100V100H0ZM25,25H75V75H25Z"
    assert area(nested) == pytest.approx(1.0)
    assert area(nested, even_odd=True) == pytest.approx(0.75)
    # drawn the other way round, the inner square is a hole under both rules
    reversed_inner = "M0,0H100V100H0ZM25,25V75H75V25Z"
    assert area(reversed_inner) == pytest.approx(0.75)


def test_transforms_compose_inner_first() -> None:
    m = multiply(translate(10, 0), scale(2, 2))  # scale, then move
    [poly] = flatten(parse_path("M0,0H1V1H0Z"), m)
    assert poly[:4] == [(10.0, 0.0), (12.0, 0.0), (12.0, 2.0), (10.0, 2.0)]
    [turned] = flatten(parse_path("M1,0H2"), rotate(90), closed=False)
    assert turned[0] == pytest.approx((0.0, 1.0))
    assert turned[1] == pytest.approx((0.0, 2.0))


def test_open_lines_for_strokes() -> None:
    assert flatten(parse_path("M0,0L10,0"), closed=False) == [[(0.0, 0.0), (10.0, 0.0)]]
    assert flatten(parse_path("M0,0L10,0")) == []  # nothing to fill
    closed = flatten(parse_path("M0,0H10V10Z"), closed=False)
    assert closed[0][-1] == (0.0, 0.0)  # Z returns to the start


def test_degenerate_arcs_are_lines() -> None:
    [poly] = flatten(parse_path("M0,0A0 5 0 0 1 10,0L10,10Z"))
    assert poly[:2] == [(0.0, 0.0), (10.0, 0.0)]


@pytest.mark.parametrize(
    ("large", "sweep", "inside", "outside"),
    [
        # the chord (30,50)-(70,50); with r = 20*sqrt(2) the centres are (50,30) and (50,70)
        (0, 1, (50, 45), (50, 55)),  # small arc, clockwise on screen: a cap above the chord
        (0, 0, (50, 55), (50, 45)),  # small, counter-clockwise: the cap below
        (1, 1, (50, 10), (50, 55)),  # large, clockwise: most of the circle, above
        (1, 0, (50, 90), (50, 45)),  # large, counter-clockwise: most of it, below
    ],
)
def test_relative_arc_flags_pick_each_of_the_four_arcs(
    large: int, sweep: int, inside: tuple[int, int], outside: tuple[int, int]
) -> None:
    r = 20 * math.sqrt(2)
    path = f"M30,50a{r:.4f},{r:.4f} 0 {large},{sweep} 40,0z"
    segment = r * r / 2 * (math.pi / 2 - 1)  # the 90-degree segment cut off by the chord
    expected = math.pi * r * r - segment if large else segment
    assert area(path) == pytest.approx(expected / 100**2, abs=0.002)
    assert pixel(path, *inside) == 255
    assert pixel(path, *outside) == 0
    # an ellipse's radii too small for the chord are scaled up to just reach it (a half disc)
    assert area("M30,50a5,5 0 0,1 40,0z") == pytest.approx(math.pi * 20**2 / 2 / 100**2, abs=0.002)


@pytest.mark.parametrize(
    ("absolute", "relative"),
    [
        # a circle by cubics, each S reflecting the control point before it
        (
            "M50,0C77.6,0 100,22.4 100,50S77.6,100 50,100S0,77.6 0,50S22.4,0 50,0Z",
            "m50,0c27.6,0 50,22.4 50,50s-22.4,50 -50,50s-50,-22.4 -50,-50s22.4,-50 50,-50z",
        ),
        # a wave by quadratics, T reflecting the control point, then lines back
        ("M0,50Q25,0 50,50T100,50L100,100H0Z", "m0,50q25,-50 50,0t50,0l0,50h-100z"),
        # a second subpath after z starts from the first one's start
        ("M10,10H40V40H10ZM50,50H90V90H50Z", "m10,10h30v30h-30zm40,40h40v40h-40z"),
    ],
    ids=["cubic-smooth", "quad-smooth", "after-close"],
)
def test_relative_commands_draw_what_their_absolute_forms_draw(
    absolute: str, relative: str
) -> None:
    ours = coverage(flatten(parse_path(relative)), 100, 100)
    theirs = coverage(flatten(parse_path(absolute)), 100, 100)
    # the same pixels, give or take one sample where rounding moves an edge a hair
    assert max(abs(a - b) for a, b in zip(ours, theirs, strict=True)) <= 255 // 16 + 1
    assert area(relative) > 0.1
