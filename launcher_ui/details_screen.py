"""The details screen (Kivy): one clone's identity and accounts, with their actions, and
export/import (details.kv). The logic is ``launcher_ui.details``; this binds it.

Identity and account actions run on the app's worker thread (the registry lives there);
export and import are ``Task`` work with a progress bar. Each ends as one status line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import Screen

from clone import Cancelled, CloneError
from launcher_ui.background import Step, Task
from launcher_ui.details import (
    DetailsView,
    Outcome,
    default_export_path,
    export_clone,
    import_clone,
)
from launcher_ui.new_clone_screen import on_ui_thread
from launcher_ui.text import one_line


class ArchiveChooser(ModalView):  # type: ignore[misc]
    """A file chooser for export (a folder and a file name) or import (a .clone file)."""

    title = StringProperty("")
    path = StringProperty(str(Path.home()))
    file_name = StringProperty("")  # export: the name typed; import: empty
    saving = BooleanProperty(False)
    action = StringProperty("")

    def choose(self, selection: list[str], folder: str, name: str) -> None:
        self.dismiss()
        screen = App.get_running_app().root.get_screen("details")
        if self.saving:
            screen.export_to(str(Path(folder) / name) if name.strip() else "")
        else:
            screen.import_from(selection[0] if selection else "")


class AccountRow(BoxLayout):  # type: ignore[misc]
    """One account with its Remove button (details.kv)."""

    text = StringProperty("")
    type_ = StringProperty("")
    name = StringProperty("")


class DetailsScreen(Screen):  # type: ignore[misc]
    """The selected clone's identity, accounts and archive actions (details.kv)."""

    fields = ListProperty([])  # the identity fields one can set
    field = StringProperty("")  # the one chosen to set
    accounts = ListProperty([])  # [(type, name)]
    message = StringProperty("")  # the last action's line
    message_ok = BooleanProperty(True)
    working = BooleanProperty(False)  # an action runs: the buttons wait
    transfer = NumericProperty(0.0)
    transfer_text = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.task: Task[str] | None = None
        self.transferring = ""  # "export notes:1", for the line of its failure

    # -- showing -----------------------------------------------------------------------

    def show(self, view: DetailsView) -> None:
        app = App.get_running_app()
        if view.name != app.selected:
            return  # another clone was selected meanwhile
        app.identity_rows = [{"key": label, "value": value} for _, label, value in view.identity]
        app.identity_error = view.error or ""
        self.fields = list(view.editable)
        if self.field not in self.fields:
            self.field = "imei" if "imei" in self.fields else (self.fields or [""])[0]
        self.accounts = [(a.type, a.name) for a in view.accounts]
        self._render_accounts()

    def reset(self) -> None:
        self.message, self.message_ok, self.transfer_text, self.transfer = "", True, "", 0.0
        self.accounts = []
        self._render_accounts()

    def _render_accounts(self) -> None:
        box = self.ids.accounts
        box.clear_widgets()
        for type_, name in self.accounts:
            box.add_widget(AccountRow(text=f"{name}  ({type_})", type_=type_, name=name))
        self.ids.no_accounts.opacity = 0 if self.accounts else 1

    # -- actions -----------------------------------------------------------------------

    def regen(self, seed: str) -> None:
        self._act(lambda d: d.regen(seed), clear="seed")

    def set_field(self, value: str) -> None:
        field = self.field
        self._act(lambda d: d.set_field(field, value), clear="value")

    def add_account(self, type_: str, name: str) -> None:
        self._act(lambda d: d.add_account(type_, name), clear="account_name")

    def remove_account(self, type_: str, name: str) -> None:
        self._act(lambda d: d.remove_account(type_, name))

    def _act(self, call: Any, clear: str | None = None) -> None:
        app = App.get_running_app()
        if self.working or not app.selected:
            return
        self.working = True
        self.message, self.message_ok = "Working…", True
        details = app.model.details(app.selected)

        def work() -> tuple[Outcome, DetailsView]:
            return call(details), details.load()

        def done(result: tuple[Outcome, DetailsView]) -> None:
            outcome, view = result
            self.working = False
            self.message, self.message_ok = outcome.line, outcome.ok
            if outcome.ok and clear:
                self.ids[clear].text = ""
            self.show(view)

        app.submit(work, done)

    # -- export and import -------------------------------------------------------------

    def pick_export(self) -> None:
        app = App.get_running_app()
        chooser = ArchiveChooser(title=f"Export {app.selected} to a folder", saving=True)
        chooser.file_name = default_export_path(app.selected, Path()).name
        chooser.open()

    def pick_import(self) -> None:
        ArchiveChooser(title="Import a clone (.clone archive)", saving=False).open()

    def export_to(self, target: str) -> None:
        app = App.get_running_app()
        name, home = app.selected, app.model.space.home.root
        self._transfer(
            f"export {name}", lambda reporter: export_clone(home, name, target, reporter)
        )

    def import_from(self, source: str) -> None:
        home = App.get_running_app().model.space.home.root
        self._transfer("import the clone", lambda r: import_clone(home, source, "", r))

    def _transfer(self, what: str, work: Any) -> None:
        if self.working:
            return
        self.transferring = what
        self.working = True
        self.message, self.message_ok = "", True
        self.transfer, self.transfer_text = 0.0, "Starting…"
        self.task = Task(
            work, on_ui_thread, on_step=self._step, on_done=self._moved, on_error=self._failed,
            name="clone-ui-transfer",
        ).start()  # fmt: skip

    def cancel_transfer(self) -> None:
        if self.task is not None and self.task.running:
            self.task.cancel()
            self.transfer_text += " (cancelling)"

    def _step(self, step: Step) -> None:
        self.transfer = step.fraction
        label = step.label[:1].upper() + step.label[1:]
        self.transfer_text = f"{label}: {step.done:,} of {step.total:,} bytes"

    def _moved(self, line: str) -> None:
        self.working = False
        self.transfer_text = ""
        self.message, self.message_ok = line, True
        App.get_running_app().clones_changed(line)

    def _failed(self, error: CloneError) -> None:
        self.working = False
        self.transfer_text = ""
        if isinstance(error, Cancelled):
            self.message = "Cancelled: nothing was kept"
        else:
            self.message = f"Could not {self.transferring}: {one_line(str(error))}"
        self.message_ok = False
