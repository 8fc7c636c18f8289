"""The launcher's view model without Kivy: clones grouped under their app, with its label
and icon when kept; what a tap does; the empty state's wording."""

from __future__ import annotations

import re
from pathlib import Path

from clone.registry import Backend, CloneRecord
from clone.space import Space
from clone.workflows.listing import CloneRow, CloneState
from launcher_ui.view_models import EMPTY_HINT, EMPTY_TITLE, Action, CloneTile, LauncherModel
from tests.realapks import POCOSERVICE, real_apk

POCO = "com.netease.open.pocoservice"


def device_record(app: str, index: int) -> CloneRecord:
    return CloneRecord(
        app=app, index=index, backend=Backend.PACKAGE, source_package=app,
        package=f"{app}.clone{index}", device="emulator-5554",
    )  # fmt: skip


def test_clones_are_grouped_under_their_app(space: Space, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    space.host_clone("notes", 1, [data])
    space.host_clone("notes", 2, [data])
    space.host_clone("diary", 1, [data])
    model = LauncherModel(space)
    model.refresh()

    groups = model.groups
    assert [(g.app, [t.name for t in g.tiles]) for g in groups] == [
        ("diary", ["diary:1"]),
        ("notes", ["notes:1", "notes:2"]),
    ]
    assert [g.caption for g in groups] == ["1 clone", "2 clones"]
    assert [t.badge for t in groups[1].tiles] == ["1", "2"]


def test_a_kept_face_gives_the_label_and_icon(space: Space) -> None:
    space.registry.add(device_record(POCO, 1))
    model = LauncherModel(space)
    (plain,) = model.refresh()
    assert (plain.label, plain.icon) == (POCO, None)  # nothing kept: the package, a letter

    space.keep_app_face(real_apk(POCOSERVICE))
    (tile,) = model.refresh()
    assert tile.label == "PocoService"
    assert tile.icon is not None and Path(tile.icon).read_bytes().startswith(b"\x89PNG")
    (group,) = model.groups
    assert (group.label, group.icon) == ("PocoService", tile.icon)


def test_a_tap_launches_what_can_launch_and_opens_the_menu_otherwise() -> None:
    record = device_record("app", 1)
    for state, tap in [
        (CloneState.INSTALLED, Action.LAUNCH),
        (CloneState.RUNNING, Action.LAUNCH),
        (CloneState.MISSING, None),
        (CloneState.NO_DEVICE, None),
    ]:
        assert CloneTile.from_row(CloneRow(record, state)).tap is tap


def test_the_empty_state_has_one_quoting_style_and_no_demo() -> None:
    text = EMPTY_TITLE + EMPTY_HINT
    assert "'" not in text and '"' not in text
    assert text.count("`") % 2 == 0
    outside = re.sub(r"`[^`]*`", "", text)  # every command in backticks
    assert not re.search(r"\bclone (install|host|ui|list|demo)\b", outside)
    assert "clone demo" not in text
    assert "`clone install app.apk`" in text and "`clone host run " in text
    assert "+ New clone" in text
