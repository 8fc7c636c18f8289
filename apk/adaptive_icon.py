"""Adaptive icons (``<adaptive-icon>``, Android 8+) composed into one picture, as a launcher
shows them.

An adaptive icon has a background and a foreground layer, each 108dp square; the launcher
draws the foreground over the background and shows the middle 72dp through a mask of its
own shape (AOSP ``AdaptiveIconDrawable``: the layers extend by a quarter of the mask's size
on every side, ``EXTRA_INSET_PERCENTAGE``; the mask is a path in a 100x100 box,
``config_icon_mask``). ``compose(background, foreground, size, shape)`` does that with
layers already resolved to a ``Layer`` (a colour, a bitmap file's bytes, or a drawn
vector), and returns the icon as PNG bytes, ``size`` pixels square (the 72dp visible area).

``IconShape`` holds two masks: a circle (Pixel launchers; the path LineageOS ships) and
AOSP's default rounded square. The monochrome layer (themed icons, Android 13) is not
drawn: a launcher shows it only in place of the other two. Pillow does the decoding
(PNG, WebP, JPEG), scaling and compositing; it is imported when composing.
"""

from __future__ import annotations

import enum
import io
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from apk.path_data import coverage, flatten, parse_path, scale
from apk.vector_drawable import Vector, draw_vector

if TYPE_CHECKING:
    from PIL import Image

LAYER_DP = 108  # an adaptive icon layer's size
VISIBLE_DP = 72  # what the mask shows of it
DEFAULT_SIZE = 192  # pixels of the composed icon: 48dp at xxxhdpi, as launchers draw it
MAX_PIXELS = 2048 * 2048  # a layer bitmap bigger than this is refused, not decoded


class IconShape(enum.Enum):
    """A launcher's icon mask: a path in a 100x100 box."""

    CIRCLE = "M50 0A50 50,0,1,1,50 100A50 50,0,1,1,50 0"
    ROUNDED_SQUARE = (
        "M50,0L92,0C96.42,0 100,4.58 100,8L100,92C100,96.42 96.42,100 92,100L8,100"
        "C4.58,100 0,96.42 0,92L0,8C0,4.42 4.42,0 8,0L50,0Z"
    )


@dataclass(frozen=True)
class Layer:
    """One layer: exactly one of ``argb`` (a colour fill), ``bitmap`` (an image file's
    bytes) and ``vector``; ``source`` is the APK file it came from (None for a colour
    value)."""

    argb: int | None = None
    bitmap: bytes | None = None
    vector: Vector | None = None
    source: str | None = None
    inset: float = 0.0  # an <inset> around it: this fraction of the size on each side


class LayerError(ValueError):
    """A layer that cannot be drawn (an image Pillow cannot decode)."""


def compose(
    background: Layer | None,
    foreground: Layer | None,
    size: int = DEFAULT_SIZE,
    shape: IconShape = IconShape.CIRCLE,
) -> bytes:
    """The icon as a PNG of ``size`` x ``size``: the layers (each drawn at 108dp, here
    ``size * 1.5`` pixels) stacked, cut to the middle 72dp and masked by ``shape``."""
    from PIL import Image

    full = round(size * LAYER_DP / VISIBLE_DP)
    canvas = Image.new("RGBA", (full, full), (0, 0, 0, 0))
    for layer in (background, foreground):
        if layer is not None:
            canvas.alpha_composite(draw_layer(layer, full))
    inset = (full - size) // 2
    visible = canvas.crop((inset, inset, inset + size, inset + size))
    mask = Image.frombytes("L", (size, size), shape_mask(shape, size))
    alpha = visible.getchannel("A")
    from PIL import ImageChops

    visible.putalpha(ImageChops.multiply(alpha, mask))
    out = io.BytesIO()
    visible.save(out, "PNG", optimize=True)
    return out.getvalue()


def draw_layer(layer: Layer, full: int) -> Image.Image:
    """One layer as an RGBA image ``full`` pixels square (bitmaps are scaled to fill it, as
    a layer's drawable gets the layer's bounds; an inset one fills the middle)."""
    from PIL import Image

    if layer.inset:
        margin = round(full * layer.inset)
        inner = _draw(layer, full - 2 * margin)
        canvas = Image.new("RGBA", (full, full), (0, 0, 0, 0))
        canvas.alpha_composite(inner, (margin, margin))
        return canvas
    return _draw(layer, full)


def _draw(layer: Layer, full: int) -> Image.Image:
    from PIL import Image, UnidentifiedImageError

    if layer.argb is not None:
        a = layer.argb
        return Image.new("RGBA", (full, full), ((a >> 16) & 255, (a >> 8) & 255, a & 255, a >> 24))
    if layer.vector is not None:
        return draw_vector(layer.vector, full, full)
    if layer.bitmap is not None:
        bombs = (Image.DecompressionBombError, Image.DecompressionBombWarning)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(layer.bitmap)) as image:
                    if image.width * image.height > MAX_PIXELS:
                        raise LayerError(f"{layer.source}: {image.width}x{image.height} is too big")
                    image.load()
                    rgba = image.convert("RGBA")
        except bombs as e:  # a header that claims a huge image: refused before decoding
            raise LayerError(f"{layer.source or 'a layer'}: too big an image: {e}") from e
        # Pillow's decoders report a broken file as OSError or ValueError, and its PNG
        # reader a chunk with a broken name, met while decoding, as SyntaxError
        except (OSError, ValueError, SyntaxError, UnidentifiedImageError) as e:
            raise LayerError(f"{layer.source or 'a layer'}: not an image Pillow reads: {e}") from e
        return rgba.resize((full, full), Image.Resampling.LANCZOS)
    return Image.new("RGBA", (full, full), (0, 0, 0, 0))


def shape_mask(shape: IconShape, size: int) -> bytes:
    """The mask of ``shape`` at ``size`` x ``size`` pixels, one coverage byte per pixel."""
    polygons = flatten(parse_path(shape.value), scale(size / 100, size / 100))
    return coverage(polygons, size, size)
