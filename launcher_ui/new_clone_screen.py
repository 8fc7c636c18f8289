"""The "+ New clone" screen (Kivy): the widgets over a ``NewCloneFlow`` (new_clone.kv).

Every change goes to the flow first; ``sync`` then copies the flow's state into the
screen's properties, which the .kv binds to. The run is a ``Task``: its work on a thread of
its own, its progress and its end back through ``Clock.schedule_once``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import Screen

from clone import CloneError
from launcher_ui.background import Reporter, Task
from launcher_ui.new_clone import APK_SUFFIXES, FlowState, NewCloneFlow, NewCloneJob
from launcher_ui.on_phone import Phone
from launcher_ui.view_models import DeviceList

BUILD_ONLY = "No device: build the APKs only"


def on_ui_thread(callback: Callable[[], None]) -> None:
    """The ``schedule`` of every task: ``callback`` on Kivy's thread at the next frame."""
    Clock.schedule_once(lambda _dt: callback())


class ApkChooser(ModalView):  # type: ignore[misc]
    """A file chooser for an APK (.apk, .apks, .xapk) or a folder of split APKs."""

    path = StringProperty(str(Path.home()))
    filters = ListProperty([f"*{s}" for s in APK_SUFFIXES])
    title = StringProperty("Choose an APK")
    on_chosen: Callable[[str], None] = staticmethod(lambda text: None)

    def choose(self, selection: list[str], folder: str) -> None:
        self.dismiss()
        self.on_chosen(selection[0] if selection else folder)


class DeviceAppsPopup(ModalView):  # type: ignore[misc]
    """The user's apps on the target device; a tap picks one."""

    device = StringProperty("")
    apps = ListProperty([])  # [{"text": package}]
    message = StringProperty("Loading the apps…")
    on_chosen: Callable[[str], None] = staticmethod(lambda package: None)

    def show(self, apps: list[str], error: str | None) -> None:
        """The apps found (a button each), or why there are none."""
        from kivy.factory import Factory

        box = self.ids.list
        box.clear_widgets()
        for package in apps:
            button = Factory.FlatButton(text=package)
            button.bind(on_release=lambda b: self.pick(b.text))
            box.add_widget(button)
        if error:
            self.message = error
        elif not apps:
            self.message = f"No apps of the user's on {self.device}"
        else:
            self.message = "Tap the app to clone"

    def pick(self, package: str) -> None:
        self.dismiss()
        self.on_chosen(package)


class NewCloneScreen(Screen):  # type: ignore[misc]
    """The form, then the run's progress, then its end (new_clone.kv)."""

    source_text = StringProperty("")
    count_text = StringProperty("1")
    targets = ListProperty([BUILD_ONLY])
    target_text = StringProperty(BUILD_ONLY)
    hooks_on = BooleanProperty(True)
    can_start = BooleanProperty(False)
    editing = BooleanProperty(True)
    running = BooleanProperty(False)
    finished = BooleanProperty(False)  # done or failed: the end line is shown
    progress = NumericProperty(0.0)  # 0..1
    progress_text = StringProperty("")
    error = StringProperty("")
    result = StringProperty("")
    devices_text = StringProperty("")  # the adb server in use and every device it sees

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.flow = NewCloneFlow()
        self.task: Task[str] | None = None

    # -- opening -----------------------------------------------------------------------

    def open_for(self, devices: tuple[str, ...], adb: str | None, phone: Phone | None) -> None:
        """A fresh form, its target the first connected device (on the phone: itself)."""
        self.flow = NewCloneFlow(devices, adb, phone)
        self.targets = [*devices, BUILD_ONLY]
        self.sync()

    def devices_found(self, devices: DeviceList) -> None:
        """The devices arrived: the target choices grow, the form keeps what was chosen."""
        self.flow.devices_found(devices.ready)
        self.targets = [*devices.ready, BUILD_ONLY]
        self.devices_text = devices.text
        self.sync()

    # -- the form ----------------------------------------------------------------------

    def pick_apk(self) -> None:
        chooser = ApkChooser()
        chooser.on_chosen = self.chose_apk
        chooser.open()

    def chose_apk(self, text: str) -> None:
        self.flow.choose_apk(text)
        self.sync()

    def pick_device_app(self) -> None:
        device = self.flow.device or (self.flow.devices[0] if self.flow.devices else None)
        if device is None:
            self.flow.error = "no device is connected: connect one, or choose an APK file"
            self.sync()
            return
        popup = DeviceAppsPopup(device=device)
        popup.on_chosen = lambda package: self.chose_device_app(package, device)
        popup.open()
        App.get_running_app().load_device_apps(popup)

    def chose_device_app(self, package: str, device: str) -> None:
        self.flow.choose_device_app(package, device)
        self.sync()

    def count_typed(self, text: str) -> None:
        if text != self.flow.count_text:
            self.flow.set_count(text)
            self.sync()

    def bump(self, by: int) -> None:
        self.flow.bump_count(by)
        self.sync()

    def target_chosen(self, text: str) -> None:
        self.flow.set_target(None if text == BUILD_ONLY else text)
        self.sync()

    def hooks_toggled(self, on: bool) -> None:
        self.flow.set_hooks(on)
        self.sync()

    # -- the run -----------------------------------------------------------------------

    def start(self) -> None:
        job = self.flow.start()
        self.sync()
        if job is None:
            return
        home = App.get_running_app().model.space.home.root
        self.task = Task(
            self.work_of(job, home), on_ui_thread,
            on_step=self._step, on_done=self._done, on_error=self._failed,
            name="clone-ui-new-clone",
        ).start()  # fmt: skip

    def work_of(self, job: NewCloneJob, home: Path) -> Callable[[Reporter], str]:
        """What the run's thread does (a screenshot's scene holds it midway)."""
        return lambda reporter: job.run(home, reporter)

    def cancel(self) -> None:
        if self.flow.cancel() and self.task is not None:
            self.task.cancel()
        self.sync()

    def again(self) -> None:
        """After a failure: back to the form, the choices kept."""
        self.flow.edit_again()
        self.sync()

    def _step(self, step: Any) -> None:
        self.flow.progressed(step)
        self.sync()

    def _done(self, line: str) -> None:
        self.flow.finished(line)
        self.sync()
        App.get_running_app().clones_changed(line)

    def _failed(self, error: CloneError) -> None:
        self.flow.failed(error)
        self.sync()

    # -- flow -> properties ------------------------------------------------------------

    def sync(self) -> None:
        flow = self.flow
        self.source_text = flow.source.title if flow.source else "nothing chosen yet"
        self.count_text = flow.count_text
        self.target_text = flow.device or BUILD_ONLY
        self.hooks_on = flow.hooks == "gadget"
        self.can_start = flow.can_start
        self.editing = flow.state is FlowState.EDITING
        self.running = flow.state in (FlowState.RUNNING, FlowState.CANCELLING)
        self.finished = flow.state in (FlowState.DONE, FlowState.FAILED)
        self.progress = flow.step.fraction if flow.step else 0.0
        self.progress_text = flow.progress_text
        self.error = flow.error
        self.result = flow.result
