"""What ``clone ui --screenshot`` shows: the clones screen, or (hidden ``--scene``) the
"+ New clone" screen in the middle of a real build, or a clone's details.

A scene drives the live app the way a user's taps would (the same methods the buttons
call), then says when the window is worth saving: ``stage(app, scene, ready)`` calls
``ready()`` once the screen shows what the scene is about.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from launcher_ui.background import Reporter, Step

if TYPE_CHECKING:
    from launcher_ui.app import LauncherApp


class Scene(enum.StrEnum):
    CLONES = "clones"
    NEW_CLONE = "new-clone"  # a build of the first clone's APK, saved mid-progress
    DETAILS = "details"  # the first clone's details


def held_after_first(work: Callable[[Reporter], str]) -> Callable[[Reporter], str]:
    """``work`` that stops for good after its first step is done (the window is saved and
    the process ends meanwhile: the build it leaves half-made is in a scratch home)."""

    def held(reporter: Reporter) -> str:
        return work(cast(Reporter, _Held(reporter)))

    return held


class _Held:
    def __init__(self, inner: Reporter) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @contextmanager
    def progress(self, label: str, total: int) -> Iterator[Callable[[int], None]]:
        with self._inner.progress(label, total) as advance:

            def held_advance(n: int) -> None:
                advance(n)
                threading.Event().wait()  # forever: the process ends around it

            yield held_advance


def parse_scene(text: str) -> Scene:
    try:
        return Scene(text)
    except ValueError:
        raise ValueError(f"unknown scene {text!r}: use {', '.join(Scene)}") from None


def stage(app: LauncherApp, scene: Scene, ready: Callable[[], None]) -> None:
    if scene is Scene.CLONES:
        ready()
    elif scene is Scene.DETAILS:
        _details(app, ready)
    else:
        _new_clone(app, ready)


def _details(app: LauncherApp, ready: Callable[[], None]) -> None:
    if not app.model.tiles:
        ready()
        return
    name = app.model.tiles[0].name
    app.show_details(name)
    screen = app.root.get_screen("details")
    original = screen.show

    def shown(view: object) -> None:
        original(view)
        ready()

    screen.show = shown


def _new_clone(app: LauncherApp, ready: Callable[[], None]) -> None:
    """A real build (no device: the APKs only, no hooks) of the APK the first app's clones
    were made of, saved once its first clone is built."""
    source = app.scene_apk
    app.new_clone()
    screen = app.root.get_screen("new")
    if source is None:
        ready()
        return
    original = screen._step
    said = [False]

    def step(s: Step) -> None:
        original(s)
        if s.done >= 1 and not said[0]:
            said[0] = True
            ready()

    screen._step = step  # before the run starts: its task takes the method then
    screen.work_of = lambda job, home: held_after_first(lambda r: job.run(home, r))
    screen.chose_apk(str(source))
    screen.bump(2)  # 3 clones
    screen.flow.set_target(None)  # no device: build only
    screen.hooks_toggled(False)
    screen.start()
