"""The README's screenshots, made under Xvfb the way ``scripts/screenshots.py`` makes them:
the clones of two real APKs, "+ New clone" in the middle of a real build, a clone's
details. Each PNG is read back (not blank; the icons are not the letter fallback) and
the texts of the widgets shown then are checked (``--dump``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from clone.space import Space
from launcher_ui.scenes import Scene
from launcher_ui.screenshots import make_home
from tests.realapks import UIAUTOMATOR, YOSEMITE, real_apk

XVFB_RUN = shutil.which("xvfb-run")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(XVFB_RUN is None, reason="xvfb-run is not installed (apt install xvfb)"),
]


def scene(home: Path, which: Scene, out: Path) -> dict[str, Any]:
    """Render ``which`` as ``scripts/screenshots.py`` does, with the widgets' texts."""
    assert XVFB_RUN is not None
    dump = out.with_suffix(".json")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIVY_")}
    done = subprocess.run(
        [XVFB_RUN, "-a", "-s", "-screen 0 1024x720x24", sys.executable, "-m",
         "launcher_ui.screenshots", "--one", which.value, "--home", str(home),
         "--apk", str(real_apk(UIAUTOMATOR)), "--dump", str(dump), str(out)],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    shown: dict[str, Any] = json.loads(dump.read_text())
    with Image.open(out) as image:
        assert image.size == tuple(shown["window"])
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 50  # not blank
    return shown


def texts(shown: dict[str, Any]) -> list[str]:
    return [t["text"] for t in shown["texts"]]


def enabled(shown: dict[str, Any], text: str) -> bool:
    (found,) = [t for t in shown["texts"] if t["text"] == text]
    return bool(found["enabled"])


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("shots") / "home"
    make_home(root, [real_apk(UIAUTOMATOR), real_apk(YOSEMITE)])
    return root


def test_home_screen_shows_the_real_icons(home: Path, tmp_path: Path) -> None:
    shown = scene(home, Scene.CLONES, tmp_path / "clones.png")
    assert {"ATX", "Yosemite", "4 clones"} <= set(texts(shown))
    assert len(shown["images"]) == 2 + 4  # each app's header and each tile
    # The same registry without the kept faces: the letter avatars, in the same places.
    letters_home = tmp_path / "letters"
    shutil.copytree(home, letters_home)
    shutil.rmtree(letters_home / "apps")
    plain = scene(letters_home, Scene.CLONES, tmp_path / "letters.png")
    assert plain["images"] == []
    with (
        Image.open(tmp_path / "clones.png") as icons,
        Image.open(tmp_path / "letters.png") as letters,
    ):
        for image in shown["images"]:
            x, y, w, h = image["box"]
            box = (x, icons.height - y - h, x + w, icons.height - y)  # PIL counts from the top
            drawn = icons.convert("RGB").crop(box)
            assert drawn.tobytes() != letters.convert("RGB").crop(box).tobytes()
            assert len(drawn.getcolors(maxcolors=1 << 16) or range(99)) > 8


def test_new_clone_mid_progress(home: Path, tmp_path: Path) -> None:
    shown = scene(home, Scene.NEW_CLONE, tmp_path / "new-clone.png")
    assert shown["screen"] == "new"
    said = texts(shown)
    assert "app-uiautomator.apk" in said
    assert "Building 3 clone APKs: 1 of 3" in said  # a real build, saved after its first
    assert enabled(shown, "Cancel")
    assert not enabled(shown, "APK file…")  # the form waits while it runs
    assert not enabled(shown, "\u2039 Back")
    assert any(t.startswith("adb server 127.0.0.2:9: cannot reach") for t in said)


def test_details_of_a_clone(home: Path, tmp_path: Path) -> None:
    shown = scene(home, Scene.DETAILS, tmp_path / "details.png")
    assert shown["screen"] == "details"
    said = texts(shown)
    with Space(home=home) as space:
        ident = space.identity("com.github.uiautomator:1")
    assert "ATX  ·  clone 1" in said
    assert "Android ID" in said and ident.android_id in said and ident.imei in said
    assert "alice@example.com  (com.google)" in said
    for button in ("Regenerate", "Set", "Add", "Export…", "Import…", "Remove"):
        assert enabled(shown, button), button
    assert not any("Traceback" in t for t in said)
