"""The details screen's model without Kivy: identity (view, regenerate, edit a field),
accounts, export and import, each error one line."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from clone import BadInput, Cancelled
from clone.registry import Backend, CloneRecord
from clone.space import Space
from launcher_ui.background import Reporter, Step
from launcher_ui.details import (
    CloneDetails,
    default_export_path,
    export_clone,
    import_clone,
    parse_seed,
)
from tests.launcher_ui.test_view_models import unreachable_adb_server

VALID_IMEI = "490154203237518"  # Luhn-valid


@pytest.fixture
def notes(space: Space, tmp_path: Path) -> CloneDetails:
    data = tmp_path / "notes-data"
    data.mkdir()
    space.host_clone("notes", 1, [data])
    return CloneDetails(space, "notes:1")


def test_the_identity_is_shown_with_its_labels(notes: CloneDetails, space: Space) -> None:
    view = notes.load()
    stored = space.identity("notes:1")

    assert view.error is None
    rows = {field: (label, value) for field, label, value in view.identity}
    assert rows["android_id"] == ("Android ID", stored.android_id)
    assert rows["imei"] == ("IMEI", stored.imei)
    assert rows["gsf_id"][0] == "GSF ID"  # the fields not listed first follow, labelled
    assert rows["sim_country_iso"][0] == "SIM country ISO"
    assert rows["phone_number"][0] == "Phone number"
    assert [f for f, _, _ in view.identity][:3] == ["android_id", "imei", "serial"]
    assert "imei" in view.editable and "profile" in view.editable
    assert "sim_operator" not in view.editable  # derived from the IMSI
    assert view.accounts == ()


def test_regenerate_with_a_seed_is_reproducible(notes: CloneDetails, space: Space) -> None:
    before = space.identity("notes:1")

    assert notes.regen("42") == notes.regen(" 42 ")
    first = space.identity("notes:1")
    assert first != before
    assert notes.regen("42").line == "New identity for notes:1 (seed 42)"  # host: no phone
    assert space.identity("notes:1") == first
    assert notes.regen("").line == "New identity for notes:1 (a random one)"
    assert space.identity("notes:1") != first


@pytest.mark.parametrize("seed", ["-1", "abc", "4.2"])
def test_a_bad_seed_changes_nothing(notes: CloneDetails, space: Space, seed: str) -> None:
    before = space.identity("notes:1")
    outcome = notes.regen(seed)
    assert not outcome.ok
    assert outcome.line == f"the seed must be a whole number (0 or more), not {seed!r}"
    assert space.identity("notes:1") == before
    with pytest.raises(ValueError):
        parse_seed(seed)


def test_one_field_is_edited_with_validation(notes: CloneDetails, space: Space) -> None:
    before = space.identity("notes:1")

    bad = notes.set_field("imei", "490154203237519")  # the Luhn digit is wrong
    assert not bad.ok
    assert bad.line.startswith("Could not set imei of notes:1: ")
    assert "\n" not in bad.line and "the identity of notes:1 is unchanged" in bad.line
    assert space.identity("notes:1") == before
    assert notes.set_field("", "x").line == "choose the field to change"
    unknown = notes.set_field("colour", "blue")
    assert not unknown.ok and unknown.line.startswith("Could not set colour of notes:1: ")

    good = notes.set_field("imei", f" {VALID_IMEI} ")
    assert good.ok and good.line == "Set imei of notes:1"
    assert space.identity("notes:1").imei == VALID_IMEI
    assert dict((f, v) for f, _, v in notes.load().identity)["imei"] == VALID_IMEI


def test_accounts_are_listed_added_and_removed(notes: CloneDetails, space: Space) -> None:
    assert notes.add_account("com.google", "alice@example.com").line == (
        "Added alice@example.com to notes:1"
    )
    notes.add_account("org.telegram", "+15550100")
    assert [a.text for a in notes.load().accounts] == [
        "alice@example.com  (com.google)", "+15550100  (org.telegram)",
    ]  # fmt: skip

    bad = notes.add_account("com google", "bob")
    assert not bad.ok and bad.line.startswith("Could not add the account to notes:1: bad account")
    assert len(space.accounts("notes:1")) == 2

    assert notes.remove_account("com.google", "alice@example.com").ok
    assert [a.name for a in space.accounts("notes:1")] == ["+15550100"]


def test_a_device_clone_says_what_happened_on_its_phone(space: Space) -> None:
    space.registry.add(
        CloneRecord(
            "com.example.app", 1, Backend.PACKAGE, "com.example.app",
            "com.example.app.clone1", "emulator-5554",
        )
    )  # fmt: skip
    adb = unreachable_adb_server()
    details = CloneDetails(space, "com.example.app:1", adb=adb)
    before = space.identity("com.example.app:1")

    outcome = details.regen("7")

    assert outcome.ok  # the registry has it; the phone gets it later
    assert space.identity("com.example.app:1") != before
    assert outcome.line == (
        "New identity for com.example.app:1 (seed 7), but not on its phone: cannot reach the "
        f"adb server at {adb}; start it with `adb start-server` or pass --adb"
    )


def test_an_unknown_clone_is_an_error_line(space: Space) -> None:
    view = CloneDetails(space, "ghost:1").load()
    assert view.error == (
        "Could not read ghost:1: no clone named 'ghost:1'; `clone list` shows the clones"
    )


def reporter(steps: list[Step], cancelled: threading.Event | None = None) -> Reporter:
    return Reporter(steps.append, cancelled or threading.Event())


def test_export_then_import_elsewhere_with_progress(
    notes: CloneDetails, space: Space, tmp_path: Path
) -> None:
    store = space.home.store_dir / "host" / "notes" / "1" / "data" / "0"
    store.mkdir(parents=True)
    (store / "login").write_text("alice\n")
    target = default_export_path("notes:1", tmp_path)
    assert target == tmp_path / "notes-1.clone"
    steps: list[Step] = []

    line = export_clone(space.home.root, "notes:1", str(target), reporter(steps))

    assert line == f"Exported notes:1 to {target}"
    assert steps[0] == Step("exporting notes:1", 0, 6) and steps[-1].done == 6
    with pytest.raises(BadInput, match=r"^notes-1\.clone exists in .*; choose another name$"):
        export_clone(space.home.root, "notes:1", str(target), reporter([]))
    with pytest.raises(BadInput, match="no file chosen"):
        export_clone(space.home.root, "notes:1", " ", reporter([]))

    other = tmp_path / "other-home"
    steps.clear()
    line = import_clone(other, str(target), "", reporter(steps))
    assert line == "Imported notes:1 from notes-1.clone"
    assert steps[-1] == Step("importing notes:1", 6, 6)
    with Space(home=other) as there:
        moved = there.home.store_dir / "host" / "notes" / "1" / "data" / "0" / "login"
        assert moved.read_text() == "alice\n"
        assert there.identity("notes:1") == space.identity("notes:1")


def test_a_cancelled_import_registers_nothing(
    notes: CloneDetails, space: Space, tmp_path: Path
) -> None:
    target = tmp_path / "n.clone"
    export_clone(space.home.root, "notes:1", str(target), reporter([]))
    cancelled = threading.Event()
    cancelled.set()
    other = tmp_path / "other-home"

    with pytest.raises(Cancelled):
        import_clone(other, str(target), "notes:2", reporter([], cancelled))

    with Space(home=other) as there:
        assert there.records() == []
