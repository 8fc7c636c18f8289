"""The launcher's path for running on the phone itself, against STAND-INS of Android's Java
objects (PackageManager, PackageInstaller and its Session) with the same method names:
what these tests show is the logic around them, not that it works on a phone."""

from __future__ import annotations

import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from clone import OperationFailed
from clone.space import Space
from launcher_ui.background import Reporter, Step
from launcher_ui.new_clone import FlowState, NewCloneFlow
from launcher_ui.on_phone import (
    THIS_PHONE,
    PhoneApp,
    confirm_if_asked,
    copy_app,
    install_session,
    on_android,
    user_apps,
)
from launcher_ui.view_models import LauncherModel


def test_the_guard() -> None:
    assert on_android({"ANDROID_ARGUMENT": "/data/user/0/org.clonespace/files/app"})
    assert not on_android({"DISPLAY": ":0"})


@dataclass
class AppInfo:  # android.content.pm.ApplicationInfo, the fields read
    packageName: str
    sourceDir: str
    flags: int = 0
    splitSourceDirs: list[str] | None = None


class JavaList:
    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def toArray(self) -> list[Any]:
        return self.items


class PackageManager:
    def __init__(self, apps: list[AppInfo]) -> None:
        self.apps = apps

    def getInstalledApplications(self, flags: int) -> JavaList:
        return JavaList(self.apps)

    def getApplicationLabel(self, info: AppInfo) -> str:
        return info.packageName.rsplit(".", 1)[-1].title()


def test_the_users_apps_with_their_apk_files() -> None:
    pm = PackageManager([
        AppInfo("com.android.settings", "/system/app/Settings.apk", flags=1),
        AppInfo("org.clonespace.launcher", "/data/app/l/base.apk"),
        AppInfo("org.telegram.messenger", "/data/app/t/base.apk",
                splitSourceDirs=["/data/app/t/split_config.arm64_v8a.apk"]),
        AppInfo("com.example.notes", "/data/app/n/base.apk", flags=0x4),  # FLAG_HAS_CODE
    ])  # fmt: skip

    apps = user_apps(pm, own_package="org.clonespace.launcher")

    assert apps == [
        PhoneApp("com.example.notes", "Notes", ("/data/app/n/base.apk",)),
        PhoneApp("org.telegram.messenger", "Messenger",
                 ("/data/app/t/base.apk", "/data/app/t/split_config.arm64_v8a.apk")),
    ]  # fmt: skip


def test_an_apps_files_are_copied_as_pull_app_gives_them(tmp_path: Path) -> None:
    (tmp_path / "base.apk").write_bytes(b"base")
    (tmp_path / "split.apk").write_bytes(b"split")
    one = PhoneApp("a.b", "B", (str(tmp_path / "base.apk"),))
    split = PhoneApp("a.b", "B", (str(tmp_path / "base.apk"), str(tmp_path / "split.apk")))

    assert copy_app(one, tmp_path / "one") == tmp_path / "one" / "0.apk"
    assert copy_app(split, tmp_path / "set") == tmp_path / "set"
    assert (tmp_path / "set" / "1.apk").read_bytes() == b"split"
    gone = PhoneApp("a.b", "B", (str(tmp_path / "gone.apk"),))
    with pytest.raises(OperationFailed, match=r"cannot read the APKs of a\.b"):
        copy_app(gone, tmp_path / "gone")


@dataclass
class Stream:
    written: bytearray = field(default_factory=bytearray)
    closed: bool = False

    def write(self, data: bytes, offset: int, length: int) -> None:
        self.written += data[offset : offset + length]

    def close(self) -> None:
        self.closed = True


@dataclass
class Session:  # android.content.pm.PackageInstaller.Session
    fail_on: str | None = None
    streams: dict[str, Stream] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def openWrite(self, name: str, offset: int, length: int) -> Stream:
        self.calls.append(f"openWrite {name} {offset} {length}")
        if name == self.fail_on:
            raise RuntimeError("JavaException: java.io.IOException: No space left")
        self.streams[name] = Stream()
        return self.streams[name]

    def fsync(self, out: Stream) -> None:
        self.calls.append("fsync")

    def commit(self, sender: object) -> None:
        self.calls.append(f"commit {sender}")

    def abandon(self) -> None:
        self.calls.append("abandon")

    def close(self) -> None:
        self.calls.append("close")


@dataclass
class Installer:  # android.content.pm.PackageInstaller
    session: Session

    def createSession(self, params: object) -> int:
        return 7

    def openSession(self, session_id: int) -> Session:
        assert session_id == 7
        return self.session


def test_a_split_set_is_written_into_one_installer_session(tmp_path: Path) -> None:
    base, split = tmp_path / "base.apk", tmp_path / "split.apk"
    base.write_bytes(b"B" * 100_000)  # more than one chunk
    split.write_bytes(b"S" * 10)
    session = Session()

    assert install_session(Installer(session), "params", [base, split], "sender") == 7

    assert session.streams["0_base.apk"].written == base.read_bytes()
    assert session.streams["1_split.apk"].written == b"S" * 10
    assert all(s.closed for s in session.streams.values())
    assert session.calls == [
        "openWrite 0_base.apk 0 100000", "fsync", "openWrite 1_split.apk 0 10", "fsync",
        "commit sender", "close",
    ]  # fmt: skip


def test_a_refused_write_abandons_the_session(tmp_path: Path) -> None:
    (tmp_path / "base.apk").write_bytes(b"B")
    session = Session(fail_on="0_base.apk")
    with pytest.raises(OperationFailed, match=r"^Android.s installer refused the clone: "):
        install_session(Installer(session), "params", [tmp_path / "base.apk"], "sender")
    assert session.calls[-2:] == ["abandon", "close"]


class Intent:
    def __init__(self, status: int, extra: object = None) -> None:
        self.status, self.extra = status, extra

    def getIntExtra(self, name: str, default: int) -> int:
        assert name == "android.content.pm.extra.STATUS"
        return self.status

    def getParcelableExtra(self, name: str) -> object:
        assert name == "android.intent.extra.INTENT"
        return self.extra


def test_the_installers_confirmation_is_shown() -> None:
    started: list[object] = []
    assert confirm_if_asked(Intent(-1, "confirm-screen"), started.append)
    assert not confirm_if_asked(Intent(0), started.append)  # STATUS_SUCCESS
    assert not confirm_if_asked(None, started.append)
    assert started == ["confirm-screen"]


@dataclass
class StandInPhone:
    """The ``Phone`` the launcher gets on Android, with the installs recorded."""

    own: list[PhoneApp]
    installed: list[tuple[str, list[Path]]] = field(default_factory=list)

    def apps(self) -> list[PhoneApp]:
        return self.own

    def install(self, package: str, apks: Sequence[Path], advance: Callable[[int], None]) -> None:
        for apk in apks:  # the built clone, still there while it is handed over
            with zipfile.ZipFile(apk) as z:
                assert "AndroidManifest.xml" in z.namelist()
        self.installed.append((package, list(apks)))
        advance(1)


@pytest.mark.slow
def test_on_the_phone_its_own_app_is_cloned_and_handed_to_the_installer(
    space: Space, uiautomator_apk: Path
) -> None:
    phone = StandInPhone([PhoneApp("com.github.uiautomator", "ATX", (str(uiautomator_apk),))])
    model = LauncherModel(space, phone=phone)
    devices = model.devices()
    assert devices.ready == (THIS_PHONE,)
    assert model.device_apps(THIS_PHONE) == (["com.github.uiautomator"], None)

    flow = NewCloneFlow(devices.ready, phone=phone)
    assert flow.hooks == "none"  # no LIEF on the phone: plain renamed clones
    flow.choose_device_app("com.github.uiautomator", THIS_PHONE)
    flow.set_count("2")
    job = flow.start()
    assert job is not None and flow.state is FlowState.RUNNING
    steps: list[Step] = []

    line = job.run(space.home.root, Reporter(steps.append, threading.Event()))

    assert line == (
        "Sent 2 clones of com.github.uiautomator to Android's installer: confirm each on screen"
    )
    assert [p for p, _ in phone.installed] == [
        "com.github.uiautomator.clone1", "com.github.uiautomator.clone2",
    ]  # fmt: skip
    assert steps[0] == Step("copying the APKs of com.github.uiautomator")
    assert steps[-1] == Step("handing them to Android's installer", 2, 2)


def test_the_android_entry_refuses_to_start_on_a_computer() -> None:
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, str(root / "main.py")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert done.stderr == ("main.py starts the launcher on a phone; on a computer run `clone ui`\n")
    spec = (root / "buildozer.spec").read_text()
    assert "source.dir = ." in spec and "android.permissions = QUERY_ALL_PACKAGES" in spec
