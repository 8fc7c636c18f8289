"""The launcher on the phone itself (Kivy on Android, packaged with ``buildozer.spec``).

There is no adb on the phone: the launcher acts on the phone's own package manager, through
pyjnius, instead of an adb server:

- the apps a clone can be made of: ``PackageManager.getInstalledApplications``, those the
  user installed (no ``FLAG_SYSTEM``), each with its APK files (``ApplicationInfo.sourceDir``
  and ``splitSourceDirs``), which any app may read;
- the clones: built by ``Space.build`` as on a computer (pure Python);
- installing one: a ``PackageInstaller`` session (``openWrite`` each APK, ``fsync``,
  ``commit``); Android then asks the user to confirm the install.

``on_android`` is the guard: everything else here runs only when it is true, or in the
tests, against stand-ins of those Java objects that have the same method names
(``tests/launcher_ui/test_on_phone.py``). Nothing of this has run on a phone: pyjnius,
buildozer and python-for-android cannot run where Clonespace is developed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from clone import OperationFailed

THIS_PHONE = "this phone"  # the launcher's name for the device it runs on
FLAG_SYSTEM = 1  # ApplicationInfo.FLAG_SYSTEM
MODE_FULL_INSTALL = 1  # PackageInstaller.SessionParams.MODE_FULL_INSTALL
CHUNK = 1 << 16


def on_android(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether this process is an Android app built by python-for-android (it sets
    ``ANDROID_ARGUMENT``; Kivy's ``kivy.utils.platform`` asks the same)."""
    return "ANDROID_ARGUMENT" in environ


@dataclass(frozen=True)
class PhoneApp:
    """An app installed on this phone: its package, label and APK files (base first)."""

    package: str
    label: str
    apks: tuple[str, ...]


class Phone(Protocol):
    """What the launcher does on the phone it runs on (``AndroidPhone``; stand-ins in tests)."""

    def apps(self) -> list[PhoneApp]: ...

    def install(
        self, package: str, apks: Sequence[Path], advance: Callable[[int], None]
    ) -> None: ...


def user_apps(pm: Any, own_package: str) -> list[PhoneApp]:
    """The apps of ``PackageManager`` ``pm`` the user installed, by package (this launcher
    and system apps left out)."""
    found = []
    for info in pm.getInstalledApplications(0).toArray():
        if info.flags & FLAG_SYSTEM or info.packageName == own_package:
            continue
        splits = tuple(info.splitSourceDirs or ())
        label = str(pm.getApplicationLabel(info) or info.packageName)
        found.append(PhoneApp(str(info.packageName), label, (str(info.sourceDir), *splits)))
    return sorted(found, key=lambda a: a.package)


def copy_app(app: PhoneApp, dest: Path) -> Path:
    """Copy the app's APK files into the new directory ``dest`` (``0.apk`` the base): the
    path ``Space.build`` takes, as ``Space.pull_app`` gives it on a computer."""
    dest.mkdir(parents=True)
    try:
        copies = [Path(shutil.copyfile(a, dest / f"{i}.apk")) for i, a in enumerate(app.apks)]
    except OSError as e:
        raise OperationFailed(f"cannot read the APKs of {app.package}: {e.strerror}") from e
    return copies[0] if len(copies) == 1 else dest


def install_session(installer: Any, params: Any, apks: Sequence[Path], commit_to: Any) -> int:
    """Install ``apks`` (one app: base first, then splits) in one ``PackageInstaller``
    session; the session is abandoned if any step fails. Returns its id; Android reports
    the outcome (after the user confirmed) to ``commit_to``, an ``IntentSender``."""
    session_id = int(installer.createSession(params))
    session = installer.openSession(session_id)
    try:
        for i, apk in enumerate(apks):
            size = apk.stat().st_size
            out = session.openWrite(f"{i}_{apk.name}", 0, size)
            with apk.open("rb") as f:
                while chunk := f.read(CHUNK):
                    out.write(chunk, 0, len(chunk))
            session.fsync(out)
            out.close()
        session.commit(commit_to)
    except Exception as e:  # a Java exception through pyjnius, or an OSError
        session.abandon()
        raise OperationFailed(f"Android's installer refused the clone: {e}") from e
    finally:
        session.close()
    return session_id


STATUS_PENDING_USER_ACTION = -1  # PackageInstaller.STATUS_PENDING_USER_ACTION
EXTRA_STATUS = "android.content.pm.extra.STATUS"
EXTRA_INTENT = "android.intent.extra.INTENT"


def confirm_if_asked(intent: Any, start_activity: Callable[[Any], None]) -> bool:
    """What the installer sends back to the launcher's activity: when it waits for the
    user (``STATUS_PENDING_USER_ACTION``), show its confirmation screen. True if shown."""
    if intent is None or intent.getIntExtra(EXTRA_STATUS, 1) != STATUS_PENDING_USER_ACTION:
        return False
    start_activity(intent.getParcelableExtra(EXTRA_INTENT))
    return True


class AndroidPhone:
    """The phone the launcher runs on, through pyjnius and python-for-android's
    ``android`` module (imported only here)."""

    def __init__(self) -> None:
        from android import activity as events  # type: ignore[import-not-found]
        from jnius import autoclass  # type: ignore[import-not-found]

        self._activity = autoclass("org.kivy.android.PythonActivity").mActivity
        self._context = self._activity.getApplicationContext()
        self._autoclass = autoclass
        events.bind(on_new_intent=lambda i: confirm_if_asked(i, self._activity.startActivity))

    def apps(self) -> list[PhoneApp]:
        return user_apps(self._context.getPackageManager(), self._context.getPackageName())

    def install(self, package: str, apks: Sequence[Path], advance: Callable[[int], None]) -> None:
        params_class = self._autoclass("android.content.pm.PackageInstaller$SessionParams")
        params = params_class(MODE_FULL_INSTALL)
        params.setAppPackageName(package)
        installer = self._context.getPackageManager().getPackageInstaller()
        intent_class = self._autoclass("android.content.Intent")
        pending = self._autoclass("android.app.PendingIntent")
        intent = intent_class(self._context, self._autoclass("org.kivy.android.PythonActivity"))
        flags = pending.FLAG_UPDATE_CURRENT | pending.FLAG_MUTABLE
        sender = pending.getActivity(self._context, 0, intent, flags).getIntentSender()
        install_session(installer, params, apks, sender)
        advance(1)
