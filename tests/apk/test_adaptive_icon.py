"""Composing an adaptive icon: the layers' 108dp, the 72dp shown, the launcher's mask."""

from __future__ import annotations

import io
import math
import struct
import zlib

import pytest
from PIL import Image

from apk.adaptive_icon import IconShape, Layer, LayerError, compose, shape_mask
from apk.axml import build_document
from apk.res_tree import tree
from apk.vector_drawable import read_vector
from tests.apk import icon_factory as f


def picture(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png))


def test_masks_cover_what_their_shapes_cover() -> None:
    size = 200
    circle = sum(shape_mask(IconShape.CIRCLE, size)) / 255 / size**2
    assert circle == pytest.approx(math.pi / 4, abs=0.002)
    # AOSP's rounded square: corners of radius 8 (of 100) cut off, (4 - pi) * 8^2 / 100^2
    square = sum(shape_mask(IconShape.ROUNDED_SQUARE, size)) / 255 / size**2
    assert square == pytest.approx(1 - (4 - math.pi) * 64 / 10_000, abs=0.002)


def test_only_the_middle_72dp_of_a_layer_shows() -> None:
    """A foreground ring at the layer's edge (outside the middle 72dp) is cut away; a mark
    just inside the visible area stays."""
    edge = f.path("M0,0h108v108h-108zM9,9v90h90v-90z", f.rgb(0xFF0000))  # 0..9dp: outside
    mark = f.path("M50,20h8v8h-8z", f.rgb(0x0000FF))  # 20..28dp: 2..10dp into the visible
    vector = read_vector(tree(build_document(f.vector_element(edge, mark))))
    size = 144  # 2px per dp of the 72 shown
    image = picture(compose(Layer(argb=0xFF00FF00), Layer(vector=vector), size))
    assert image.size == (size, size)
    assert f.px(image, (72, 2)) == (0, 255, 0, 255)  # no red anywhere in view
    colours = image.getcolors(maxcolors=size * size) or []
    assert colours and all(isinstance(c, tuple) and c[0] == 0 for _, c in colours)
    assert f.px(image, (72, 10)) == (0, 0, 255, 255)  # (24 - 18) dp * 2


def test_a_translucent_foreground_over_a_colour() -> None:
    image = picture(compose(Layer(argb=0xFF0000FF), Layer(argb=0x80FF0000), 64))
    r, g, b, a = f.px(image, (32, 32))
    assert a == 255 and g == 0 and abs(r - 128) <= 1 and abs(b - 127) <= 1


def test_no_layers_is_a_transparent_icon() -> None:
    image = picture(compose(None, None, 32))
    assert image.getchannel("A").getextrema() == (0, 0)


def test_a_bitmap_that_is_not_an_image_is_a_layer_error() -> None:
    with pytest.raises(LayerError, match=r"fg\.png"):
        compose(None, Layer(bitmap=b"\x89PNG\r\n\x1a\nbroken", source="fg.png"), 32)


def test_a_bitmap_with_a_broken_chunk_is_a_layer_error() -> None:
    with pytest.raises(LayerError, match=r"fg\.png"):
        compose(None, Layer(bitmap=f.broken_chunk_png(), source="fg.png"), 32)


def test_a_bitmap_is_stretched_over_the_whole_layer() -> None:
    image = picture(compose(None, Layer(bitmap=f.png(0xFF00FF00, size=8)), 48))
    assert f.px(image, (24, 1)) == (0, 255, 0, 255)
    assert f.px(image, (0, 0))[3] == 0  # the circle's corner


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` and holds almost no pixel data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [3000, 20_000, 60_000])
def test_a_bitmap_claiming_a_huge_size_is_refused_before_decoding(side: int) -> None:
    with pytest.raises(LayerError, match="too big"):
        compose(None, Layer(bitmap=_png_header(side, side), source="huge.png"), 32)
