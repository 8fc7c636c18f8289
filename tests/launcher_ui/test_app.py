"""The launcher's real window, under Xvfb: ``clone ui --screenshot`` as a user would run it.

What the window showed is checked twice: the PNG itself (read back with Pillow), and the
texts of the labels and buttons on screen at that moment, which the hidden option
``--dump-widgets`` writes as JSON from the live widget tree.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from clone.registry import Backend, CloneRecord
from clone.space import Space
from launcher_ui.view_models import EMPTY_HINT, EMPTY_TITLE
from tests.device.fake_adb import FakeAdbServer, FakePackage, FakePhone
from tests.realapks import UIAUTOMATOR, YOSEMITE, real_apk

CLONE = Path(sys.executable).with_name("clone")
XVFB_RUN = shutil.which("xvfb-run")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(XVFB_RUN is None, reason="xvfb-run is not installed (apt install xvfb)"),
]


def clone_ui(home: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    assert XVFB_RUN is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIVY_")}
    return subprocess.run(
        [XVFB_RUN, "-a", "-s", "-screen 0 1024x720x24", CLONE, "ui", *map(str, args)],
        capture_output=True,
        text=True,
        env={**env, "CLONE_HOME": str(home)},
        timeout=180,
        check=False,
    )


def screenshot(home: Path, out: Path, *args: str) -> dict[str, Any]:
    """Run ``clone ui --screenshot`` (and ``args``); check the PNG; return what the window
    showed."""
    dump = out.with_suffix(".json")
    done = clone_ui(home, "--screenshot", out, "--dump-widgets", dump, *args)
    assert done.returncode == 0, done.stderr
    assert "error" not in done.stderr
    shown: dict[str, Any] = json.loads(dump.read_text())
    with Image.open(out) as image:
        assert image.format == "PNG"
        assert image.size == tuple(shown["window"])
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 20  # not one flat colour
    assert not list(out.parent.glob(".clone-ui-*"))  # no temporary file left beside it
    return shown


def texts(shown: dict[str, Any], widget: str | None = None) -> list[str]:
    return [t["text"] for t in shown["texts"] if widget is None or t["widget"] == widget]


def test_the_window_shows_two_host_clones(tmp_path: Path) -> None:
    home = tmp_path / "home"
    data = tmp_path / "notes-data"
    data.mkdir()
    with Space(home=home) as space:
        for n in (1, 2):
            space.host_clone("notes", n, [data])
    out = tmp_path / "launcher.png"

    shown = screenshot(home, out)

    assert shown["screen"] == "clones"
    assert shown["window"] == [1000, 680]
    shown_texts = texts(shown)
    assert "2 clones" in shown_texts
    assert shown_texts.count("notes") == 3  # the app's header and its two tiles
    assert "2 clones" in shown_texts  # the header's caption too
    assert "clone 1  ·  host" in shown_texts and "clone 2  ·  host" in shown_texts
    assert shown_texts.count(f"data: {data}") == 2
    assert not any("No clones yet" in t for t in shown_texts)
    buttons = [(t["text"], t["enabled"]) for t in shown["texts"] if t["widget"] == "FlatButton"]
    assert buttons == [("+ New clone", True), ("Refresh", True), ("More", True), ("More", True)]
    assert shown["images"] == []  # no icon kept for a host clone: letter avatars


def test_the_empty_window_says_how_to_make_clones(tmp_path: Path) -> None:
    shown = screenshot(tmp_path / "home", tmp_path / "empty.png")

    shown_texts = texts(shown)
    assert EMPTY_TITLE in shown_texts and EMPTY_HINT in shown_texts
    assert "No clones" in shown_texts
    assert not any("clone demo" in t for t in shown_texts)
    assert texts(shown, "FlatButton") == ["+ New clone", "Refresh"]


def test_kivy_keeps_to_clone_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    fake_user_home = tmp_path / "user"
    fake_user_home.mkdir()
    done = subprocess.run(
        [str(XVFB_RUN), "-a", "-s", "-screen 0 1024x720x24", str(CLONE), "ui",
         "--screenshot", str(tmp_path / "ui.png")],
        capture_output=True, text=True, timeout=180, check=False,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("KIVY_")},
             "CLONE_HOME": str(home), "HOME": str(fake_user_home)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""  # Kivy's log stays quiet
    assert (home / "cache" / "kivy" / "config.ini").is_file()
    assert list(fake_user_home.iterdir()) == []  # no ~/.kivy


def test_adb_picks_the_adb_server(
    tmp_path: Path, fake_adb: FakeAdbServer, fake_phone: FakePhone, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FAKE adb server, reached only through --adb: the environment names another (with
    nothing listening), so the clone shows as installed only if --adb reached the model."""
    home = tmp_path / "home"
    with Space(home=home) as space:
        space.registry.add(
            CloneRecord(
                "com.example.app", 1, Backend.PACKAGE, "com.example.app",
                "com.example.app.clone1", fake_phone.serial,
            )
        )  # fmt: skip
    package = FakePackage("com.example.app.clone1", ".Main", users={0}, data={0: set()})
    fake_phone.packages[package.name] = package
    with socket.socket() as s:  # a port nobody listens on, not local: no server is started
        s.bind(("127.0.0.2", 0))
        monkeypatch.setenv("ANDROID_ADB_SERVER_HOST", "127.0.0.2")
        monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(s.getsockname()[1]))

    shown = screenshot(home, tmp_path / "adb.png", "--adb", f"127.0.0.1:{fake_adb.port}")

    shown_texts = texts(shown)
    assert "com.example.app.clone1 on " + fake_phone.serial in shown_texts
    assert "installed" in shown_texts and "no-device" not in shown_texts
    assert "Ready" in shown_texts  # no "Not connected" status


def test_real_apps_show_their_icons_and_labels(tmp_path: Path) -> None:
    """Clones of two real APKs: their own labels and icons (read from the APKs when kept),
    where a letter avatar was before; a long status line wraps instead of being cut."""
    home = tmp_path / "home"
    apps = {UIAUTOMATOR: "com.github.uiautomator", YOSEMITE: "com.netease.nie.yosemite"}
    with Space(home=home) as space:
        for package in apps.values():
            for n in (1, 2):
                space.registry.add(
                    CloneRecord(
                        app=package, index=n, backend=Backend.PACKAGE, source_package=package,
                        package=f"{package}.clone{n}", device="emulator-5554",
                    )
                )  # fmt: skip
    plain = screenshot(home, tmp_path / "letters.png", "--adb", "127.0.0.2:9")
    with Space(home=home) as space:
        for apk in apps:
            assert space.keep_app_face(real_apk(apk)) is not None
    shown = screenshot(home, tmp_path / "icons.png", "--adb", "127.0.0.2:9")

    shown_texts = texts(shown)
    assert "ATX" in shown_texts and "Yosemite" in shown_texts
    assert "com.github.uiautomator" not in shown_texts  # the label, not the package
    assert plain["images"] == []
    sources = {Path(i["source"]).parent.name for i in shown["images"]}
    assert sources == set(apps.values())
    assert len(shown["images"]) == 2 + 4  # each header and each tile
    with (
        Image.open(tmp_path / "icons.png") as icons,
        Image.open(tmp_path / "letters.png") as letters,
    ):
        height = icons.height
        for image in shown["images"]:
            x, y, w, h = image["box"]
            region = (x, height - y - h, x + w, height - y)  # PIL counts from the top
            drawn = icons.convert("RGB").crop(region)
            assert len(drawn.getcolors(maxcolors=1 << 16) or range(99)) > 8  # not flat
            assert drawn.tobytes() != letters.convert("RGB").crop(region).tobytes()
    status = [t for t in shown["texts"] if t["text"].startswith("Not connected")]
    assert status  # shown whole: the label wraps (its text is not shortened)
