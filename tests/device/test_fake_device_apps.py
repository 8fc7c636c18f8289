"""FAKE adb server: the apps on a device as sources of new clones (``Space.device_apps``,
``Space.pull_app``, clone/workflows/device_apps.py). The phone is bookkeeping in Python."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from clone import BadInput, Cancelled, NotFound
from clone.registry import Backend, CloneRecord
from clone.space import Space
from tests.device.fake_adb import FakeAdbServer, FakePackage, FakePhone

pytestmark = pytest.mark.usefixtures("fake_adb")


@pytest.fixture
def phone(fake_phone: FakePhone, uiautomator_apk: Path) -> FakePhone:
    for name in ("com.github.uiautomator", "com.example.notes"):
        fake_phone.packages[name] = FakePackage(
            name, ".Main", users={0}, data={0: set()}, apk=uiautomator_apk.read_bytes()
        )
    return fake_phone


@pytest.fixture
def space(tmp_path: Path) -> Iterator[Space]:
    with Space(home=tmp_path / "home") as s:
        yield s


def test_the_users_apps_without_this_registrys_clones(space: Space, phone: FakePhone) -> None:
    phone.packages["com.example.notes.clone1"] = FakePackage("com.example.notes.clone1", None)
    assert space.device_apps() == [
        "com.example.notes", "com.example.notes.clone1", "com.github.uiautomator",
    ]  # fmt: skip
    space.registry.add(
        CloneRecord("com.example.notes", 1, Backend.PACKAGE, "com.example.notes",
                    "com.example.notes.clone1", phone.serial)
    )  # fmt: skip
    assert space.device_apps() == ["com.example.notes", "com.github.uiautomator"]
    assert ["pm", "list", "packages", "-3"] in phone.commands  # not the system apps


Progress = Callable[[str, int], AbstractContextManager[Callable[[int], None]]]


def recording() -> tuple[list[tuple[str, int, int]], Progress]:
    seen: list[tuple[str, int, int]] = []

    @contextlib.contextmanager
    def progress(label: str, total: int) -> Iterator[Callable[[int], None]]:
        done = [0]
        seen.append((label, 0, total))

        def advance(n: int) -> None:
            done[0] += n
            seen.append((label, done[0], total))

        yield advance

    return seen, progress


def test_an_app_is_pulled_with_progress(
    space: Space, phone: FakePhone, uiautomator_apk: Path, tmp_path: Path
) -> None:
    seen, progress = recording()
    pulled = space.pull_app("com.github.uiautomator", tmp_path / "app", progress=progress)

    assert pulled == tmp_path / "app" / "0.apk"  # one APK: the file (a split set: the folder)
    assert pulled.read_bytes() == uiautomator_apk.read_bytes()
    label = f"pulling com.github.uiautomator from {phone.serial}"
    assert seen == [(label, 0, 1), (label, 1, 1)]


def test_a_cancel_leaves_nothing(space: Space, phone: FakePhone, tmp_path: Path) -> None:
    @contextlib.contextmanager
    def cancelling(label: str, total: int) -> Iterator[Callable[[int], None]]:
        def advance(n: int) -> None:
            raise Cancelled("cancelled by the user")

        yield advance

    with pytest.raises(Cancelled):
        space.pull_app("com.github.uiautomator", tmp_path / "app", progress=cancelling)
    assert not (tmp_path / "app").exists()


def test_what_cannot_be_pulled(space: Space, fake_adb: FakeAdbServer, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match=r"^com\.example\.gone is not installed on fake-0001"):
        space.pull_app("com.example.gone", tmp_path / "pulled")
    for bad in ("../etc", "-f", "nodots", ""):
        with pytest.raises(BadInput, match="not a package name"):
            space.pull_app(bad, tmp_path / "pulled")
    assert not (tmp_path / "pulled").exists()
