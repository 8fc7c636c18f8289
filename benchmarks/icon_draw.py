"""What reading an app's face costs at install time, per kind of icon.

Run: ``.venv/bin/python benchmarks/icon_draw.py``. Times ``apk.app_icon.app_face`` (or
``best_icon`` for the framework's default icon, which is not its application icon) on an
APK already loaded, its ``resources.arsc`` parsed once before (``SourceApk`` keeps it, as an
install has it from building the clones), median of 7 runs:

- a raster icon kept as it is (PyPI pocoui's ``pocoservice-debug.apk``);
- AOSP's adaptive default app icon from ``framework-res.apk`` (a vector background of 12
  stroked lines over a colour, a PNG foreground), composed at 192 px;
- Android Studio's template icon built by ``aapt2`` (vector layers, a gradient shadow);
- every vector drawable of ``framework-res.apk`` drawn at 48 px (per vector).
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from apk.app_icon import ApkResources, app_face, best_icon
from apk.res_tree import xml_tree
from apk.source import load_source
from apk.vector_drawable import VectorError, draw_vector, read_vector
from tests.apk import aapt2_app
from tests.apk.icon_factory import png
from tests.realapks import POCOSERVICE, framework_res, real_apk

ROUNDS = 7


def median_ms(work: Callable[[], object]) -> float:
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    poco = load_source(real_apk(POCOSERVICE))
    framework = load_source(framework_res())
    with tempfile.TemporaryDirectory() as tmp:
        template_path = aapt2_app.build(
            Path(tmp), aapt2_app.template_sources(png(0xFF3DDC84, 96, "WEBP"))
        )
        template = load_source(template_path)

    def framework_icon() -> object:
        table = framework.resources()
        assert table is not None
        return best_icon(framework, table, 0x01080093)

    table = framework.resources()
    assert table is not None
    resources = ApkResources(framework, table)
    with zipfile.ZipFile(framework_res()) as zf:
        names = [n for n in zf.namelist() if n.startswith("res/") and n.endswith(".xml")]
    vectors = [r for n in names if (r := xml_tree(framework.archive.read(n))).tag == "vector"]

    def every_vector() -> None:
        for root in vectors:
            with contextlib.suppress(VectorError):
                draw_vector(read_vector(root, resources), 48, 48)

    rows = [
        ("raster icon kept (pocoservice)", median_ms(lambda: app_face(poco))),
        ("adaptive, AOSP default icon, 192 px", median_ms(framework_icon)),
        (
            "adaptive, Android Studio template (aapt2), 192 px",
            median_ms(lambda: app_face(template)),
        ),
        (f"one of {len(vectors)} framework vectors, 48 px", median_ms(every_vector) / len(vectors)),
    ]
    print(f"| icon | ms (median of {ROUNDS}) |")
    print("|---|---|")
    for name, ms in rows:
        print(f"| {name} | {ms:.1f} |")


if __name__ == "__main__":
    main()
