"""Android path data (``android:pathData``, SVG's path syntax) to polygons, and polygons to
an anti-aliased coverage mask, in pure Python.

``parse_path(text)`` reads the commands M/L/H/V/C/S/Q/T/A/Z in absolute and relative form
(numbers as Android's ``PathParser`` takes them: ``-.5.5`` is two numbers, a command letter
may be left out for repeated arguments, after M/m the extra pairs are line-tos, a letter
with no numbers is skipped; an arc's flags may be written ``1.0`` or, as SVG allows, run
together with what follows). ``flatten(commands, matrix)`` turns them
into closed polygons, curves and arcs cut into short line segments after the transform.
``coverage(polygons, width, height, even_odd=...)`` fills them with the non-zero (default)
or even-odd rule, sampled ``SUPERSAMPLE``² times per pixel, and returns one byte (0-255) per
pixel, row by row. Malformed path data raises ``PathDataError`` (a ``ValueError``).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

SUPERSAMPLE = 4  # samples per pixel edge
MAX_COMMANDS = 100_000  # path data longer than this is refused (real icons use hundreds)

Point = tuple[float, float]
Polygon = list[Point]
# an affine transform (a, b, c, d, e, f): x' = a*x + c*y + e, y' = b*x + d*y + f
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

_ARGS = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}
_TOKEN = re.compile(
    r"\s*,?\s*(?:([MmLlHhVvCcSsQqTtAaZz])|([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?))"
)
_FLAG = re.compile(r"\s*,?\s*([01])")


class PathDataError(ValueError):
    """Path data that cannot be read."""


@dataclass(frozen=True)
class Command:
    """One drawing command: its letter as written (lower case: relative) and arguments."""

    letter: str
    args: tuple[float, ...]


def parse_path(text: str) -> list[Command]:
    """The commands of ``text``, each with exactly its number of arguments. A command
    letter with no numbers after it draws nothing (Android's ``PathParser`` skips it)."""
    out: list[Command] = []
    at, end = 0, len(text.rstrip())
    letter: str | None = None
    while at < end:
        match = _TOKEN.match(text, at)
        if match is None:
            raise PathDataError(f"path data: cannot read {text[at : at + 20]!r} at {at}")
        if match.group(1):
            letter, at = match.group(1), match.end()
            if letter in "Zz":
                out.append(Command(letter, ()))
                continue
            following = _TOKEN.match(text, at)
            if at >= end or following is None or following.group(1):
                continue  # a command without arguments
        elif letter is None or letter in "Zz":
            raise PathDataError(f"path data: a number at {at} without a command before it")
        args, at = _arguments(text, at, letter)
        out.append(Command(letter, args))
        if letter == "M":
            letter = "L"  # further pairs after a move are lines
        elif letter == "m":
            letter = "l"
        if len(out) > MAX_COMMANDS:
            raise PathDataError(f"path data: more than {MAX_COMMANDS} commands")
    return out


def _arguments(text: str, at: int, letter: str) -> tuple[tuple[float, ...], int]:
    count = _ARGS[letter.upper()]
    args: list[float] = []
    for i in range(count):
        match = _TOKEN.match(text, at)
        if match is None or match.group(2) is None:
            raise PathDataError(f"path data: {letter} needs {count} numbers (at {at})")
        value = float(match.group(2))
        if letter in "Aa" and i in (3, 4) and value not in (0.0, 1.0):
            # a large-arc or sweep flag run together with what follows ("a5 5 0 1110 0")
            flag = _FLAG.match(text, at)
            if flag is None:
                raise PathDataError(f"path data: an arc flag (0 or 1) expected at {at}")
            args.append(float(flag.group(1)))
            at = flag.end()
            continue
        args.append(value)
        at = match.end()
    return tuple(args), at


# ------------------------------------------------------------------------------- transforms


def multiply(outer: Matrix, inner: Matrix) -> Matrix:
    """The transform that applies ``inner`` first, then ``outer``."""
    a1, b1, c1, d1, e1, f1 = outer
    a2, b2, c2, d2, e2, f2 = inner
    return (
        a1 * a2 + c1 * b2,
        b1 * a2 + d1 * b2,
        a1 * c2 + c1 * d2,
        b1 * c2 + d1 * d2,
        a1 * e2 + c1 * f2 + e1,
        b1 * e2 + d1 * f2 + f1,
    )


def translate(x: float, y: float) -> Matrix:
    return (1.0, 0.0, 0.0, 1.0, x, y)


def scale(x: float, y: float) -> Matrix:
    return (x, 0.0, 0.0, y, 0.0, 0.0)


def rotate(degrees: float) -> Matrix:
    r = math.radians(degrees)
    return (math.cos(r), math.sin(r), -math.sin(r), math.cos(r), 0.0, 0.0)


def _apply(m: Matrix, x: float, y: float) -> Point:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def transform_points(points: Sequence[Point], matrix: Matrix) -> list[Point]:
    """``points`` transformed by ``matrix``."""
    return [_apply(matrix, x, y) for x, y in points]


# ------------------------------------------------------------------------------- flattening


def flatten(
    commands: Sequence[Command], matrix: Matrix = IDENTITY, *, closed: bool = True
) -> list[Polygon]:
    """The subpaths of ``commands`` as point lists, transformed by ``matrix``: polygons to
    fill (an open subpath is closed, as filling does), or with ``closed=False`` the lines
    to stroke (a subpath ended by Z returns to its start)."""
    unit = math.sqrt(abs(matrix[0] * matrix[3] - matrix[1] * matrix[2])) or 1.0
    flat = _Flattener(matrix, unit)
    for command in commands:
        flat.command(command)
    flat.finish()
    return [p for p in flat.polygons if len(p) >= (3 if closed else 2)]


class _Flattener:
    def __init__(self, matrix: Matrix, unit: float) -> None:
        self.matrix, self.unit = matrix, unit
        self.polygons: list[Polygon] = []
        self.current: Polygon = []
        self.x = self.y = self.start_x = self.start_y = 0.0
        self.control: Point | None = None  # the last cubic's or quad's second control point
        self.quad = False

    def point(self, x: float, y: float) -> None:
        self.current.append(_apply(self.matrix, x, y))
        self.x, self.y = x, y

    def finish(self) -> None:
        if self.current:
            self.polygons.append(self.current)
        self.current = []

    def steps(self, *points: Point) -> int:
        """How many segments a curve through ``points`` (path units) needs to look smooth."""
        length = sum(math.dist(a, b) for a, b in itertools.pairwise(points))
        return max(2, min(64, int(length * self.unit / 3) + 2))

    def command(self, command: Command) -> None:
        letter, a = command.letter, command.args
        relative = letter.islower()
        ox, oy = (self.x, self.y) if relative else (0.0, 0.0)
        kind = letter.upper()
        smooth_control, smooth_quad = self.control, self.quad
        self.control, self.quad = None, False
        if kind == "M":
            self.finish()
            self.point(ox + a[0], oy + a[1])
            self.start_x, self.start_y = self.x, self.y
        elif kind == "Z":
            if self.current:
                self.point(self.start_x, self.start_y)
            self.finish()
            self.x, self.y = self.start_x, self.start_y
        elif kind == "L":
            self._line(ox + a[0], oy + a[1])
        elif kind == "H":
            self._line(ox + a[0], self.y)
        elif kind == "V":
            self._line(self.x, oy + a[0])
        elif kind in "CS":
            if kind == "C":
                c1 = (ox + a[0], oy + a[1])
                c2, end = (ox + a[2], oy + a[3]), (ox + a[4], oy + a[5])
            else:
                c1 = self._reflect(smooth_control if not smooth_quad else None)
                c2, end = (ox + a[0], oy + a[1]), (ox + a[2], oy + a[3])
            self._cubic(c1, c2, end)
            self.control = c2
        elif kind in "QT":
            if kind == "Q":
                c, end = (ox + a[0], oy + a[1]), (ox + a[2], oy + a[3])
            else:
                c, end = (
                    self._reflect(smooth_control if smooth_quad else None),
                    (ox + a[0], oy + a[1]),
                )
            self._quad(c, end)
            self.control, self.quad = c, True
        elif kind == "A":
            self._arc(a[0], a[1], a[2], bool(a[3]), bool(a[4]), ox + a[5], oy + a[6])

    def _line(self, x: float, y: float) -> None:
        if not self.current:
            self.point(self.x, self.y)
            self.start_x, self.start_y = self.x, self.y
        self.point(x, y)

    def _reflect(self, control: Point | None) -> Point:
        if control is None:
            return (self.x, self.y)
        return (2 * self.x - control[0], 2 * self.y - control[1])

    def _cubic(self, c1: Point, c2: Point, end: Point) -> None:
        x0, y0 = self.x, self.y
        if not self.current:
            self._line(x0, y0)
        n = self.steps((x0, y0), c1, c2, end)
        for i in range(1, n + 1):
            t = i / n
            u = 1 - t
            w0, w1, w2, w3 = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
            self.point(
                w0 * x0 + w1 * c1[0] + w2 * c2[0] + w3 * end[0],
                w0 * y0 + w1 * c1[1] + w2 * c2[1] + w3 * end[1],
            )

    def _quad(self, c: Point, end: Point) -> None:
        x0, y0 = self.x, self.y
        if not self.current:
            self._line(x0, y0)
        n = self.steps((x0, y0), c, end)
        for i in range(1, n + 1):
            t = i / n
            u = 1 - t
            self.point(
                u * u * x0 + 2 * u * t * c[0] + t * t * end[0],
                u * u * y0 + 2 * u * t * c[1] + t * t * end[1],
            )

    def _arc(
        self, rx: float, ry: float, angle: float, large: bool, sweep: bool, x: float, y: float
    ) -> None:
        """SVG's endpoint arc (implementation notes F.6.5/F.6.6 of SVG 1.1)."""
        x0, y0 = self.x, self.y
        if not self.current:
            self._line(x0, y0)
        rx, ry = abs(rx), abs(ry)
        if rx == 0 or ry == 0 or (x0, y0) == (x, y):
            self.point(x, y)
            return
        phi = math.radians(angle)
        cos, sin = math.cos(phi), math.sin(phi)
        dx, dy = (x0 - x) / 2, (y0 - y) / 2
        x1, y1 = cos * dx + sin * dy, -sin * dx + cos * dy
        grow = x1 * x1 / (rx * rx) + y1 * y1 / (ry * ry)
        if grow > 1:
            rx, ry = rx * math.sqrt(grow), ry * math.sqrt(grow)
        num = rx * rx * ry * ry - rx * rx * y1 * y1 - ry * ry * x1 * x1
        den = rx * rx * y1 * y1 + ry * ry * x1 * x1
        k = math.sqrt(max(0.0, num / den)) if den else 0.0
        if large == sweep:
            k = -k
        cx1, cy1 = k * rx * y1 / ry, -k * ry * x1 / rx
        cx = cos * cx1 - sin * cy1 + (x0 + x) / 2
        cy = sin * cx1 + cos * cy1 + (y0 + y) / 2
        start = math.atan2((y1 - cy1) / ry, (x1 - cx1) / rx)
        end = math.atan2((-y1 - cy1) / ry, (-x1 - cx1) / rx)
        delta = end - start
        if sweep and delta < 0:
            delta += 2 * math.pi
        elif not sweep and delta > 0:
            delta -= 2 * math.pi
        n = max(2, min(128, int(abs(delta) * max(rx, ry) * self.unit / 3) + 2))
        for i in range(1, n + 1):
            t = start + delta * i / n
            ex, ey = rx * math.cos(t), ry * math.sin(t)
            self.point(cos * ex - sin * ey + cx, sin * ex + cos * ey + cy)
        self.x, self.y = x, y


# ------------------------------------------------------------------------------- filling


def coverage(
    polygons: Sequence[Polygon], width: int, height: int, *, even_odd: bool = False
) -> bytes:
    """One byte per pixel (row-major, ``width`` by ``height``): how much of the pixel the
    polygons cover under the fill rule, from ``SUPERSAMPLE``² samples."""
    ss = SUPERSAMPLE
    counts = [0] * (width * height)
    for row, spans in _spans(polygons, width * ss, height * ss, even_odd):
        base = (row // ss) * width
        for x0, x1 in spans:
            _add_span(counts, base, x0, x1, ss)
    full = ss * ss
    return bytes(min(255, (c * 255 + full // 2) // full) for c in counts)


def _add_span(counts: list[int], base: int, x0: int, x1: int, ss: int) -> None:
    """Add the samples x0..x1-1 of one sample row to the pixels they fall in."""
    first, last = x0 // ss, (x1 - 1) // ss
    if first == last:
        counts[base + first] += x1 - x0
        return
    counts[base + first] += ss - x0 % ss
    for px in range(first + 1, last):
        counts[base + px] += ss
    counts[base + last] += x1 - last * ss


def _spans(
    polygons: Sequence[Polygon], width: int, height: int, even_odd: bool
) -> Iterator[tuple[int, list[tuple[int, int]]]]:
    """Per sample row (sampled at its centre) the filled [x0, x1) runs of samples."""
    ss = SUPERSAMPLE
    edges: list[tuple[float, float, float, float, int]] = []  # ymin, ymax, x at ymin, dx/dy, dir
    for polygon in polygons:
        for (xa, ya), (xb, yb) in zip(polygon, [*polygon[1:], polygon[0]], strict=True):
            ya, yb, xa, xb = ya * ss, yb * ss, xa * ss, xb * ss
            if ya == yb:
                continue
            direction = 1 if yb > ya else -1
            if ya > yb:
                xa, ya, xb, yb = xb, yb, xa, ya
            edges.append((ya, yb, xa, (xb - xa) / (yb - ya), direction))
    edges.sort(key=lambda e: e[0])
    active: list[tuple[float, float, float, float, int]] = []
    at = 0
    first_row = max(0, int(edges[0][0]) - 1) if edges else height
    for row in range(first_row, height):
        y = row + 0.5
        while at < len(edges) and edges[at][0] <= y:
            active.append(edges[at])
            at += 1
        active = [e for e in active if e[1] > y]
        if not active:
            if at >= len(edges):
                return
            continue
        crossings = sorted((e[2] + (y - e[0]) * e[3], e[4]) for e in active if e[0] <= y)
        spans: list[tuple[int, int]] = []
        winding = 0
        for i, (x, direction) in enumerate(crossings[:-1]):
            winding += direction
            inside = (winding % 2 == 1) if even_odd else winding != 0
            if not inside:
                continue
            x0 = max(0, math.ceil(x - 0.5))
            x1 = min(width, math.ceil(crossings[i + 1][0] - 0.5))
            if x1 > x0:
                spans.append((x0, x1))
        if spans:
            yield row, spans
