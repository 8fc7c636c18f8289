""" "+ New clone": pick an app, choose how many, build (and install) off the UI thread.

``NewCloneFlow`` is the form and its states, in plain Python: the source (an APK file on
this machine, or an app already on a device, pulled over adb), the count, where the clones
go (a device: built and installed, registered; no device: clone APKs built into
``$CLONE_HOME/builds``), then the run: progress, a cancel, and the end as one line.
``NewCloneJob.run`` is the work itself, on the task's thread, through ``Space`` only.
"""

from __future__ import annotations

import enum
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from clone import Cancelled, CloneError, NotFound, Space
from launcher_ui.background import Reporter, Step
from launcher_ui.on_phone import THIS_PHONE, Phone, copy_app
from launcher_ui.text import one_line

MAX_COUNT = 99  # clones made at once from the launcher (``clone install -n`` takes more)
APK_SUFFIXES = (".apk", ".apks", ".xapk")


class FlowState(enum.StrEnum):
    EDITING = "editing"  # the form: source, count, target
    RUNNING = "running"
    CANCELLING = "cancelling"  # cancel asked; the work undoes what it did
    DONE = "done"
    FAILED = "failed"  # an error, or a cancel, as one line


@dataclass(frozen=True)
class ApkFile:
    """An APK (or .apks/.xapk, or a directory of split APKs) on this machine."""

    path: Path

    @property
    def title(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class DeviceApp:
    """An app installed on a device, pulled from it (``pm path``, ``adb pull``)."""

    package: str
    device: str

    @property
    def title(self) -> str:
        return f"{self.package} (on {self.device})"


Source = ApkFile | DeviceApp


def parse_apk_path(text: str) -> ApkFile:
    """A source APK as the file chooser gives it; ValueError saying what is wrong."""
    if not text.strip():
        raise ValueError("no file chosen")
    path = Path(text.strip()).expanduser()
    if path.is_dir():
        if not any(p.suffix == ".apk" for p in path.iterdir()):
            raise ValueError(f"{path} holds no .apk files")
        return ApkFile(path)
    if not path.is_file():
        raise ValueError(f"no file at {path}")
    if path.suffix.lower() not in APK_SUFFIXES:
        raise ValueError(f"{path.name} is not an APK (.apk, .apks or .xapk)")
    return ApkFile(path)


def parse_count(text: str) -> int:
    """The number of clones typed in the form; ValueError saying the range."""
    try:
        count = int(text.strip())
    except ValueError:
        raise ValueError(f"the count must be a number from 1 to {MAX_COUNT}") from None
    if not 1 <= count <= MAX_COUNT:
        raise ValueError(f"the count must be from 1 to {MAX_COUNT}, not {count}")
    return count


@dataclass(frozen=True)
class NewCloneJob:
    """One run of the flow: what to clone, how many, where (``device`` None: build only)."""

    source: Source
    count: int
    device: str | None
    adb: str | None = None
    hooks: str = "gadget"
    phone: Phone | None = field(default=None, compare=False)  # running on the phone itself

    def run(self, home: Path, reporter: Reporter) -> str:
        """Do it (on the task's thread, with a Space of its own: a registry connection
        belongs to the thread that opened it); the line that says what was made."""
        with Space(home=home) as space, tempfile.TemporaryDirectory(prefix="clone-ui-") as tmp:
            apk = self._source_apk(space, Path(tmp), reporter)
            if self.device is None:
                return self._build(space, apk, reporter)
            if self.device == THIS_PHONE and self.phone is not None:
                return self._onto_this_phone(space, apk, Path(tmp) / "built", reporter)
            what = "clone" if self.count == 1 else "clones"
            label = f"building and installing {self.count} {what} on {self.device}"
            with reporter.progress(label, self.count) as advance:
                clones = space.install(
                    apk, self.count, self.device, adb=self.adb, hooks=self.hooks, advance=advance
                )
            names = ", ".join(c.name for c in clones)
            return f"Installed {names} on {self.device}"

    def _source_apk(self, space: Space, tmp: Path, reporter: Reporter) -> Path:
        if isinstance(self.source, ApkFile):
            return self.source.path
        app = self.source
        if app.device == THIS_PHONE and self.phone is not None:
            found = {a.package: a for a in self.phone.apps()}
            if app.package not in found:
                raise NotFound(f"{app.package} is not installed on this phone")
            reporter.say(f"copying the APKs of {app.package}")
            return copy_app(found[app.package], tmp / "copied")
        return space.pull_app(
            app.package, tmp / "pulled", app.device, self.adb, progress=reporter.progress
        )

    def _onto_this_phone(self, space: Space, apk: Path, out: Path, reporter: Reporter) -> str:
        """On the phone itself: build, then hand each clone to Android's installer (the
        user confirms each). They are not registered: nothing here can see them installed."""
        assert self.phone is not None
        with reporter.progress(f"building {self.count} clones", self.count) as advance:
            built = space.build(apk, self.count, out, hooks=self.hooks, advance=advance)
        with reporter.progress("handing them to Android's installer", self.count) as advance:
            for c in built.clones:
                self.phone.install(c.package, (c.apk, *c.splits), advance)
        return (
            f"Sent {len(built.clones)} clones of {built.source.package} to Android's "
            "installer: confirm each on screen"
        )

    def _build(self, space: Space, apk: Path, reporter: Reporter) -> str:
        out = space.home.root / "builds"
        what = "clone APK" if self.count == 1 else "clone APKs"
        with reporter.progress(f"building {self.count} {what}", self.count) as advance:
            built = space.build(apk, self.count, out, hooks=self.hooks, force=True, advance=advance)
        return f"Built {len(built.clones)} {what} of {built.source.package} into {out}"


class NewCloneFlow:
    """The "+ New clone" form and its run, for one opening of it."""

    def __init__(
        self, devices: tuple[str, ...] = (), adb: str | None = None, phone: Phone | None = None
    ) -> None:
        self.devices = devices  # the connected devices; the first is the default target
        self.adb = adb
        self.phone = phone  # the phone the launcher runs on (then devices is (THIS_PHONE,))
        self.state = FlowState.EDITING
        self.source: Source | None = None
        self.count_text = "1"
        self.device: str | None = devices[0] if devices else None
        self.target_chosen = False  # by the user (then devices_found leaves it)
        # On the phone: no hook payload (LIEF, which embeds it, has no python-for-android
        # recipe), so plain renamed clones.
        self.hooks = "gadget" if phone is None else "none"
        self.error = ""  # one line: a bad field, a failure, a cancel
        self.step: Step | None = None
        self.result = ""

    # -- the form -----------------------------------------------------------------------

    def choose_apk(self, text: str) -> bool:
        try:
            self.source = parse_apk_path(text)
        except ValueError as e:
            self.error = str(e)
            return False
        self.error = ""
        return True

    def choose_device_app(self, package: str, device: str) -> None:
        self.source = DeviceApp(package, device)
        if self.device is None:
            self.device = device  # an app pulled from a phone goes back to it by default
        self.error = ""

    def set_count(self, text: str) -> bool:
        self.count_text = text
        try:
            parse_count(text)
        except ValueError as e:
            self.error = str(e)
            return False
        self.error = ""
        return True

    def bump_count(self, by: int) -> None:
        try:
            count = parse_count(self.count_text)
        except ValueError:
            count = 1
        self.set_count(str(min(MAX_COUNT, max(1, count + by))))

    def set_target(self, device: str | None) -> None:
        """Where the clones go: a connected device, or None (build the APKs only)."""
        if device is not None and device not in self.devices:
            self.error = f"{device} is not connected"
            return
        self.device = device
        self.target_chosen = True
        self.error = ""

    def devices_found(self, devices: tuple[str, ...]) -> None:
        """The connected devices, once known (the form is open meanwhile): the first is the
        target unless one was chosen; what else was chosen stays."""
        self.devices = devices
        if not self.target_chosen and not isinstance(self.source, DeviceApp):
            self.device = devices[0] if devices else None

    def set_hooks(self, on: bool) -> None:
        self.hooks = "gadget" if on else "none"

    @property
    def target_text(self) -> str:
        if self.device is None:
            return "no device: build the clone APKs only"
        return f"install on {self.device}"

    @property
    def can_start(self) -> bool:
        return self.state is FlowState.EDITING and self.source is not None and self._count_ok

    @property
    def _count_ok(self) -> bool:
        try:
            parse_count(self.count_text)
        except ValueError:
            return False
        return True

    def start(self) -> NewCloneJob | None:
        """The job to run, and the flow now running; None (with ``error``) if the form is
        not complete."""
        if self.state is not FlowState.EDITING:
            return None
        if self.source is None:
            self.error = "choose an APK file or an app on a device first"
            return None
        try:
            count = parse_count(self.count_text)
        except ValueError as e:
            self.error = str(e)
            return None
        self.state = FlowState.RUNNING
        self.error = ""
        self.step = Step("starting")
        return NewCloneJob(self.source, count, self.device, self.adb, self.hooks, self.phone)

    # -- the run (called on the UI thread) ---------------------------------------------

    def progressed(self, step: Step) -> None:
        if self.state in (FlowState.RUNNING, FlowState.CANCELLING):
            self.step = step

    def cancel(self) -> bool:
        """Ask the run to stop; True if there was one to stop."""
        if self.state is not FlowState.RUNNING:
            return False
        self.state = FlowState.CANCELLING
        return True

    def finished(self, line: str) -> None:
        self.state = FlowState.DONE
        self.result = line
        self.error = ""

    def failed(self, error: CloneError) -> None:
        self.state = FlowState.FAILED
        if isinstance(error, Cancelled):
            self.error = "Cancelled: nothing was kept"
        else:
            self.error = f"Could not make the clones: {one_line(str(error))}"

    def edit_again(self) -> None:
        """Back to the form after a failure (the choices are kept)."""
        if self.state is FlowState.FAILED:
            self.state = FlowState.EDITING
            self.step = None

    @property
    def progress_text(self) -> str:
        step = self.step
        if step is None:
            return ""
        text = step.label[:1].upper() + step.label[1:]
        if step.total:
            text += f": {step.done} of {step.total}"
        if self.state is FlowState.CANCELLING:
            text += " (cancelling: what was done is undone)"
        return text
