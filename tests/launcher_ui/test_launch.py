"""``clone ui`` before any window: bad --screenshot and --adb values, no display, no Kivy."""

from __future__ import annotations

import random
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from launcher_ui import display_problem, parse_screenshot_path
from tests.conftest import RunCli

KIVY_ENV = ("KIVY_NO_ARGS", "KIVY_LOG_MODE", "KIVY_NO_CONSOLELOG", "KIVY_NO_FILELOG", "KIVY_HOME")


@pytest.fixture
def x_display() -> Iterator[str]:
    """A DISPLAY whose (abstract) X socket accepts connections; no X server behind it."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        for _ in range(20):
            number = random.randrange(20000, 60000)
            try:
                server.bind(f"\0/tmp/.X11-unix/X{number}")
            except OSError:
                continue
            server.listen(4)
            yield f":{number}"
            return
    pytest.fail("no free abstract X socket name")


@pytest.fixture
def no_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)


@pytest.fixture
def kivy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Restore the KIVY_* variables ``clone ui`` sets in this process."""
    for name in KIVY_ENV:
        monkeypatch.delenv(name, raising=False)


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("clone: error: ")
    return lines[0]


def test_screenshot_path_must_be_a_png_in_an_existing_directory(tmp_path: Path) -> None:
    assert parse_screenshot_path(str(tmp_path / "ui.PNG")) == tmp_path / "ui.PNG"
    with pytest.raises(ValueError, match=r"not a \.png file"):
        parse_screenshot_path(str(tmp_path / "ui.jpg"))
    with pytest.raises(ValueError, match="does not exist"):
        parse_screenshot_path(str(tmp_path / "missing" / "ui.png"))
    (tmp_path / "dir.png").mkdir()
    with pytest.raises(ValueError, match="is a directory"):
        parse_screenshot_path(str(tmp_path / "dir.png"))


def test_display_problems(tmp_path: Path, x_display: str) -> None:
    assert display_problem({}) == "no display"
    assert display_problem({"DISPLAY": x_display}) is None
    with socket.socket() as s:  # a TCP display on a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    if port > 6000:
        gone = f"127.0.0.1:{port - 6000}"
        assert display_problem({"DISPLAY": gone}) == f"cannot reach the display {gone}"

    environ = {"WAYLAND_DISPLAY": "wayland-9", "XDG_RUNTIME_DIR": str(tmp_path)}
    assert display_problem(environ) == "cannot reach the display wayland-9"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as compositor:
        compositor.bind(str(tmp_path / "wayland-9"))
        compositor.listen(1)
        assert display_problem(environ) is None


@pytest.mark.usefixtures("no_display")
def test_without_a_display_it_fails_in_one_line(run_cli: RunCli) -> None:
    result = run_cli("ui")
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert line.startswith(
        "clone: error: no display: run it in a desktop session, or under xvfb-run for a screenshot"
    )


@pytest.mark.usefixtures("no_display")
@pytest.mark.parametrize("name", ["missing/ui.png", "ui.jpg"])
def test_a_bad_screenshot_path_is_exit_2_before_any_window(
    run_cli: RunCli, tmp_path: Path, name: str
) -> None:
    result = run_cli("ui", "--screenshot", tmp_path / name)
    assert result.exit_code == 2  # not 1: the path is refused before the display is looked at
    assert "Invalid value for '--screenshot'" in one_error_line(result.stderr)


@pytest.mark.usefixtures("no_display")
@pytest.mark.parametrize("server", ["bad:port", "127.0.0.1:70000", "host:"])
def test_a_bad_adb_server_is_exit_2_before_any_window(run_cli: RunCli, server: str) -> None:
    result = run_cli("ui", "--adb", server)
    assert result.exit_code == 2  # not 1: refused before the display is looked at
    line = one_error_line(result.stderr)
    said = f"bad adb server {server!r}: expected HOST:PORT, e.g. 127.0.0.1:5037"
    assert line == f"clone: error: {said}"
    devices = run_cli("devices", "--adb", server)  # the same words as the device commands
    assert (devices.exit_code, one_error_line(devices.stderr)) == (2, line)


def test_dump_widgets_needs_a_screenshot(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("ui", "--dump-widgets", tmp_path / "texts.json")
    assert result.exit_code == 2
    assert "--dump-widgets needs --screenshot" in one_error_line(result.stderr)


@pytest.mark.usefixtures("kivy_env")
def test_without_kivy_it_says_what_to_install(
    run_cli: RunCli, x_display: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPLAY", x_display)
    monkeypatch.setitem(sys.modules, "kivy", None)  # import kivy -> ModuleNotFoundError
    monkeypatch.delitem(sys.modules, "launcher_ui.app", raising=False)

    result = run_cli("ui")

    assert result.exit_code == 1
    assert one_error_line(result.stderr) == (
        "clone: error: the launcher needs Kivy, which is not installed; "
        "pip install 'clonespace[ui]'"
    )
