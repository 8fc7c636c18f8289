"""The launcher's view model, driven without Kivy: tiles, actions, status lines, identity."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from clone.registry import Backend, CloneRecord
from clone.space import Space
from clone.state import UserState
from launcher_ui.view_models import (
    EMPTY_HINT,
    Action,
    CloneTile,
    DeviceList,
    DeviceRow,
    LauncherModel,
)
from tests.device.fake_adb import FakeAdbServer, FakePackage, FakePhone


def host_clones(space: Space, tmp_path: Path, count: int = 2) -> Path:
    data = tmp_path / "notes-data"
    data.mkdir()
    for n in range(1, count + 1):
        space.host_clone("notes", n, [data])
    return data


def store_data(space: Space, index: int) -> Path:
    return space.home.store_dir / "host" / "notes" / str(index) / "data"


def test_view_models_do_not_import_kivy() -> None:
    code = "import sys, launcher_ui.view_models; print([m for m in sys.modules if 'kivy' in m])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "[]\n"


def test_no_clones_means_no_tiles(clone_space: Space) -> None:
    model = LauncherModel(clone_space)
    assert model.refresh() == ()
    assert model.summary == "No clones"
    assert model.status == ""


def test_after_the_demo_the_empty_launcher_points_at_its_clones(
    clone_space: Space, tmp_path: Path
) -> None:
    model = LauncherModel(clone_space)
    assert model.empty_hint == EMPTY_HINT
    demo_home = clone_space.home.demo_home
    with Space(home=demo_home) as demo:  # what 'clone demo' leaves
        host_clones(demo, tmp_path)
    assert model.empty_hint == (
        f"The demo's clones are in its own home: `CLONE_HOME={demo_home} clone ui`\n"
        "Press + New clone to make your own"
    )
    assert "clone demo" not in model.empty_hint


def test_host_clones_become_tiles(clone_space: Space, tmp_path: Path) -> None:
    data = host_clones(clone_space, tmp_path)
    model = LauncherModel(clone_space)
    tiles = model.refresh()

    assert [t.name for t in tiles] == ["notes:1", "notes:2"]
    assert model.summary == "2 clones"
    first = tiles[0]
    assert (first.label, first.subtitle, first.backend, first.state) == (
        "notes", "clone 1", "host", "host",
    )  # fmt: skip
    assert first.detail == f"data: {data}"
    # A host clone runs a program ('clone host run'): it is wiped and removed, not launched.
    assert [first.can(a) for a in Action] == [False, False, True, True]


def test_wipe_empties_the_store_and_keeps_the_tile(clone_space: Space, tmp_path: Path) -> None:
    host_clones(clone_space, tmp_path)
    for n in (1, 2):  # what 'clone host run' would leave after the program wrote a file
        (store_data(clone_space, n) / "0").mkdir(parents=True)
        (store_data(clone_space, n) / "0" / "login").write_text("alice\n")
    model = LauncherModel(clone_space)
    model.refresh()

    assert model.wipe("notes:1") == "Wiped notes:1"

    assert not any(store_data(clone_space, 1).rglob("*"))
    assert (store_data(clone_space, 2) / "0" / "login").read_text() == "alice\n"
    assert [t.name for t in model.tiles] == ["notes:1", "notes:2"]


def test_remove_forgets_the_clone_and_its_store(clone_space: Space, tmp_path: Path) -> None:
    host_clones(clone_space, tmp_path)
    model = LauncherModel(clone_space)
    model.refresh()

    assert model.remove("notes:1") == "Removed notes:1"

    assert [t.name for t in model.tiles] == ["notes:2"]
    assert clone_space.registry.find("notes:1") is None
    assert not (clone_space.home.store_dir / "host" / "notes" / "1").exists()


def test_a_failed_action_is_a_status_line_and_the_model_goes_on(
    clone_space: Space, tmp_path: Path
) -> None:
    host_clones(clone_space, tmp_path)
    model = LauncherModel(clone_space)
    model.refresh()
    with Space(home=clone_space.home.root) as someone_else:
        someone_else.get("notes:1").remove()

    status = model.remove("notes:1")  # the tile still shows it

    assert status == (
        "Could not remove notes:1: no clone named 'notes:1'; `clone list` shows the clones"
    )
    assert model.status == status
    assert [t.name for t in model.tiles] == ["notes:2"]  # refreshed after the failure
    assert model.wipe("notes:2") == "Wiped notes:2"


def test_launching_a_host_clone_says_how_to_run_it(clone_space: Space, tmp_path: Path) -> None:
    host_clones(clone_space, tmp_path, count=1)
    model = LauncherModel(clone_space)

    status = model.launch("notes:1")

    assert status.startswith("Could not launch notes:1: notes:1 is a host clone")
    assert "clone host run" in status
    assert "\n" not in status


def test_identity_summary_is_the_stored_identity(clone_space: Space, tmp_path: Path) -> None:
    host_clones(clone_space, tmp_path, count=1)
    stored = clone_space.identity("notes:1")
    model = LauncherModel(clone_space)

    summary = model.identity("notes:1")

    assert summary.error is None
    rows = dict(summary.rows)
    assert rows["Android ID"] == stored.android_id
    assert rows["IMEI"] == stored.imei
    assert rows["Serial"] == stored.serial
    assert rows["Hostname"] == stored.hostname


def test_identity_of_an_unknown_clone_is_an_error_line(clone_space: Space) -> None:
    summary = LauncherModel(clone_space).identity("ghost:1")
    assert summary.rows == ()
    assert summary.error == (
        "Could not read the identity: no clone named 'ghost:1'; `clone list` shows the clones"
    )


# -- clones on a device ---------------------------------------------------------------------


def package_clone(space: Space, device: str, index: int = 1) -> CloneRecord:
    record = CloneRecord(
        app="com.example.app",
        index=index,
        backend=Backend.PACKAGE,
        source_package="com.example.app",
        package=f"com.example.app.clone{index}",
        device=device,
    )
    return space.registry.add(record)


def unreachable_adb_server() -> str:
    """A non-local address with nothing listening (so no adb server is started for it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.2", 0))
        port = s.getsockname()[1]
    return f"127.0.0.2:{port}"


def test_without_an_adb_server_device_clones_still_list(space: Space) -> None:
    package_clone(space, "emulator-5554")
    model = LauncherModel(space, adb=unreachable_adb_server())

    (tile,) = model.refresh()

    assert (tile.name, tile.state, tile.detail) == (
        "com.example.app:1", "no-device", "com.example.app.clone1 on emulator-5554",
    )  # fmt: skip
    assert [tile.can(a) for a in Action] == [False, False, False, True]
    assert model.status == "Not connected: emulator-5554; connect it and press Refresh"
    status = model.launch("com.example.app:1")
    assert status.startswith("Could not launch com.example.app:1: cannot reach the adb server")
    assert "\n" not in status
    assert [t.name for t in model.tiles] == ["com.example.app:1"]


def test_device_not_connected_to_a_real_adb_server(space: Space, real_adb_server: int) -> None:
    package_clone(space, "emulator-5554")
    model = LauncherModel(space)  # Debian's adb server, no device behind it

    assert [t.state for t in model.refresh()] == ["no-device"]
    status = model.stop("com.example.app:1")

    assert status == (
        "Could not stop com.example.app:1: the device emulator-5554 of com.example.app:1 is not "
        "connected; connect it (`adb devices` must list it) and retry"
    )


def fake_install(phone: FakePhone, package: str) -> None:
    phone.packages[package] = FakePackage(package, ".MainActivity", users={0}, data={0: set()})


def test_actions_on_a_fake_phone(
    space: Space, fake_adb: FakeAdbServer, fake_phone: FakePhone
) -> None:
    """FAKE adb server: the model's actions reach the device layer and the tiles follow."""
    package_clone(space, fake_phone.serial, 1)
    package_clone(space, fake_phone.serial, 2)
    fake_install(fake_phone, "com.example.app.clone1")  # clone 2 is registered, not installed
    model = LauncherModel(space)

    first, second = model.refresh()
    assert (first.state, second.state) == ("installed", "missing")
    assert model.status == ""
    assert [first.can(a) for a in Action] == [True, False, True, True]
    assert [second.can(a) for a in Action] == [False, False, False, True]

    assert model.launch("com.example.app:1") == "Launched com.example.app:1"
    running = model.tile("com.example.app:1")
    assert running is not None and running.state == "running" and running.can_stop
    assert running.pids == (fake_phone.pid_of("com.example.app.clone1"),)

    assert model.stop("com.example.app:1") == "Stopped com.example.app:1"
    assert tile_state(model, "com.example.app:1") == "installed"

    assert model.wipe("com.example.app:1") == "Wiped com.example.app:1"
    assert ["pm", "clear", "com.example.app.clone1"] in fake_phone.commands

    assert model.remove("com.example.app:1") == "Removed com.example.app:1"
    assert "com.example.app.clone1" not in fake_phone.packages
    assert model.remove("com.example.app:2") == "Removed com.example.app:2"
    assert model.tiles == ()


def tile_state(model: LauncherModel, name: str) -> str | None:
    tile = model.tile(name)
    return tile.state if tile else None


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("running", [True, True, True, True]),
        ("installed", [True, False, True, True]),
        ("missing", [False, False, False, True]),
        ("no-device", [False, False, False, True]),
    ],
)
def test_which_actions_a_device_clone_offers(state: str, expected: list[bool]) -> None:
    from clone.workflows.listing import CloneRow, CloneState

    record = CloneRecord("app", 1, Backend.USER, "app", "app", "serial", state=UserState(10))
    tile = CloneTile.from_row(CloneRow(record, CloneState(state)))
    assert [tile.can(a) for a in Action] == expected


def test_every_device_and_the_adb_server_are_listed(
    space: Space, fake_adb: FakeAdbServer, fake_phone: FakePhone
) -> None:
    """FAKE adb server: what the new-clone form lists as targets, and under them."""
    devices = LauncherModel(space).devices()

    assert devices.server == f"127.0.0.1:{fake_adb.port}"
    assert devices.ready == (fake_phone.serial,)
    assert devices.text == (
        f"adb server 127.0.0.1:{fake_adb.port}: {fake_phone.serial} (Fake Phone, ready)"
    )


def test_devices_not_ready_are_listed_but_not_targets() -> None:
    rows = (DeviceRow("emulator-5554", "device", "sdk_gphone64"), DeviceRow("R58M", "unauthorized"))
    devices = DeviceList("127.0.0.1:5037", rows)
    assert devices.ready == ("emulator-5554",)
    assert devices.text == (
        "adb server 127.0.0.1:5037: emulator-5554 (sdk gphone64, ready), R58M (unauthorized)"
    )
    assert DeviceList("127.0.0.1:5037").text == "adb server 127.0.0.1:5037: no device connected"


def test_without_an_adb_server_the_devices_line_says_why(space: Space) -> None:
    adb = unreachable_adb_server()
    devices = LauncherModel(space, adb=adb).devices()
    assert devices.ready == ()
    assert devices.text.startswith(f"adb server {adb}: cannot reach the adb server at {adb}")
    assert "`adb start-server`" in devices.text
