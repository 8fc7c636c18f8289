"""An app's face: its label and launcher icon, read from the APK without aapt.

``app_face(apk)`` resolves ``<application android:label>`` through the default
configuration of ``resources.arsc`` (``arsc_values``), and ``android:roundIcon`` /
``android:icon`` through every configuration that differs from the default at most in
density and SDK version (``ResourceTable.variants``), references followed, as a phone of
today (Android 8 or later, xxxhdpi) would pick among them:

1. an XML drawable in an ``anydpi`` configuration (``mipmap-anydpi-v26``): an
   ``<adaptive-icon>`` is composed (``apk.adaptive_icon``: each layer resolved to a colour,
   the best-density bitmap, or a vector drawn by ``apk.vector_drawable``; the foreground
   over the background, masked to the visible 72dp), a ``<vector>`` is drawn; either gives
   a PNG of ``size`` pixels;
2. else, or if that XML cannot be drawn, the raster file (PNG, WebP, JPEG) of the highest
   density (``nodpi`` counts as the highest), kept as it is in the APK;
3. else no icon (``None``): the launcher's letter avatar is the fallback.

``round_icon`` is preferred when it gives an icon. Nothing here raises: a face is a nicety,
and a malformed table, file or drawable only loses what it hides.
"""

from __future__ import annotations

import dataclasses
import struct
from collections.abc import Iterator
from dataclasses import dataclass

from apk.adaptive_icon import DEFAULT_SIZE, IconShape, Layer, compose
from apk.android_attrs import LABEL
from apk.arsc import ArscFormatError
from apk.arsc_values import (
    MAX_REFERENCE_DEPTH,
    TYPE_REFERENCE,
    TYPE_STRING,
    ResourceTable,
    ResourceValue,
    resolve_string,
    resolve_value,
)
from apk.axml import ResValue
from apk.axml.document import parse as parse_axml
from apk.res_tree import XmlNode, color, number, xml_tree
from apk.source import SourceApk
from apk.vector_drawable import Gradient, Resources, read_vector
from apk.zip_read import ZipFormatError

ICON = 0x01010002
ROUND_ICON = 0x0101052C
DRAWABLE = 0x01010199  # android:drawable (adaptive-icon layers, inset, bitmap's parent)
SRC = 0x01010119  # android:src (<bitmap>)
COLOR = 0x010101A5  # android:color (<color>, <solid>, a colour-state-list <item>)
INSET = 0x010104B5  # android:inset (<inset>)
START_COLOR, CENTER_COLOR, END_COLOR = 0x0101019D, 0x0101019F, 0x0101019E
GRADIENT_TYPE = 0x010101A1  # android:type of <gradient>: 0 linear, 1 radial, 2 sweep
START_X, START_Y, END_X, END_Y, OFFSET = range(0x01010510, 0x01010515)
ANY_DPI = 0xFFFE
NO_DPI = 0xFFFF
ICON_LIMIT = 4 * 1024 * 1024  # bytes of one icon file
MAX_NESTING = 8  # drawables inside drawables (a bitmap's src, an inset's drawable)
_RASTER = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg"}
_DRAW_ERRORS = (ValueError, OSError, KeyError, IndexError, struct.error, ArithmeticError)


@dataclass(frozen=True)
class AppIcon:
    """One icon: the file it is (a raster) or was drawn from (XML), its density (dpi;
    ``NO_DPI`` for nodpi, ``ANY_DPI`` for a drawn one), its bytes, their format, and the
    files a drawn icon's layers came from (bitmaps and vectors, background first)."""

    path: str
    density: int
    data: bytes
    ext: str  # png, webp or jpg
    layers: tuple[str, ...] = ()

    @property
    def drawn(self) -> bool:
        """True if composed or drawn here from XML (not a file of the APK as it is)."""
        return self.density == ANY_DPI


@dataclass(frozen=True)
class AppFace:
    """What a launcher shows for an app: its label (None if unresolved) and icon."""

    package: str
    label: str | None
    icon: AppIcon | None


def app_face(
    apk: SourceApk, *, size: int = DEFAULT_SIZE, shape: IconShape = IconShape.CIRCLE
) -> AppFace:
    """The label and icon of ``apk`` (a base APK); a drawn icon is ``size`` pixels square,
    masked to ``shape``. Malformed resources give ``None`` for what they hide, never an
    error."""
    label = icon = None
    try:
        table = apk.resources()
    except (ArscFormatError, ValueError):
        table = None
    root = _application_attrs(apk.manifest)
    raw_label = root.get(LABEL)
    if raw_label is not None:
        kind, value = raw_label
        if kind == TYPE_STRING:
            label = str(value)
        elif kind == TYPE_REFERENCE and table is not None:
            try:
                label = resolve_string([table], int(value))
            except ArscFormatError:
                label = None
    if table is not None:
        for attr in (ROUND_ICON, ICON):
            ref = root.get(attr)
            if ref is not None and ref[0] == TYPE_REFERENCE:
                icon = best_icon(apk, table, int(ref[1]), size=size, shape=shape)
                if icon is not None:
                    break
    return AppFace(apk.package, label or None, icon)


def best_icon(
    apk: SourceApk,
    table: ResourceTable,
    res_id: int,
    *,
    size: int = DEFAULT_SIZE,
    shape: IconShape = IconShape.CIRCLE,
) -> AppIcon | None:
    """What ``res_id`` shows on a launcher: a drawn adaptive icon or vector, else the
    highest-density raster file; None if neither."""
    try:
        candidates = _ordered(icon_files(table, res_id))
    except ArscFormatError:
        return None
    for density, path in candidates:
        data = _read(apk, path)
        if data is None:
            continue
        ext = image_kind(data)
        if ext is not None:
            return AppIcon(path, density, data, ext)
        drawn = _drawn(ApkResources(apk, table), path, data, size, shape)
        if drawn is not None:
            return drawn
    return None


def image_kind(data: bytes) -> str | None:
    """``png``, ``webp`` or ``jpg`` from the file's magic bytes; None for anything else."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return next((kind for magic, kind in _RASTER.items() if data.startswith(magic)), None)


def icon_files(table: ResourceTable, res_id: int, depth: int = 0) -> Iterator[tuple[int, str]]:
    """(density, file path) for every density variant of ``res_id``, references followed
    (``depth`` references have been followed already)."""
    for density, value in _values(table, res_id, depth):
        if value.data_type == TYPE_STRING:
            yield density, table.string(value.data)


def _values(
    table: ResourceTable, res_id: int, depth: int = 0
) -> Iterator[tuple[int, ResourceValue]]:
    """(density, value) of each density variant of ``res_id``, references followed (a
    reference's own density wins over the one it leads to, unless it has none)."""
    if depth > MAX_REFERENCE_DEPTH:
        raise ArscFormatError(f"resources.arsc: references from {res_id:#010x} loop")
    for variant in table.variants(res_id):
        value = variant.entry.value
        if not variant.density_only or value is None:
            continue
        if value.data_type == TYPE_REFERENCE:
            if value.data:
                for inner, found in _values(table, value.data, depth + 1):
                    yield (inner if variant.density == 0 else variant.density), found
        else:
            yield variant.density, value


def _rank(density: int) -> int:
    """Higher is picked first: anydpi (an XML drawable, for any screen), nodpi, then the
    densest; the default configuration is mdpi."""
    if density == ANY_DPI:
        return 200_000
    if density == NO_DPI:
        return 100_000
    return density or 160


def _ordered(found: Iterator[tuple[int, str]]) -> list[tuple[int, str]]:
    return sorted(dict.fromkeys(found), key=lambda c: -_rank(c[0]))


def _read(apk: SourceApk, path: str) -> bytes | None:
    try:
        return apk.archive.read(path, ICON_LIMIT)
    except (ZipFormatError, KeyError, ValueError):
        return None


# ---------------------------------------------------------------------------------- drawing


def _drawn(
    res: ApkResources, path: str, data: bytes, size: int, shape: IconShape
) -> AppIcon | None:
    """The icon the XML drawable ``path`` draws (an adaptive icon or a vector), or None."""
    try:
        root = xml_tree(data)
        if root.tag == "adaptive-icon":
            background = res.layer(root.find("background"))
            foreground = res.layer(root.find("foreground"))
            if foreground is None and background is None:
                return None
            png = compose(background, foreground, size, shape)
            layers: tuple[Layer | None, ...] = (background, foreground)
        else:
            layer = res.node_layer(root, path, 0)
            if layer is None or layer.vector is None:
                return None
            png = _draw_single(layer, size)
            layers = (layer,)
    except _DRAW_ERRORS:
        return None
    sources = tuple(s for layer in layers if layer is not None and (s := layer.source))
    return AppIcon(path, ANY_DPI, png, "png", sources)


def _draw_single(layer: Layer, size: int) -> bytes:
    import io

    from apk.adaptive_icon import draw_layer

    out = io.BytesIO()
    draw_layer(layer, size).save(out, "PNG", optimize=True)
    return out.getvalue()


class ApkResources(Resources):
    """Drawables, colours and numbers of one APK, resolved as a phone of today would."""

    def __init__(self, apk: SourceApk, table: ResourceTable) -> None:
        self.apk, self.table = apk, table

    # what a vector asks for
    def color(self, res_id: int) -> int | None:
        return self._color(res_id, 0)

    def _color(self, res_id: int, depth: int) -> int | None:
        """The colour ``res_id`` names; ``depth`` colour files lead to it (one that names
        itself, or a longer loop, gives None after ``MAX_NESTING``)."""
        value = self._value(res_id)
        if value is None:
            return None
        if value.data_type == TYPE_STRING:  # res/color/x.xml: a selector or a gradient
            data = _read(self.apk, self.table.string(value.data))
            return None if data is None else self._color_file(xml_tree(data), depth)
        return color(value)

    def number(self, res_id: int) -> float | None:
        value = self._value(res_id)
        return None if value is None else number(value)

    def _value(self, res_id: int) -> ResourceValue | None:
        """The default configuration's value, else that of a configuration that varies only
        in density and SDK version (aapt2 puts a gradient it extracts from a vector under
        the vector's own -v24), densest first."""
        found = resolve_value([self.table], res_id)
        if found is not None:
            return found
        ranked = sorted(dict.fromkeys(_values(self.table, res_id)), key=lambda c: -_rank(c[0]))
        return ranked[0][1] if ranked else None

    def text(self, res_id: int) -> str | None:
        return resolve_string([self.table], res_id)

    def gradient(self, res_id: int) -> Gradient | None:
        value = self._value(res_id)
        if value is None or value.data_type != TYPE_STRING:
            return None
        data = _read(self.apk, self.table.string(value.data))
        root = None if data is None else xml_tree(data)
        if root is None or root.tag != "gradient":
            return None
        kind = root.attrs.get(GRADIENT_TYPE)
        if kind is not None and kind.data != 0:
            return None  # radial or sweep: drawn in the average colour
        ends = [
            number(root.attrs[k]) if k in root.attrs else None
            for k in (START_X, START_Y, END_X, END_Y)
        ]
        stops = self._stops(root)
        if None in ends or len(stops) < 2:
            return None
        sx, sy, ex, ey = (float(e or 0.0) for e in ends)
        return Gradient((sx, sy), (ex, ey), stops)

    def _stops(self, root: XmlNode) -> tuple[tuple[float, int], ...]:
        stops: list[tuple[float, int]] = []
        for item in root.children:
            if item.tag == "item" and COLOR in item.attrs and OFFSET in item.attrs:
                argb, offset = self._value_color(item.attrs[COLOR]), number(item.attrs[OFFSET])
                if argb is not None and offset is not None:
                    stops.append((offset, argb))
        if not stops:
            for offset, attr in ((0.0, START_COLOR), (0.5, CENTER_COLOR), (1.0, END_COLOR)):
                argb = self._value_color(root.attrs[attr]) if attr in root.attrs else None
                if argb is not None:
                    stops.append((offset, argb))
        return tuple(sorted(stops))

    # an adaptive icon's layer
    def layer(self, node: XmlNode | None) -> Layer | None:
        """The layer a ``<background>``/``<foreground>`` element stands for: its
        ``android:drawable`` (a colour, or a drawable resource) or its child drawable.
        ``None`` for no element; ``ValueError`` for one that cannot be resolved."""
        if node is None:
            return None
        value = node.attrs.get(DRAWABLE)
        if value is not None:
            found = self.value_layer(value, 0)
        elif node.children:
            found = self.node_layer(node.children[0], None, 0)
        else:
            found = None
        if found is None:
            raise ValueError(f"adaptive icon: its <{node.tag}> names nothing drawable here")
        return found

    def value_layer(self, value: ResValue, depth: int) -> Layer | None:
        literal = color(value)
        if literal is not None:
            return Layer(argb=literal)
        if value.data_type == TYPE_REFERENCE and value.data:
            return self.resource_layer(value.data, depth)
        return None

    def resource_layer(self, res_id: int, depth: int) -> Layer | None:
        """The best variant of drawable ``res_id`` that can be drawn: an XML drawable in
        anydpi, else the densest bitmap, a colour value as a fill; others are skipped."""
        if depth > MAX_NESTING:
            raise ValueError(f"drawables nest more than {MAX_NESTING} deep")
        found = sorted(dict.fromkeys(_values(self.table, res_id)), key=lambda c: -_rank(c[0]))
        for _, value in found:
            if value.data_type != TYPE_STRING:
                literal = color(value)
                if literal is not None:
                    return Layer(argb=literal)
                continue
            path = self.table.string(value.data)
            data = _read(self.apk, path)
            if data is None:
                continue
            if image_kind(data) is not None:
                return Layer(bitmap=data, source=path)
            try:
                layer = self.node_layer(xml_tree(data), path, depth + 1)
            except _DRAW_ERRORS:
                layer = None
            if layer is not None:
                return layer
        return None

    def node_layer(self, node: XmlNode, path: str | None, depth: int) -> Layer | None:
        """A drawable element as a layer: vector, color, shape (its solid colour), bitmap
        (its src), inset (its drawable, shrunk); None for kinds not drawn here."""
        if node.tag == "vector":
            return Layer(vector=read_vector(node, self), source=path)
        if node.tag == "color":
            value = node.attrs.get(COLOR)
            argb = None if value is None else self._value_color(value)
            return None if argb is None else Layer(argb=argb, source=path)
        if node.tag == "shape":
            solid = node.find("solid")
            value = None if solid is None else solid.attrs.get(COLOR)
            argb = None if value is None else self._value_color(value)
            return None if argb is None else Layer(argb=argb, source=path)
        if node.tag == "bitmap" and SRC in node.attrs:
            return self.value_layer(node.attrs[SRC], depth + 1)
        if node.tag == "inset":
            inner = node.attrs.get(DRAWABLE)
            found = (
                self.value_layer(inner, depth + 1)
                if inner is not None
                else self.node_layer(node.children[0], path, depth + 1)
                if node.children
                else None
            )
            fraction = number(node.attrs[INSET]) if INSET in node.attrs else 0.0
            if found is None or fraction is None or not 0 <= fraction < 0.5:
                return None
            return dataclasses.replace(found, inset=fraction)
        return None

    def _value_color(self, value: ResValue, depth: int = 0) -> int | None:
        literal = color(value)
        if literal is not None:
            return literal
        if value.data_type == TYPE_REFERENCE and value.data:
            return self._color(value.data, depth + 1)
        return None

    def _color_file(self, root: XmlNode, depth: int) -> int | None:
        """A colour-state list's default colour (its first item without states; the last
        item otherwise), or a gradient's colours averaged."""
        if depth > MAX_NESTING:
            return None
        if root.tag == "selector":
            items = [i for i in root.children if i.tag == "item" and COLOR in i.attrs]
            plain = [i for i in items if all(k in (COLOR, 0x0101031F) for k in i.attrs)]
            if not items:
                return None
            chosen = (plain or items[-1:])[0]
            argb = self._value_color(chosen.attrs[COLOR], depth)
            if argb is not None and 0x0101031F in chosen.attrs:  # android:alpha
                alpha = number(chosen.attrs[0x0101031F])
                if alpha is not None:
                    a = round(((argb >> 24) & 255) * min(1.0, max(0.0, alpha)))
                    argb = (a << 24) | (argb & 0xFFFFFF)
            return argb
        if root.tag == "gradient":
            stops = [
                c
                for c in (
                    *(root.attrs.get(k) for k in (START_COLOR, CENTER_COLOR, END_COLOR)),
                    *(i.attrs.get(COLOR) for i in root.children if i.tag == "item"),
                )
                if c is not None
            ]
            colors = [argb for s in stops if (argb := self._value_color(s, depth)) is not None]
            return _average(colors) if colors else None
        return None


def _average(colors: list[int]) -> int:
    """The mean of ARGB colours, each channel weighted by alpha (as mixing paint does)."""
    n = len(colors)
    alpha = sum((c >> 24) & 255 for c in colors)
    if alpha == 0:
        return 0
    channels = [
        sum(((c >> s) & 255) * ((c >> 24) & 255) for c in colors) // alpha for s in (16, 8, 0)
    ]
    return (round(alpha / n) << 24) | (channels[0] << 16) | (channels[1] << 8) | channels[2]


def _application_attrs(manifest: bytes) -> dict[int, tuple[int, int | str]]:
    """``<application>``'s attributes by resource id: (data type, data or literal text)."""
    try:
        doc = parse_axml(manifest)
    except ValueError:
        return {}
    for ref in doc.elements():
        if ref.tag != "application":
            continue
        found: dict[int, tuple[int, int | str]] = {}
        for attr in ref.element.attributes:
            rid = doc.attribute_id(attr)
            if rid is None:
                continue
            if attr.value.data_type == TYPE_STRING:
                found[rid] = (TYPE_STRING, doc.attribute_string(attr) or "")
            else:
                found[rid] = (attr.value.data_type, attr.value.data)
        return found
    return {}
