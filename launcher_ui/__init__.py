"""The Kivy launcher (``clone ui``): clones under their app (tap launches, a menu does the rest).

The logic lives in plain Python (``view_models``), the look in one ``.kv`` file per screen
(``kv/``, plus ``widgets.kv`` for what both screens share), and ``app`` binds the two. Kivy
is imported only by ``app``; ``launch`` checks for a display before importing it (Kivy opens
its window on import) and turns a missing Kivy into one clear error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from clone import OperationFailed

TYPE_CHECKING = False  # typing's, without importing typing (``clone --help`` lists ``ui``)

if TYPE_CHECKING:
    import socket

    from clone import Space
    from launcher_ui.scenes import Scene

__all__ = ["launch", "launch_scene", "parse_screenshot_path"]


def parse_screenshot_path(text: str) -> Path:
    """Where ``--screenshot`` writes: a ``.png`` file in an existing directory."""
    path = Path(text).expanduser().absolute()
    if path.suffix.lower() != ".png":
        raise ValueError(f"{text!r} is not a .png file name")
    if path.is_dir():
        raise ValueError(f"{text!r} is a directory")
    if not path.parent.is_dir():
        raise ValueError(f"the directory of {text!r} does not exist")
    return path


def launch(
    space: Space, screenshot: Path | None = None, dump: Path | None = None, adb: str | None = None
) -> None:
    """Open the launcher on ``space`` until its window closes; it reaches devices through
    the adb server ``adb`` (``HOST:PORT``, None for the default).

    With ``screenshot``, render the clones screen once, save it there as a PNG and stop
    (``dump`` also gets the texts of the widgets shown then, as JSON). BadInput for a bad
    ``adb``; OperationFailed when there is no display or Kivy is not installed.
    """
    if adb is not None:
        space.check_adb(adb)  # bad input fails here, not as a status line in the window
    problem = display_problem(os.environ)
    if problem is not None:
        raise OperationFailed(
            f"{problem}: run it in a desktop session, or under xvfb-run for a screenshot",
            hint="e.g. xvfb-run -a clone ui --screenshot ui.png",
        )
    quiet_kivy(space.home.cache_dir / "kivy")
    try:
        from launcher_ui.app import run
    except ModuleNotFoundError as e:
        if e.name != "kivy" and not (e.name or "").startswith("kivy."):
            raise
        raise OperationFailed(
            "the launcher needs Kivy, which is not installed",
            hint="pip install 'clonespace[ui]'",
        ) from e
    run(space, screenshot, dump=dump, adb=adb)


def launch_scene(
    home: Path,
    screenshot: Path,
    scene: Scene,
    apk: Path | None,
    dump: Path | None = None,
    adb: str | None = None,
) -> None:
    """Save one scene of the launcher over the CLONE_HOME ``home`` (``launcher_ui.scenes``;
    ``apk`` is what the new-clone scene builds) as the PNG ``screenshot``."""
    from clone import Space

    with Space(home=home) as space:
        quiet_kivy(space.home.cache_dir / "kivy")
        from launcher_ui.app import run

        run(space, screenshot, dump=dump, adb=adb, scene=scene, scene_apk=apk)


def display_problem(environ: Mapping[str, str]) -> str | None:
    """Why no window can be shown (``no display``), or None. Checked before Kivy starts,
    because SDL quietly renders off-screen when it finds no display."""
    x11 = environ.get("DISPLAY", "")
    wayland = environ.get("WAYLAND_DISPLAY", "")
    if not x11 and not wayland:
        return "no display"
    if (wayland and _wayland_reachable(wayland, environ)) or (x11 and _x11_reachable(x11)):
        return None
    return f"cannot reach the display {x11 or wayland}"


def _x11_reachable(display: str) -> bool:
    """Whether the X server of ``[host]:N[.S]`` accepts a connection (forms other than
    local and TCP displays, e.g. macOS launchd paths, count as reachable)."""
    host, sep, rest = display.rpartition(":")
    number = rest.split(".")[0]
    if not sep or not number.isdigit() or host.startswith("/"):
        return True
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{number}"
        import socket  # here, not at import: ``clone --help`` imports this package

        return any(_connects(socket.AF_UNIX, a) for a in ("\0" + path, path))
    import socket

    return _connects(socket.AF_INET6 if ":" in host else socket.AF_INET, (host, 6000 + int(number)))


def _wayland_reachable(name: str, environ: Mapping[str, str]) -> bool:
    import socket

    path = name if name.startswith("/") else os.path.join(environ.get("XDG_RUNTIME_DIR", ""), name)
    return _connects(socket.AF_UNIX, path)


def _connects(family: socket.AddressFamily, address: str | tuple[str, int]) -> bool:
    import socket

    try:
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(2)
            s.connect(address)
    except OSError:
        return False
    return True


def quiet_kivy(kivy_home: Path) -> None:
    """Keep Kivy self-contained: no argv parsing, no console or file log, stderr left alone,
    its config under ``kivy_home`` (not ``~/.kivy``). Must run before ``import kivy``."""
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ["KIVY_LOG_MODE"] = "MIXED"  # the default, KIVY, swallows sys.stderr
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    home = Path(os.environ.setdefault("KIVY_HOME", str(kivy_home)))
    try:
        home.mkdir(parents=True, exist_ok=True)  # Kivy itself makes only the last level
    except OSError as e:
        raise OperationFailed(f"cannot create Kivy's directory {home}: {e.strerror}") from e
