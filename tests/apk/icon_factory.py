"""Small APKs whose launcher icon is a raster, an adaptive icon or a vector, built here
(resources.arsc by ``arsc_factory``, compiled XML by ``apk.axml``, images by Pillow), for
each kind of layer and each way one can be broken."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from apk import android_attrs as attrs
from apk.axml import ResValue, XmlAttr, XmlElement, build_document
from tests.apk import arsc_factory as af
from tests.apk import factory

if TYPE_CHECKING:
    from PIL import Image

TYPES = ("drawable", "mipmap", "color", "string")  # type ids 1..4
ANYDPI, NODPI = 0xFFFE, 0xFFFF
ICON_ATTR = 0x01010002
ROUND_ICON_ATTR = 0x0101052C
DRAWABLE = 0x01010199
COLOR = 0x010101A5
TYPE_RGB8 = 0x1D
TYPE_ARGB8 = 0x1C
TYPE_FLOAT = 0x04
TYPE_DIMENSION = 0x05
TYPE_INT_DEC = 0x10


@dataclass(frozen=True)
class Var:
    """One configuration's value of a resource: a file, a colour or a reference."""

    density: int = 0
    sdk: int = 0
    file: tuple[str, bytes] | None = None
    color: int | None = None
    ref: int | None = None


@dataclass(frozen=True)
class Res:
    type: str
    name: str
    variants: tuple[Var, ...] = field(default=())


def res_id(resources: Sequence[Res], type_name: str, name: str) -> int:
    """The id ``icon_apk`` gives resource ``type_name/name``."""
    of_type = [r for r in resources if r.type == type_name]
    index = next(i for i, r in enumerate(of_type) if r.name == name)
    return 0x7F000000 | (TYPES.index(type_name) + 1) << 16 | index


def icon_apk(
    resources: Sequence[Res],
    icon: int | None,
    *,
    round_icon: int | None = None,
    extra: Sequence[tuple[str, bytes]] = (),
) -> bytes:
    """An APK with these resources (files stored in the zip) and ``android:icon``."""
    strings: list[str] = []
    types: list[af.ResType] = []
    files: list[tuple[str, bytes]] = list(extra)
    for type_name in TYPES:
        of_type = [r for r in resources if r.type == type_name]
        configs: dict[tuple[int, int], dict[int, af.Value]] = {}
        for index, res in enumerate(of_type):
            for var in res.variants:
                configs.setdefault((var.density, var.sdk), {})[index] = _value(res, var, strings)
                if var.file is not None:
                    files.append(var.file)
        types.append(
            af.ResType(
                type_name,
                max(1, len(of_type)),
                tuple(af.Config(e, density=d, sdk=s) for (d, s), e in configs.items()),
            )
        )
    table = af.table(strings or ["-"], types)
    app_attrs = [XmlAttr("label", "Icons", attrs.LABEL)]
    if icon is not None:
        app_attrs.append(XmlAttr("icon", ResValue(af.TYPE_REFERENCE, icon), ICON_ATTR))
    if round_icon is not None:
        app_attrs.append(
            XmlAttr("roundIcon", ResValue(af.TYPE_REFERENCE, round_icon), ROUND_ICON_ATTR)
        )
    root = XmlElement(
        "manifest",
        (XmlAttr("package", af.PACKAGE),),
        (XmlElement("application", tuple(app_attrs)),),
    )
    manifest = build_document(root).to_bytes()
    entries = [("resources.arsc", table, zipfile.ZIP_STORED)]
    entries += [(name, data, zipfile.ZIP_DEFLATED) for name, data in dict(files).items()]
    return factory.apk_bytes(manifest, *entries)


def _value(res: Res, var: Var, strings: list[str]) -> af.Value:
    if var.file is not None:
        if var.file[0] not in strings:
            strings.append(var.file[0])
        return af.text(res.name, strings.index(var.file[0]))
    if var.color is not None:
        return af.Value(res.name, TYPE_ARGB8, var.color)
    assert var.ref is not None
    return af.ref(res.name, var.ref)


# ------------------------------------------------------------------------------ file contents


def px(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    """The pixel at ``xy`` of an RGBA image, as a tuple."""
    found = image.getpixel(xy)
    assert isinstance(found, tuple), found
    return found


def png(argb: int, size: int = 64, ext: str = "PNG") -> bytes:
    """A solid image of ``argb`` (PNG, or ``ext`` WEBP / JPEG)."""
    from PIL import Image

    rgba = ((argb >> 16) & 255, (argb >> 8) & 255, argb & 255, argb >> 24)
    out = io.BytesIO()
    image = Image.new("RGBA", (size, size), rgba)
    if ext == "JPEG":
        image = image.convert("RGB")
    image.save(out, ext, **({"lossless": True} if ext == "WEBP" else {}))
    return out.getvalue()


def broken_chunk_png(size: int = 8) -> bytes:
    """A PNG whose pixels run on into a second chunk with a name that is not a chunk name:
    Pillow's PNG reader raises ``SyntaxError`` for it while decoding, not ``OSError``."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x12\x34\x56\xff" * size for _ in range(size)))
    half = len(pixels) // 2
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", ihdr),
            chunk(b"IDAT", pixels[:half]),
            chunk(b"ID\x13T", pixels[half:]),
            chunk(b"IEND", b""),
        )
    )


def adaptive(
    background: ResValue | XmlElement | None,
    foreground: ResValue | XmlElement | None,
    monochrome: ResValue | None = None,
) -> bytes:
    """``<adaptive-icon>`` with layers naming a resource / colour, or holding a child."""
    children = []
    for tag, layer in (
        ("background", background),
        ("foreground", foreground),
        ("monochrome", monochrome),
    ):
        if isinstance(layer, XmlElement):
            children.append(XmlElement(tag, (), (layer,)))
        elif layer is not None:
            children.append(XmlElement(tag, (XmlAttr("drawable", layer, DRAWABLE),)))
    return build_document(XmlElement("adaptive-icon", (), tuple(children))).to_bytes()


def ref(res: int) -> ResValue:
    return ResValue(af.TYPE_REFERENCE, res)


def rgb(argb: int) -> ResValue:
    return ResValue(TYPE_RGB8, argb | 0xFF000000)


def f32(value: float) -> ResValue:
    import struct

    return ResValue(TYPE_FLOAT, struct.unpack("<I", struct.pack("<f", value))[0])


def path(data: str, fill: ResValue | None = None, **more: ResValue) -> XmlElement:
    ids = {
        "fillAlpha": 0x010104CC,
        "fillType": 0x0101051E,
        "strokeColor": 0x01010406,
        "strokeWidth": 0x01010407,
    }
    items = [XmlAttr("pathData", data, 0x01010405)]
    if fill is not None:
        items.append(XmlAttr("fillColor", fill, 0x01010404))
    items += [XmlAttr(k, v, ids[k]) for k, v in more.items()]
    return XmlElement("path", tuple(items))


def group(*children: XmlElement, **transform: float) -> XmlElement:
    ids = {
        "rotation": 0x01010326,
        "pivotX": 0x010101B5,
        "pivotY": 0x010101B6,
        "scaleX": 0x01010324,
        "scaleY": 0x01010325,
        "translateX": 0x0101045A,
        "translateY": 0x0101045B,
    }
    items = tuple(XmlAttr(k, f32(v), ids[k]) for k, v in transform.items())
    return XmlElement("group", items, children)


def vector_element(*children: XmlElement, viewport: float = 108, **more: ResValue) -> XmlElement:
    ids = {"alpha": 0x0101031F, "tint": 0x01010121}
    items = [
        XmlAttr("height", ResValue(TYPE_DIMENSION, (108 << 8) | 1), 0x01010155),
        XmlAttr("width", ResValue(TYPE_DIMENSION, (108 << 8) | 1), 0x01010159),
        XmlAttr("viewportWidth", f32(viewport), 0x01010402),
        XmlAttr("viewportHeight", f32(viewport), 0x01010403),
    ]
    items += [XmlAttr(k, v, ids[k]) for k, v in more.items()]
    return XmlElement("vector", tuple(items), children)


def vector(*children: XmlElement, viewport: float = 108, **more: ResValue) -> bytes:
    return build_document(vector_element(*children, viewport=viewport, **more)).to_bytes()
