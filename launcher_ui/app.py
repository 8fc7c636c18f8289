"""The Kivy app: binds the ``.kv`` screens to a ``LauncherModel`` through Kivy properties.

Kivy is imported only here and by the screens' widget modules (``new_clone_screen``,
``details_screen``); ``launcher_ui.launch`` prepares its environment first. The model's
calls (the registry, adb) run on one worker thread so the window stays live; their results
come back to the UI thread through ``mainthread``. Long work (a new clone, export, import)
is a ``background.Task`` on a thread of its own.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from kivy.config import Config

# Before the window exists: its size, no red dots on right-click, Esc does not quit.
Config.set("graphics", "width", "1000")
Config.set("graphics", "height", "680")
Config.set("graphics", "minimum_width", "420")
Config.set("graphics", "minimum_height", "360")
Config.set("input", "mouse", "mouse,multitouch_on_demand")
Config.set("kivy", "exit_on_escape", "0")

from kivy.app import App  # noqa: E402
from kivy.clock import Clock, mainthread  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.lang import Builder  # noqa: E402
from kivy.properties import (  # noqa: E402
    BooleanProperty,
    ColorProperty,
    ListProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout  # noqa: E402
from kivy.uix.button import Button  # noqa: E402
from kivy.uix.image import Image  # noqa: E402
from kivy.uix.label import Label  # noqa: E402
from kivy.uix.modalview import ModalView  # noqa: E402
from kivy.uix.screenmanager import Screen, ScreenManager, SlideTransition  # noqa: E402
from kivy.uix.widget import Widget  # noqa: E402

from clone import Space  # noqa: E402
from launcher_ui.details import DetailsView  # noqa: E402
from launcher_ui.details_screen import ArchiveChooser, DetailsScreen  # noqa: E402
from launcher_ui.new_clone_screen import (  # noqa: E402
    ApkChooser,
    DeviceAppsPopup,
    NewCloneScreen,
)
from launcher_ui.on_phone import AndroidPhone, on_android  # noqa: E402
from launcher_ui.scenes import Scene, stage  # noqa: E402
from launcher_ui.view_models import (  # noqa: E402
    EMPTY_HINT,
    EMPTY_TITLE,
    Action,
    AppGroup,
    CloneTile,
    DeviceList,
    LauncherModel,
)

# Registered with Kivy's Factory by their import (the .kv files name them).
SCREEN_WIDGETS = (ApkChooser, ArchiveChooser, DetailsScreen, DeviceAppsPopup, NewCloneScreen)

T = TypeVar("T")

# The kv files, in load order: shared widgets first, then one per screen.
KV_FILES = ("widgets.kv", "clones.kv", "new_clone.kv", "details.kv")

STATE_COLORS: dict[str, tuple[float, ...]] = {
    "running": (0.20, 0.66, 0.36, 1),
    "installed": (0.23, 0.51, 0.85, 1),
    "missing": (0.82, 0.55, 0.13, 1),
    "no-device": (0.42, 0.45, 0.50, 1),
    "host": (0.53, 0.40, 0.85, 1),
}
AVATAR_COLORS: tuple[tuple[float, ...], ...] = (
    (0.91, 0.42, 0.36, 1),
    (0.25, 0.64, 0.72, 1),
    (0.95, 0.66, 0.23, 1),
    (0.40, 0.70, 0.38, 1),
    (0.62, 0.45, 0.86, 1),
    (0.90, 0.45, 0.65, 1),
)

CONFIRM = {
    Action.WIPE: "Wipe {name}?\n\nIts app data is deleted; the clone and its identity stay.",
    Action.REMOVE: "Remove {name}?\n\nIt is uninstalled and forgotten, and its data is deleted.",
}


LONG_PRESS = 0.5  # seconds a press lasts to open a tile's menu


def avatar_color(app: str) -> tuple[float, ...]:
    return AVATAR_COLORS[sum(map(ord, app)) % len(AVATAR_COLORS)]


def initial(label: str) -> str:
    return (label[:1] or "?").upper()


def group_view_data(group: AppGroup) -> dict[str, Any]:
    """A group as the properties of one ``AppGroupView``."""
    return {
        "app": group.app,
        "label": group.label,
        "caption": group.caption,
        "icon": group.icon or "",
        "initial": initial(group.label),
        "avatar_color": avatar_color(group.app),
    }


def tile_view_data(tile: CloneTile) -> dict[str, Any]:
    """A tile as the properties of one ``CloneTileView``."""
    return {
        "name": tile.name,
        "label": tile.label,
        "icon": tile.icon or "",
        "badge": tile.badge,
        "initial": initial(tile.label),
        "subtitle": tile.subtitle,
        "backend": tile.backend,
        "state": tile.state,
        "detail": tile.detail,
        "state_color": STATE_COLORS.get(tile.state, STATE_COLORS["no-device"]),
        "avatar_color": avatar_color(tile.app),
        "can_launch": tile.can_launch,
        "can_stop": tile.can_stop,
        "can_wipe": tile.can_wipe,
        "can_remove": tile.can_remove,
    }


NEUTRAL = (0.27, 0.30, 0.35, 1)


class FlatButton(Button):  # type: ignore[misc]
    """A flat, rounded button filled with ``bg`` (widgets.kv)."""

    bg = ColorProperty(NEUTRAL)


class Chip(Label):  # type: ignore[misc]
    """A small rounded label filled with ``bg``, e.g. a clone's state (widgets.kv)."""

    bg = ColorProperty(NEUTRAL)


class ConfirmPopup(ModalView):  # type: ignore[misc]
    """Asks "Wipe notes:1?" with Cancel and the action's button (widgets.kv)."""

    message = StringProperty("")
    action = StringProperty("")
    clone = StringProperty("")
    confirm_text = StringProperty("")


class AppIcon(Widget):  # type: ignore[misc]
    """An app's icon (its image, else a letter on a coloured disc) with a clone-number
    badge (clones.kv)."""

    source = StringProperty("")
    initial = StringProperty("")
    avatar_color = ListProperty([0.5, 0.5, 0.5, 1])
    badge = StringProperty("")


class CloneMenu(ModalView):  # type: ignore[misc]
    """A clone's actions: Launch, Stop, Wipe, Remove, Details (clones.kv)."""

    title = StringProperty("")
    name = StringProperty("")
    can_launch = BooleanProperty(False)
    can_stop = BooleanProperty(False)
    can_wipe = BooleanProperty(False)
    can_remove = BooleanProperty(False)

    def pick(self, what: str) -> None:
        self.dismiss()
        App.get_running_app().menu_pick(what, self.name)


class AppGroupView(BoxLayout):  # type: ignore[misc]
    """One app's header and the grid of its clones' tiles (clones.kv)."""

    app = StringProperty("")
    label = StringProperty("")
    caption = StringProperty("")
    icon = StringProperty("")
    initial = StringProperty("")
    avatar_color = ListProperty([0.5, 0.5, 0.5, 1])


class CloneTileView(BoxLayout):  # type: ignore[misc]
    """One clone's card: a tap launches it, a long press (or a right click, or More)
    opens its menu (styled in clones.kv)."""

    name = StringProperty("")
    label = StringProperty("")
    icon = StringProperty("")
    badge = StringProperty("")
    pressed = BooleanProperty(False)
    initial = StringProperty("")
    subtitle = StringProperty("")
    backend = StringProperty("")
    state = StringProperty("")
    detail = StringProperty("")
    state_color = ListProperty([0.5, 0.5, 0.5, 1])
    avatar_color = ListProperty([0.5, 0.5, 0.5, 1])
    can_launch = BooleanProperty(False)
    can_stop = BooleanProperty(False)
    can_wipe = BooleanProperty(False)
    can_remove = BooleanProperty(False)

    def on_touch_down(self, touch: Any) -> bool:
        if not self.collide_point(*touch.pos):
            return False
        if super().on_touch_down(touch):  # the More button
            return True
        if getattr(touch, "button", "left") == "right":
            App.get_running_app().open_menu(self.name)
            return True
        if getattr(touch, "button", "left") != "left":
            return False
        touch.grab(self)
        self.pressed = True
        self._long = Clock.schedule_once(lambda _dt: self._long_press(touch), LONG_PRESS)
        return True

    def _long_press(self, touch: Any) -> None:
        self.pressed = False
        touch.ungrab(self)
        App.get_running_app().open_menu(self.name)

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is not self:
            return bool(super().on_touch_up(touch))
        touch.ungrab(self)
        self._long.cancel()
        was_pressed, self.pressed = self.pressed, False
        if was_pressed and self.collide_point(*touch.pos):
            App.get_running_app().tap(self.name)
        return True


class ClonesScreen(Screen):  # type: ignore[misc]
    """Every clone as a tile (clones.kv)."""


class LauncherApp(App):  # type: ignore[misc]
    """The launcher. State the screens show lives in these properties."""

    tiles = ListProperty([])  # CloneTileView data, one dict per clone
    summary = StringProperty("")
    home = StringProperty("")
    status = StringProperty("")
    empty_title = StringProperty(EMPTY_TITLE)
    empty_hint = StringProperty(EMPTY_HINT)  # where the demo's clones are, once it ran
    busy = BooleanProperty(True)  # an action or a refresh runs; the buttons wait
    loaded = BooleanProperty(False)  # the first listing arrived
    # The clone on the details screen.
    selected = StringProperty("")  # its name, APP:N
    selected_title = StringProperty("")
    selected_info = StringProperty("")
    selected_state = StringProperty("")
    selected_color = ColorProperty(NEUTRAL)
    identity_rows = ListProperty([])  # [{"key": …, "value": …}] of the selected clone
    identity_error = StringProperty("")
    devices_text = StringProperty("")  # the adb server in use and every device it sees

    def __init__(
        self,
        model: LauncherModel,
        screenshot: Path | None = None,
        dump: Path | None = None,
        scene: Scene = Scene.CLONES,
        scene_apk: Path | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.scene = scene  # what --screenshot saves (see launcher_ui.scenes)
        self.scene_apk = scene_apk
        self.title = "Clonespace"
        self.model = model
        self.screenshot = screenshot
        self.dump = dump
        self.home = model.home
        self.empty_hint = model.empty_hint
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="clone-ui")

    # -- building ----------------------------------------------------------------------

    def build(self) -> ScreenManager:
        Window.clearcolor = (0.09, 0.10, 0.12, 1)
        kv_dir = resources.files("launcher_ui") / "kv"
        for name in KV_FILES:
            with resources.as_file(kv_dir / name) as path:
                Builder.load_file(str(path))
        # A screenshot saves the screen a scene went to, not a slide on the way there.
        slide = 0.0 if self.screenshot is not None else 0.18
        manager = ScreenManager(transition=SlideTransition(duration=slide))
        manager.add_widget(ClonesScreen(name="clones"))
        manager.add_widget(DetailsScreen(name="details"))
        manager.add_widget(NewCloneScreen(name="new"))
        Window.bind(on_keyboard=self._on_keyboard)
        return manager

    def _on_keyboard(self, _window: object, key: int, *_args: object) -> bool:
        """Escape (or Android's back key, 27 too) leaves the details and new-clone screens
        (not while a new clone is being made: Cancel first)."""
        if key != 27 or self.root.current == "clones":
            return False
        if not self.root.get_screen("new").running:
            self.back()
        return True

    def on_start(self) -> None:
        self.status = "Loading the clones…"
        # The server only: asking it for devices could start one (+ New clone asks).
        self.devices_text = f"adb server {self.model.adb_server}"
        self._submit(self.model.refresh, self._show_tiles)

    def close(self) -> None:
        """After ``run``: let the worker finish, closing the registry in its own thread
        (the SQLite connection belongs to the thread that opened it)."""
        self._worker.submit(self.model.space.close)
        self._worker.shutdown(wait=True)

    # -- what the buttons call ---------------------------------------------------------

    def refresh(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.status = "Refreshing…"
        self._submit(self.model.refresh, self._show_tiles)

    def act(self, action: str, name: str) -> None:
        """Launch/stop/wipe/remove clone ``name`` (a tile's buttons)."""
        if self.busy:
            return
        self.busy = True
        self.status = f"{Action(action).doing} {name}…"
        self._submit(lambda: self.model.perform(action, name), self._show_tiles)

    def tap(self, name: str) -> None:
        """A tap on a tile: launch the clone, or open its menu when it cannot launch."""
        tile = self.model.tile(name)
        if tile is None:
            return
        if tile.tap is Action.LAUNCH:
            self.act(Action.LAUNCH, name)
        else:
            self.open_menu(name)

    def open_menu(self, name: str) -> None:
        tile = self.model.tile(name)
        if tile is None or self.busy:
            return
        menu = CloneMenu()
        menu.title = f"{tile.label}  ·  {tile.subtitle}"
        menu.name = name
        menu.can_launch, menu.can_stop = tile.can_launch, tile.can_stop
        menu.can_wipe, menu.can_remove = tile.can_wipe, tile.can_remove
        menu.open()

    def menu_pick(self, what: str, name: str) -> None:
        """A menu's choice: an action (wipe and remove ask first) or ``details``."""
        if what == "details":
            self.show_details(name)
        elif Action(what) in CONFIRM:
            self.confirm(what, name)
        else:
            self.act(what, name)

    def confirm(self, action: str, name: str) -> None:
        """Ask before a wipe or a remove: both delete the clone's data."""
        if self.busy:
            return
        popup = ConfirmPopup()
        popup.message = CONFIRM[Action(action)].format(name=name)
        popup.action = action
        popup.clone = name
        popup.confirm_text = Action(action).value.capitalize()
        popup.open()

    def show_details(self, name: str) -> None:
        tile = self.model.tile(name)
        if tile is None:
            return
        self._select(tile)
        self.identity_rows = []
        self.identity_error = ""
        screen = self.root.get_screen("details")
        screen.reset()
        self.root.transition.direction = "left"
        self.root.current = "details"
        self._submit(lambda: self.model.details(name).load(), self._show_details)

    def new_clone(self) -> None:
        """Open the "+ New clone" form; the devices arrive from the worker."""
        screen = self.root.get_screen("new")
        if screen.running:
            self.root.current = "new"  # a run goes on: show it
            return
        screen.open_for((), self.model.adb, self.model.phone)
        screen.devices_text = "Looking for devices…"
        self.root.transition.direction = "left"
        self.root.current = "new"

        def show(devices: DeviceList) -> None:
            self.devices_text = devices.text
            screen.devices_found(devices)

        self._submit(self.model.devices, show)

    def load_device_apps(self, popup: DeviceAppsPopup) -> None:
        serial = popup.device
        self._submit(lambda: self.model.device_apps(serial), lambda found: popup.show(*found))

    def clones_changed(self, line: str) -> None:
        """A new clone, or an import, changed the registry: list again, say ``line``."""

        def shown(result: object) -> None:
            self._show_tiles(result)
            self.status = line

        self._submit(self.model.refresh, shown)

    def submit(self, call: Callable[[], T], then: Callable[[T], None]) -> None:
        """Run ``call`` on the worker thread (the registry's), then ``then`` here."""
        self._submit(call, then)

    def back(self) -> None:
        self.root.transition.direction = "right"
        self.root.current = "clones"

    # -- results from the worker -------------------------------------------------------

    def _show_tiles(self, _result: object) -> None:
        self.tiles = [tile_view_data(t) for t in self.model.tiles]
        self._render_groups()
        self.summary = self.model.summary
        self.status = self.model.status or "Ready"
        self.busy = False
        if self.selected:
            tile = self.model.tile(self.selected)
            self._select(tile)
            if tile is None:
                self.back()  # the clone shown in details is gone
        if not self.loaded:
            self.loaded = True
            if self.screenshot is not None:
                stage(self, self.scene, lambda: self._capture_after_frames(3))

    def _render_groups(self) -> None:
        """Rebuild the clones screen's groups and tiles from the model."""
        box = self.root.get_screen("clones").ids.groups
        box.clear_widgets()
        for group in self.model.groups:
            view = AppGroupView(**group_view_data(group))
            for tile in group.tiles:
                view.ids.grid.add_widget(CloneTileView(**tile_view_data(tile)))
            box.add_widget(view)

    def _show_details(self, view: DetailsView) -> None:
        self.root.get_screen("details").show(view)

    def _select(self, tile: CloneTile | None) -> None:
        """Show ``tile`` on the details screen (None: nothing selected)."""
        if tile is None:
            self.selected = self.selected_title = self.selected_info = self.selected_state = ""
            return
        self.selected = tile.name
        self.selected_title = f"{tile.label}  ·  {tile.subtitle}"
        self.selected_info = f"{tile.name}  ·  {tile.backend} backend  ·  {tile.detail}"
        self.selected_state = tile.state
        self.selected_color = STATE_COLORS.get(tile.state, NEUTRAL)

    def _submit(self, call: Callable[[], T], then: Callable[[T], None]) -> None:
        future = self._worker.submit(call)
        future.add_done_callback(lambda f: self._deliver(f, then))

    @mainthread  # type: ignore[untyped-decorator]
    def _deliver(self, future: Future[T], then: Callable[[T], None]) -> None:
        then(future.result())  # a bug (not a CloneError) surfaces here, in the UI thread

    # -- --screenshot ------------------------------------------------------------------

    def _capture_after_frames(self, frames: int) -> None:
        """Let the layout settle for a few frames, then save the window and stop."""
        left = [frames]

        def tick(_dt: float) -> bool:
            left[0] -= 1
            if left[0] > 0:
                return True
            self._capture()
            return False

        Clock.schedule_interval(tick, 0)

    def _capture(self) -> None:
        assert self.screenshot is not None
        save_window_png(self.screenshot)
        if self.dump is not None:
            texts = visible_texts(self.root.current_screen)
            report = {
                "screen": self.root.current,
                "window": list(Window.size),
                "texts": texts,
                "images": visible_images(self.root.current_screen),
            }
            self.dump.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        self.stop()


def save_window_png(target: Path) -> None:
    """Save what the window shows to exactly ``target`` (Kivy appends a counter to names)."""
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".clone-ui-") as tmp:
        written = Window.screenshot(name=str(Path(tmp) / "window.png"))
        os.replace(written, target)


def visible_texts(root: Widget) -> list[dict[str, Any]]:
    """The labels and buttons shown under ``root``: their class, text and enabled state."""
    width, height = Window.size
    found = []
    for widget in root.walk(restrict=True):
        if not isinstance(widget, Label) or not widget.text.strip():
            continue
        x, y = widget.to_window(*widget.pos)
        inside = x < width and y < height and x + widget.width > 0 and y + widget.height > 0
        if inside and widget.width > 0 and widget.height > 0 and _opaque(widget):
            kind = type(widget).__name__
            found.append({"widget": kind, "text": widget.text, "enabled": not widget.disabled})
    return found


def visible_images(root: Widget) -> list[dict[str, Any]]:
    """The images shown under ``root``: their file and box in window pixels (from the
    bottom left, as Kivy counts)."""
    found = []
    for widget in root.walk(restrict=True):
        if isinstance(widget, Image) and widget.source and _opaque(widget):
            x, y = widget.to_window(*widget.pos)
            box = [round(x), round(y), round(widget.width), round(widget.height)]
            found.append({"source": widget.source, "box": box})
    return found


def _opaque(widget: Widget) -> bool:
    """Whether ``widget`` and all its parents are drawn (the window is its own parent)."""
    node: Widget | None = widget
    while node is not None:
        if node.opacity <= 0:
            return False
        node = node.parent if node.parent is not node else None
    return True


def run(
    space: Space,
    screenshot: Path | None = None,
    *,
    dump: Path | None = None,
    adb: str | None = None,
    scene: Scene = Scene.CLONES,
    scene_apk: Path | None = None,
) -> None:
    """Run the launcher over ``space`` until it is closed (or, with ``screenshot``, until
    ``scene`` has been saved there as a PNG; ``dump`` then gets its texts); its model
    reaches devices through the adb server ``adb``."""
    phone = AndroidPhone() if on_android() else None  # on the phone itself: no adb
    app = LauncherApp(
        LauncherModel(space, adb=adb, phone=phone), screenshot, dump, scene=scene,
        scene_apk=scene_apk,
    )  # fmt: skip
    try:
        app.run()
    finally:
        app.close()
