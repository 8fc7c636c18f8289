"""A clone's details screen, in plain Python: its identity and accounts, and what can be
done to them (regenerate, edit one field, add or remove an account, export, import).

``CloneDetails`` works on one clone through ``Space`` (``regen_identity``,
``set_identity``, ``add_account``, ``remove_account``, ``update_device``,
``export_clone``, ``import_clone``), as the ``clone identity``/``clone accounts``/
``clone export``/``clone import`` commands do. Every action returns an ``Outcome``: one
status line (a ``CloneError`` becomes that line, never a traceback) and whether it worked.
The identity and accounts calls use the registry, so they run on the launcher's worker
thread; export and import are ``Task`` work with progress, each with a Space of its own.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from clone import BadInput, CloneError, Space
from launcher_ui.background import Reporter
from launcher_ui.text import one_line

# The fields the details screen lists first, with their labels; the others follow.
SHOWN_FIRST: tuple[tuple[str, str], ...] = (
    ("android_id", "Android ID"),
    ("imei", "IMEI"),
    ("serial", "Serial"),
    ("model", "Model"),
    ("wifi_mac", "Wi-Fi MAC"),
    ("bt_mac", "Bluetooth MAC"),
    ("advertising_id", "Advertising ID"),
    ("hostname", "Hostname"),
    ("machine_id", "Machine ID"),
)
PROFILE = "profile"  # settable: the build fields of a real device profile at once


@dataclass(frozen=True)
class Outcome:
    """What an action did, as the status line says it."""

    ok: bool
    line: str


@dataclass(frozen=True)
class AccountRow:
    type: str
    name: str

    @property
    def text(self) -> str:
        return f"{self.name}  ({self.type})"


@dataclass(frozen=True)
class DetailsView:
    """What the details screen shows of one clone (``error``: why it could not be read)."""

    name: str
    identity: tuple[tuple[str, str, str], ...] = ()  # (field, label, value)
    accounts: tuple[AccountRow, ...] = ()
    editable: tuple[str, ...] = ()  # the fields ``set_field`` takes
    error: str | None = None


def parse_seed(text: str) -> int | None:
    """The optional seed of a regeneration: empty for a random identity, else a whole
    number >= 0 (ValueError saying so)."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(f"the seed must be a whole number (0 or more), not {text!r}")
    return int(text)


def default_export_path(name: str, folder: Path) -> Path:
    """``notes-1.clone`` for ``notes:1`` in ``folder``."""
    return folder / (name.replace(":", "-") + ".clone")


class CloneDetails:
    """One clone's identity and accounts, and the actions on them."""

    def __init__(self, space: Space, name: str, adb: str | None = None) -> None:
        self.space = space
        self.name = name
        self.adb = adb

    def load(self) -> DetailsView:
        try:
            ident = self.space.identity(self.name)
            accounts = self.space.accounts(self.name)
        except CloneError as e:
            return DetailsView(self.name, error=f"Could not read {self.name}: {one_line(str(e))}")
        data = ident.to_dict()
        fields = [f.name for f in dataclasses.fields(ident)]
        labels = dict(SHOWN_FIRST)
        order = [k for k, _ in SHOWN_FIRST] + [k for k in data if k not in labels]
        rows = tuple((k, labels.get(k, _label(k)), str(data[k]) or "-") for k in order)
        return DetailsView(
            self.name,
            rows,
            tuple(AccountRow(a.type, a.name) for a in accounts),
            (*fields, PROFILE),
        )

    # -- identity ----------------------------------------------------------------------

    def regen(self, seed_text: str) -> Outcome:
        """Draw a new identity (from the seed, when one is typed)."""
        try:
            seed = parse_seed(seed_text)
        except ValueError as e:
            return Outcome(False, str(e))
        try:
            self.space.regen_identity(self.name, seed)
        except CloneError as e:
            return self._failed("draw a new identity for", e)
        how = "a random one" if seed is None else f"seed {seed}"
        return self._pushed(f"New identity for {self.name} ({how})")

    def set_field(self, field: str, value: str) -> Outcome:
        """Set one field (validated: an IMEI's Luhn digit, a MAC's bits…)."""
        if not field:
            return Outcome(False, "choose the field to change")
        try:
            self.space.set_identity(self.name, field, value.strip())
        except CloneError as e:
            return self._failed(f"set {field} of", e)
        return self._pushed(f"Set {field} of {self.name}")

    # -- accounts ----------------------------------------------------------------------

    def add_account(self, type_: str, name: str) -> Outcome:
        try:
            self.space.add_account(self.name, type_.strip(), name.strip())
        except CloneError as e:
            return self._failed("add the account to", e)
        return self._pushed(f"Added {name.strip()} to {self.name}")

    def remove_account(self, type_: str, name: str) -> Outcome:
        try:
            self.space.remove_account(self.name, type_, name)
        except CloneError as e:
            return self._failed("remove the account from", e)
        return self._pushed(f"Removed {name} from {self.name}")

    # -- helpers -----------------------------------------------------------------------

    def _pushed(self, done: str) -> Outcome:
        """``done``, and what taking the change to the phone did (nothing for a host clone)."""
        try:
            update = self.space.update_device(self.name, self.adb)
        except CloneError as e:
            # The registry has the change; ``clone identity push`` takes it there later.
            return Outcome(True, f"{done}, but not on its phone: {one_line(str(e))}")
        if update.backend == "host":
            return Outcome(True, done)
        return Outcome(True, f"{done}; {update.message}")

    def _failed(self, what: str, error: CloneError) -> Outcome:
        return Outcome(False, f"Could not {what} {self.name}: {one_line(str(error))}")


# -- export and import: Task work, each with a Space of its own -------------------------


def export_clone(home: Path, name: str, target: str, reporter: Reporter) -> str:
    """Write clone ``name`` to the archive ``target`` (not over an existing file)."""
    if not target.strip():
        raise BadInput("no file chosen to export to")
    path = Path(target.strip()).expanduser()
    if path.exists():  # the CLI's answer is --force; here, another name
        raise BadInput(f"{path.name} exists in {path.parent}", hint="choose another name")
    with Space(home=home) as space:
        result = space.export_clone(name, path, progress=reporter.progress)
    line = f"Exported {result.name} to {result.path}"
    if result.warnings:
        line += f" ({one_line(' '.join(result.warnings))})"
    return line


def import_clone(home: Path, source: str, as_name: str, reporter: Reporter) -> str:
    """Register the clone exported in ``source`` (as ``as_name`` when typed)."""
    if not source.strip():
        raise BadInput("no archive chosen to import")
    with Space(home=home) as space:
        result = space.import_clone(
            Path(source.strip()).expanduser(), as_name.strip() or None, progress=reporter.progress
        )
    line = f"Imported {result.name} from {result.path.name}"
    if result.warnings:
        line += f" ({one_line(' '.join(result.warnings))})"
    return line


_ACRONYMS = {
    "id": "ID",
    "meid": "MEID",
    "imsi": "IMSI",
    "iccid": "ICCID",
    "gsf": "GSF",
    "sim": "SIM",
    "iso": "ISO",
}


def _label(field: str) -> str:
    """``gsf_id`` -> ``GSF ID``, ``phone_number`` -> ``Phone number``."""
    words = [_ACRONYMS.get(w, w) for w in field.split("_")]
    words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words)
