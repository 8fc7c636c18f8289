"""What the launcher shows and does, in plain Python (no Kivy): tiles, actions, identity,
the devices (every one the adb server sees, and the server itself).

``LauncherModel`` wraps a ``clone.Space``. It lists the clones the way ``clone list`` does
(the registry joined with each device's view, through ``Space.list_clones``), acts on
one clone through the ``Clone`` handle (launch, stop, wipe, remove), and turns every
``CloneError`` into a one-line status message: nothing it does raises a ``CloneError`` to
the UI. The model is not thread-safe; the app calls it from one worker thread. A clone's
details are ``launcher_ui.details``, "+ New clone" is ``launcher_ui.new_clone``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from clone import AppFace, Backend, CloneError, CloneRow, CloneState, HostState, Space
from launcher_ui.details import CloneDetails
from launcher_ui.on_phone import THIS_PHONE, Phone
from launcher_ui.text import one_line

# What the clones screen says when there are none (commands in backticks, as everywhere).
EMPTY_TITLE = "No clones yet"
EMPTY_HINT = (
    "Press + New clone, or clone an Android app with `clone install app.apk`\n"
    "Run a Linux program as a clone: `clone host run --app APP --clone N --data DIR -- CMD`"
)


class Action(enum.StrEnum):
    """What a tile's buttons do."""

    LAUNCH = "launch"
    STOP = "stop"
    WIPE = "wipe"
    REMOVE = "remove"

    @property
    def done(self) -> str:
        """The past tense, for the status line: ``Launched notes:1``."""
        return {"launch": "Launched", "stop": "Stopped", "wipe": "Wiped", "remove": "Removed"}[
            self.value
        ]

    @property
    def doing(self) -> str:
        """The progressive form, for the status line while the action runs."""
        return {
            "launch": "Launching",
            "stop": "Stopping",
            "wipe": "Wiping",
            "remove": "Removing",
        }[self.value]


# Which actions make sense in which state (the buttons enabled on a tile).
_ON_DEVICE = frozenset({CloneState.INSTALLED, CloneState.RUNNING})


@dataclass(frozen=True)
class CloneTile:
    """One clone as the launcher shows it."""

    name: str  # APP:N
    app: str
    label: str  # what the tile is titled with
    index: int
    backend: str
    package: str | None
    device: str | None
    state: str  # installed, running, missing, no-device, host
    detail: str  # one line under the title: the package and device, or a host clone's data
    pids: tuple[int, ...] = ()
    can_launch: bool = False
    can_stop: bool = False
    can_wipe: bool = False
    can_remove: bool = True
    icon: str | None = None  # the app's icon file (None: a letter avatar)

    @property
    def subtitle(self) -> str:
        return f"clone {self.index}"

    @property
    def badge(self) -> str:
        """The clone number on the icon."""
        return str(self.index)

    @property
    def tap(self) -> Action | None:
        """What a tap on the tile does: launch when it can, else None (open its menu)."""
        return Action.LAUNCH if self.can_launch else None

    def can(self, action: Action) -> bool:
        return {
            Action.LAUNCH: self.can_launch,
            Action.STOP: self.can_stop,
            Action.WIPE: self.can_wipe,
            Action.REMOVE: self.can_remove,
        }[action]

    @classmethod
    def from_row(cls, row: CloneRow, face: AppFace | None = None) -> CloneTile:
        """The tile of one ``clone list`` row, with the app's label and icon if kept."""
        record = row.record
        host = record.backend is Backend.HOST
        if host:
            data = list(record.state.data) if isinstance(record.state, HostState) else []
            detail = "data: " + ", ".join(data) if data else "host clone"
        else:
            where = f" on {record.device}" if record.device else ""
            detail = f"{record.package or record.source_package}{where}"
        return cls(
            name=record.name,
            app=record.app,
            label=(face.label if face else None) or record.app,
            index=record.index,
            backend=record.backend.value,
            package=record.package,
            device=record.device,
            state=row.state.value,
            detail=detail,
            pids=row.pids,
            # A host clone runs a program ('clone host run'): nothing to launch or stop here.
            can_launch=not host and row.state in _ON_DEVICE,
            can_stop=not host and row.state is CloneState.RUNNING,
            can_wipe=host or row.state in _ON_DEVICE,
            can_remove=True,
            icon=str(face.icon) if face and face.icon else None,
        )


@dataclass(frozen=True)
class AppGroup:
    """The clones of one app, under its label and icon (in the order listed)."""

    app: str
    label: str
    icon: str | None
    tiles: tuple[CloneTile, ...]

    @property
    def caption(self) -> str:
        n = len(self.tiles)
        return f"{n} clone" + ("" if n == 1 else "s")


def group_tiles(tiles: Sequence[CloneTile]) -> tuple[AppGroup, ...]:
    """The tiles grouped by app, apps in the order of their first tile."""
    by_app: dict[str, list[CloneTile]] = {}
    for tile in tiles:
        by_app.setdefault(tile.app, []).append(tile)
    return tuple(AppGroup(app, ts[0].label, ts[0].icon, tuple(ts)) for app, ts in by_app.items())


# The identity fields the details screen shows, in order, with their labels.
IDENTITY_FIELDS: tuple[tuple[str, str], ...] = (
    ("android_id", "Android ID"),
    ("imei", "IMEI"),
    ("serial", "Serial"),
    ("hostname", "Hostname"),
    ("model", "Model"),
    ("wifi_mac", "Wi-Fi MAC"),
    ("advertising_id", "Advertising ID"),
    ("machine_id", "Machine ID"),
)


@dataclass(frozen=True)
class IdentitySummary:
    """The identity of one clone as (label, value) rows, or why it could not be read."""

    name: str
    rows: tuple[tuple[str, str], ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class DeviceRow:
    """One device the adb server sees, as the launcher lists it."""

    serial: str
    state: str  # device, unauthorized, offline…
    model: str = ""

    @property
    def ready(self) -> bool:
        return self.state == "device"

    @property
    def text(self) -> str:
        what = self.model.replace("_", " ") if self.model else ""
        status = "ready" if self.ready else self.state
        return f"{self.serial} ({what + ', ' if what else ''}{status})"


@dataclass(frozen=True)
class DeviceList:
    """Every device of the adb server ``server``, or why they could not be listed."""

    server: str
    devices: tuple[DeviceRow, ...] = ()
    error: str | None = None

    @property
    def ready(self) -> tuple[str, ...]:
        """The serials clones can be installed on."""
        return tuple(d.serial for d in self.devices if d.ready)

    @property
    def text(self) -> str:
        """``adb server 127.0.0.1:5037: emulator-5554 (sdk phone x86 64, ready)``."""
        if self.error:
            return f"adb server {self.server}: {self.error}"
        if not self.devices:
            return f"adb server {self.server}: no device connected"
        return f"adb server {self.server}: " + ", ".join(d.text for d in self.devices)


class LauncherModel:
    """The launcher's state and actions over one Space."""

    def __init__(self, space: Space, adb: str | None = None, phone: Phone | None = None) -> None:
        self.space = space
        self.adb = adb  # HOST:PORT of the adb server, None for the default
        self.phone = phone  # on the phone itself: no adb, its own package manager
        self.tiles: tuple[CloneTile, ...] = ()
        self.status = ""

    @property
    def home(self) -> str:
        return str(self.space.home.root)

    @property
    def empty_hint(self) -> str:
        """What the empty screen suggests: where the demo's clones are, if it ran, else how
        to make a clone."""
        home = self.space.home
        if home.has_demo():
            return (
                f"The demo's clones are in its own home: `CLONE_HOME={home.demo_home} clone ui`"
                "\nPress + New clone to make your own"
            )
        return EMPTY_HINT

    @property
    def summary(self) -> str:
        """``2 clones`` (for the header)."""
        n = len(self.tiles)
        return "No clones" if n == 0 else f"{n} clone" + ("" if n == 1 else "s")

    @property
    def groups(self) -> tuple[AppGroup, ...]:
        return group_tiles(self.tiles)

    def tile(self, name: str) -> CloneTile | None:
        return next((t for t in self.tiles if t.name == name), None)

    def refresh(self) -> tuple[CloneTile, ...]:
        """Reload the tiles; on failure keep the old ones and say why in ``status``."""
        error = self._reload()
        if error is not None:
            self.status = f"Could not list the clones: {error}"
        else:
            self.status = self._devices_hint()
        return self.tiles

    def perform(self, action: Action | str, name: str) -> str:
        """Run ``action`` on clone ``name``, then refresh; return (and keep) the status line."""
        act = Action(action)
        try:
            handle = self.space.get(name, adb=self.adb)
            verb: Callable[[], None] = getattr(handle, act.value)
            verb()
        except CloneError as e:
            message = f"Could not {act.value} {name}: {one_line(str(e))}"
        else:
            message = f"{act.done} {name}"
        error = self._reload()
        if error is not None:
            message += f" (the list may be out of date: {error})"
        self.status = message
        return message

    def launch(self, name: str) -> str:
        return self.perform(Action.LAUNCH, name)

    def stop(self, name: str) -> str:
        return self.perform(Action.STOP, name)

    def wipe(self, name: str) -> str:
        return self.perform(Action.WIPE, name)

    def remove(self, name: str) -> str:
        return self.perform(Action.REMOVE, name)

    def identity(self, name: str) -> IdentitySummary:
        """The identity clone ``name`` answers with (android_id, imei, serial, hostname…)."""
        try:
            data = self.space.identity(name).to_dict()
        except CloneError as e:
            return IdentitySummary(name, error=f"Could not read the identity: {one_line(str(e))}")
        return IdentitySummary(name, _identity_rows(data, IDENTITY_FIELDS))

    @property
    def adb_server(self) -> str:
        """``HOST:PORT`` of the adb server the launcher uses (not contacted)."""
        try:
            return self.space.adb_server(self.adb)
        except CloneError:
            return str(self.adb)

    def devices(self) -> DeviceList:
        """Every device the adb server in use sees, ready or not (``clone devices``)."""
        if self.phone is not None:
            return DeviceList(
                "none (the launcher runs on the phone)", (DeviceRow(THIS_PHONE, "device"),)
            )
        server = self.adb_server
        try:
            found = self.space.devices(self.adb)
        except CloneError as e:
            return DeviceList(server, error=one_line(str(e)))
        rows = tuple(DeviceRow(d.serial, d.state.value, d.model) for d in found)
        return DeviceList(server, rows)

    def device_apps(self, serial: str) -> tuple[list[str], str | None]:
        """The user's apps on ``serial`` a clone can be made of, or why not."""
        try:
            if self.phone is not None and serial == THIS_PHONE:
                return [a.package for a in self.phone.apps()], None
            return self.space.device_apps(serial, self.adb), None
        except CloneError as e:
            return [], f"Could not list the apps on {serial}: {one_line(str(e))}"

    def details(self, name: str) -> CloneDetails:
        return CloneDetails(self.space, name, self.adb)

    def _devices_hint(self) -> str:
        """A word on clones whose device is not connected (their state is unknown)."""
        away = sorted({t.device or "?" for t in self.tiles if t.state == CloneState.NO_DEVICE})
        if not away:
            return ""
        them = "it" if len(away) == 1 else "them"
        return f"Not connected: {', '.join(away)}; connect {them} and press Refresh"

    def _reload(self) -> str | None:
        try:
            rows = self.space.list_clones(self.adb)
        except CloneError as e:
            return one_line(str(e))
        faces = {app: self._face(app) for app in {r.record.app for r in rows}}
        self.tiles = tuple(CloneTile.from_row(r, faces[r.record.app]) for r in rows)
        return None

    def _face(self, app: str) -> AppFace | None:
        try:
            return self.space.app_face(app)
        except (CloneError, OSError):
            return None


def _identity_rows(
    data: dict[str, str], fields: Sequence[tuple[str, str]]
) -> tuple[tuple[str, str], ...]:
    return tuple((label, str(data.get(key, "")) or "-") for key, label in fields)
