"""Android vector drawables (``<vector>``), read from compiled XML and drawn in Python.

``read_vector(root, resources)`` turns a ``<vector>`` element (``apk.res_tree``) into a
``Vector``: its viewport and a flat list of ``Shape``s, each a filled path with its colour,
fill rule and the transform of the groups around it (AOSP ``VectorDrawable.VGroup``:
translate by -pivot, scale, rotate, translate by translate + pivot; a group's transform
applies after its children's), and the ``<clip-path>``s in force for it (a clip path
limits the siblings after it in its group, and their descendants). ``draw_vector(vector,
width, height)`` rasterises it into an RGBA image of that size (the viewport stretched to
it, as a drawable is stretched to its bounds), with the vector's ``alpha`` and ``tint``
(its default ``src_in`` mode).

Covered: path data (every command, ``apk.path_data``), ``fillColor`` as a literal, a
colour resource or a colour-state-list or gradient file (through ``resources.color``),
``fillAlpha``, ``fillType`` (nonZero, evenOdd), ``strokeColor``/``strokeWidth``/
``strokeAlpha`` (drawn as round-joined, butt-capped lines), group transforms, clip paths,
path data kept as a string resource, the vector's ``alpha`` and ``tint`` (a theme's tint,
``?attr/…``, is left out: the vector keeps its own colours). A linear gradient fill
(``resources.gradient``) is drawn as one; a radial or sweep gradient in the average of its
colours. Not covered: trimmed paths (only a path trimmed to nothing is
left out), theme colours for fills and strokes (``?attr/…``: the vector is refused,
``VectorError``), stroke miters and caps other than butt. The drawing needs Pillow,
imported when drawing.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from apk.path_data import (
    IDENTITY,
    Matrix,
    PathDataError,
    Polygon,
    coverage,
    flatten,
    multiply,
    parse_path,
    rotate,
    scale,
    transform_points,
    translate,
)
from apk.res_tree import TYPE_ATTRIBUTE, TYPE_REFERENCE, XmlNode, color, number

if TYPE_CHECKING:
    from PIL import Image

ALPHA = 0x0101031F
TINT = 0x01010121
VIEWPORT_WIDTH = 0x01010402
VIEWPORT_HEIGHT = 0x01010403
FILL_COLOR = 0x01010404
PATH_DATA = 0x01010405
STROKE_COLOR = 0x01010406
STROKE_WIDTH = 0x01010407
STROKE_ALPHA = 0x010104CB
FILL_ALPHA = 0x010104CC
FILL_TYPE = 0x0101051E
TRIM_PATH_END = 0x01010409  # read so that a fully trimmed path is not drawn
TRANSLATE_X = 0x0101045A
TRANSLATE_Y = 0x0101045B
SCALE_X = 0x01010324
SCALE_Y = 0x01010325
ROTATION = 0x01010326
PIVOT_X = 0x010101B5
PIVOT_Y = 0x010101B6
EVEN_ODD = 1  # fillType's value for evenOdd
MAX_SHAPES = 2_000


class VectorError(ValueError):
    """A vector drawable this module cannot draw faithfully."""


@dataclass(frozen=True)
class Gradient:
    """A linear gradient (``<gradient android:type="linear">``): from ``start`` to ``end``
    (path units), colours at offsets 0..1 between them, the ends' colours beyond them
    (Android's default ``clamp`` tile mode)."""

    start: tuple[float, float]
    end: tuple[float, float]
    stops: tuple[tuple[float, int], ...]  # (offset, ARGB), by offset

    def moved(self, matrix: Matrix, alpha: float) -> Gradient:
        """The gradient in the coordinates ``matrix`` leads to, its colours times ``alpha``."""
        ends = transform_points((self.start, self.end), matrix)
        stops = tuple((o, _with_alpha(c, alpha)) for o, c in self.stops)
        return Gradient(ends[0], ends[1], stops)


@dataclass(frozen=True)
class Shape:
    """One path to paint: its polygons (viewport units, transforms applied), ARGB colour
    (or ``gradient``), rule, and the clip polygons (each set one clip; all must hold)."""

    polygons: tuple[Polygon, ...]
    argb: int
    even_odd: bool
    clips: tuple[tuple[Polygon, ...], ...] = ()
    gradient: Gradient | None = None


@dataclass(frozen=True)
class Vector:
    viewport: tuple[float, float]
    shapes: tuple[Shape, ...]
    alpha: float = 1.0
    tint: int | None = None


class Resources:
    """What a vector needs from its APK's resources; the default resolves nothing."""

    def color(self, res_id: int) -> int | None:
        """The ARGB colour ``res_id`` stands for, or None."""
        return None

    def number(self, res_id: int) -> float | None:
        """The number (dimension, float, integer) ``res_id`` stands for, or None."""
        return None

    def text(self, res_id: int) -> str | None:
        """The string ``res_id`` stands for (path data kept as ``@string/…``), or None."""
        return None

    def gradient(self, res_id: int) -> Gradient | None:
        """The linear gradient ``res_id`` is (a ``res/color`` file, or the resource aapt2
        makes of an ``<aapt:attr>`` gradient), or None; ``color`` then gives a colour for
        any other gradient."""
        return None


def read_vector(root: XmlNode, resources: Resources | None = None) -> Vector:
    """The drawable ``root`` (a ``<vector>`` element) as shapes to paint."""
    res = resources or Resources()
    if root.tag != "vector":
        raise VectorError(f"not a vector drawable but <{root.tag}>")
    vw, vh = _num(root, VIEWPORT_WIDTH, res, 0.0), _num(root, VIEWPORT_HEIGHT, res, 0.0)
    if not (vw > 0 and vh > 0):
        raise VectorError("vector drawable: viewportWidth and viewportHeight must be > 0")
    try:
        tint = _color(root, TINT, res)
    except VectorError:
        tint = None  # a theme's tint (?attr/colorControlNormal): drawn in its own colours
    shapes: list[Shape] = []
    _group(root, IDENTITY, (), res, shapes)
    alpha = min(1.0, max(0.0, _num(root, ALPHA, res, 1.0)))
    return Vector((vw, vh), tuple(shapes), alpha, tint)


def _group(
    node: XmlNode,
    matrix: Matrix,
    clips: tuple[tuple[Polygon, ...], ...],
    res: Resources,
    out: list[Shape],
) -> None:
    for child in node.children:
        if child.tag == "group":
            _group(child, multiply(matrix, _local(child, res)), clips, res, out)
        elif child.tag == "clip-path":
            clip = _polygons(child, matrix, res)
            clips = (*clips, clip)
        elif child.tag == "path":
            _path(child, matrix, clips, res, out)
        if len(out) > MAX_SHAPES:
            raise VectorError(f"vector drawable: more than {MAX_SHAPES} paths")


def _local(group: XmlNode, res: Resources) -> Matrix:
    px, py = _num(group, PIVOT_X, res, 0.0), _num(group, PIVOT_Y, res, 0.0)
    m = translate(-px, -py)
    m = multiply(scale(_num(group, SCALE_X, res, 1.0), _num(group, SCALE_Y, res, 1.0)), m)
    m = multiply(rotate(_num(group, ROTATION, res, 0.0)), m)
    tx, ty = _num(group, TRANSLATE_X, res, 0.0), _num(group, TRANSLATE_Y, res, 0.0)
    return multiply(translate(tx + px, ty + py), m)


def _path_data(node: XmlNode, res: Resources) -> str | None:
    value = node.attrs.get(PATH_DATA)
    if value is not None and value.data_type == TYPE_REFERENCE:
        found = res.text(value.data)
        if found is None:
            raise VectorError(f"vector drawable: path data @{value.data:#010x} not resolved")
        return found
    return node.texts.get(PATH_DATA)


def _polygons(node: XmlNode, matrix: Matrix, res: Resources) -> tuple[Polygon, ...]:
    text = _path_data(node, res)
    if not text:
        return ()
    try:
        return tuple(flatten(parse_path(text), matrix))
    except PathDataError as e:
        raise VectorError(f"vector drawable: {e}") from e


def _path(
    node: XmlNode,
    matrix: Matrix,
    clips: tuple[tuple[Polygon, ...], ...],
    res: Resources,
    out: list[Shape],
) -> None:
    if _num(node, TRIM_PATH_END, res, 1.0) <= 0:
        return
    text = _path_data(node, res)
    if not text:
        return
    try:
        commands = parse_path(text)
    except PathDataError as e:
        raise VectorError(f"vector drawable: {e}") from e
    fill = _color(node, FILL_COLOR, res)
    if fill is not None:
        alpha = _num(node, FILL_ALPHA, res, 1.0)
        argb = _with_alpha(fill, alpha)
        even_odd = int(node.attrs[FILL_TYPE].data) == EVEN_ODD if FILL_TYPE in node.attrs else False
        value = node.attrs[FILL_COLOR]
        found = res.gradient(value.data) if value.data_type == TYPE_REFERENCE else None
        gradient = None if found is None else found.moved(matrix, alpha)
        out.append(Shape(tuple(flatten(commands, matrix)), argb, even_odd, clips, gradient))
    stroke = _color(node, STROKE_COLOR, res)
    width = _num(node, STROKE_WIDTH, res, 0.0)
    if stroke is not None and width > 0:
        argb = _with_alpha(stroke, _num(node, STROKE_ALPHA, res, 1.0))
        lines = flatten(commands, IDENTITY, closed=False)
        out.append(Shape(_stroke_polygons(lines, width, matrix), argb, False, clips))


def _with_alpha(argb: int, alpha: float) -> int:
    a = round(((argb >> 24) & 0xFF) * min(1.0, max(0.0, alpha)))
    return (a << 24) | (argb & 0xFFFFFF)


def _num(node: XmlNode, attr: int, res: Resources, default: float) -> float:
    value = node.attrs.get(attr)
    if value is None:
        return default
    if value.data_type == TYPE_REFERENCE:
        found = res.number(value.data)
        return default if found is None else found
    found = number(value)
    return default if found is None else found


def _color(node: XmlNode, attr: int, res: Resources) -> int | None:
    value = node.attrs.get(attr)
    if value is None or value.data_type == 0:
        return None
    literal = color(value)
    if literal is not None:
        return literal
    if value.data_type == TYPE_REFERENCE:
        if value.data == 0:
            return None  # @null
        found = res.color(value.data)
        if found is None:
            raise VectorError(f"vector drawable: colour @{value.data:#010x} not resolved")
        return found
    if value.data_type == TYPE_ATTRIBUTE:
        raise VectorError(f"vector drawable: a theme colour (?{value.data:#010x})")
    raise VectorError(f"vector drawable: a colour of type {value.data_type:#x}")


# ------------------------------------------------------------------------------- strokes


def _stroke_polygons(lines: list[Polygon], width: float, matrix: Matrix) -> tuple[Polygon, ...]:
    """The outline of ``lines`` drawn ``width`` wide (path units), as polygons that all turn
    the same way, so that the non-zero rule paints their union: a quadrilateral per segment,
    and a disc at each joint (round joins)."""
    half = width / 2
    pieces: list[Polygon] = []
    disc = [
        (half * math.cos(2 * math.pi * i / 12), half * math.sin(2 * math.pi * i / 12))
        for i in range(12)
    ]
    for line in lines:
        for (x0, y0), (x1, y1) in itertools.pairwise(line):
            length = math.hypot(x1 - x0, y1 - y0)
            if length == 0:
                continue
            nx, ny = -(y1 - y0) / length * half, (x1 - x0) / length * half
            pieces.append(
                [(x0 + nx, y0 + ny), (x1 + nx, y1 + ny), (x1 - nx, y1 - ny), (x0 - nx, y0 - ny)]
            )
        for x, y in line[1:-1]:
            pieces.append([(x + dx, y + dy) for dx, dy in disc])
    out = []
    for piece in pieces:
        moved = [
            (matrix[0] * x + matrix[2] * y + matrix[4], matrix[1] * x + matrix[3] * y + matrix[5])
            for x, y in piece
        ]
        out.append(moved if _area(moved) >= 0 else moved[::-1])
    return tuple(out)


def _area(polygon: Polygon) -> float:
    return sum(
        xa * yb - xb * ya
        for (xa, ya), (xb, yb) in zip(polygon, [*polygon[1:], polygon[0]], strict=True)
    )


# ------------------------------------------------------------------------------- drawing


def draw_vector(vector: Vector, width: int, height: int) -> Image.Image:
    """``vector`` rasterised to an RGBA image of ``width`` by ``height`` pixels."""
    from PIL import Image, ImageChops

    canvas = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    to_pixels = scale(width / vector.viewport[0], height / vector.viewport[1])
    for shape in vector.shapes:
        mask = _mask(shape.polygons, to_pixels, width, height, shape.even_odd)
        for clip in shape.clips:
            mask = ImageChops.multiply(mask, _mask(clip, to_pixels, width, height, False))
        a = (shape.argb >> 24) & 0xFF
        if a != 255 and shape.gradient is None:
            mask = mask.point(lambda v, a=a: v * a // 255)
        if shape.gradient is not None:
            layer = _gradient_image(shape.gradient, to_pixels, width, height)
            layer.putalpha(ImageChops.multiply(layer.getchannel("A"), mask))
        else:
            rgb = ((shape.argb >> 16) & 0xFF, (shape.argb >> 8) & 0xFF, shape.argb & 0xFF)
            layer = Image.new("RGBA", (width, height), (*rgb, 0))
            layer.putalpha(mask)
        canvas.alpha_composite(layer)
    if vector.tint is not None:
        t = vector.tint
        alpha = canvas.getchannel("A").point(lambda v: v * ((t >> 24) & 0xFF) // 255)
        canvas = Image.new(
            "RGBA", (width, height), ((t >> 16) & 0xFF, (t >> 8) & 0xFF, t & 0xFF, 0)
        )
        canvas.putalpha(alpha)
    if vector.alpha < 1.0:
        alpha = canvas.getchannel("A").point(lambda v: round(v * vector.alpha))
        canvas.putalpha(alpha)
    return canvas


def _gradient_image(gradient: Gradient, matrix: Matrix, width: int, height: int) -> Image.Image:
    """The gradient over the whole image: each pixel's place between start and end (0-255,
    clamped), then each channel looked up in a table made from the stops."""
    from PIL import Image

    (sx, sy), (ex, ey) = (
        (matrix[0] * x + matrix[4], matrix[3] * y + matrix[5])
        for x, y in (gradient.start, gradient.end)
    )
    dx, dy = ex - sx, ey - sy
    length = dx * dx + dy * dy or 1.0
    kx, ky = 255 * dx / length, 255 * dy / length
    k0 = -(sx - 0.5) * kx - (sy - 0.5) * ky  # sample at pixel centres
    place = bytes(
        min(255, max(0, round(k0 + kx * x + ky * y))) for y in range(height) for x in range(width)
    )
    ramp = Image.frombytes("L", (width, height), place)
    colours = [_at(gradient.stops, i / 255) for i in range(256)]
    channels = [ramp.point([(c >> shift) & 0xFF for c in colours]) for shift in (16, 8, 0, 24)]
    return Image.merge("RGBA", channels)


def _at(stops: tuple[tuple[float, int], ...], t: float) -> int:
    """The colour at ``t`` (0..1): the stops interpolated channel by channel."""
    if t <= stops[0][0]:
        return stops[0][1]
    for (o0, c0), (o1, c1) in itertools.pairwise(stops):
        if t <= o1:
            w = 0.0 if o1 == o0 else (t - o0) / (o1 - o0)
            return sum(
                round(((c0 >> s) & 0xFF) * (1 - w) + ((c1 >> s) & 0xFF) * w) << s
                for s in (24, 16, 8, 0)
            )
    return stops[-1][1]


def _mask(
    polygons: tuple[Polygon, ...], matrix: Matrix, width: int, height: int, even_odd: bool
) -> Image.Image:
    """The coverage of ``polygons`` (viewport units, ``matrix`` to pixels), computed over
    their bounding box only."""
    from PIL import Image

    moved = [
        [(matrix[0] * x + matrix[4], matrix[3] * y + matrix[5]) for x, y in p] for p in polygons
    ]
    mask = Image.new("L", (width, height), 0)
    points = [pt for p in moved for pt in p]
    if not points:
        return mask
    left = max(0, math.floor(min(x for x, _ in points)))
    top = max(0, math.floor(min(y for _, y in points)))
    right = min(width, math.ceil(max(x for x, _ in points)))
    bottom = min(height, math.ceil(max(y for _, y in points)))
    if right <= left or bottom <= top:
        return mask
    shifted = [[(x - left, y - top) for x, y in p] for p in moved]
    w, h = right - left, bottom - top
    mask.paste(
        Image.frombytes("L", (w, h), coverage(shifted, w, h, even_odd=even_odd)), (left, top)
    )
    return mask
