"""An app's label and best raster icon, read without aapt (aapt is the oracle here)."""

from __future__ import annotations

import pytest

from apk.app_icon import NO_DPI, app_face, image_kind
from apk.source import load_source
from tests.apk import oracles
from tests.realapks import ALL, real_apk


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


def test_image_kinds() -> None:
    assert image_kind(b"\x89PNG\r\n\x1a\n....") == "png"
    assert image_kind(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert image_kind(b"\xff\xd8\xff\xe0") == "jpg"
    assert image_kind(b"\x03\x00\x08\x00<vector") is None  # a compiled XML drawable
    assert NO_DPI == 0xFFFF
