"""Clearing ``final`` on one class of a dex, checked by dexdump (checksum, signature,
structure) on dex files of our writer and on a real app's 9 MB dex."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from hooks.payload.dexgen import ACC_FINAL, ACC_PUBLIC
from hooks.payload.dexpatch import DexPatchError, clear_final
from tests.hooks.payload.test_embed import app_dex
from tests.realapks import NATIVE, real_apk

pytestmark = pytest.mark.skipif(shutil.which("dexdump") is None, reason="needs dexdump")


def class_flags(data: bytes, tmp_path: Path, descriptor: str) -> str:
    path = tmp_path / "p.dex"
    path.write_bytes(data)
    done = subprocess.run(["dexdump", str(path)], capture_output=True, text=True, errors="replace")
    assert done.returncode == 0 and "Failure" not in done.stderr, done.stderr
    at = done.stdout.index(f"Class descriptor  : '{descriptor}'")
    return done.stdout[at:].split("\n")[1]


def test_final_cleared_and_dex_still_verifies(tmp_path: Path) -> None:
    dex = app_dex("com.example.App", flags=ACC_PUBLIC | ACC_FINAL)
    assert "0x0011 (PUBLIC FINAL)" in class_flags(dex, tmp_path, "Lcom/example/App;")
    patched = clear_final(dex, "com.example.App")
    assert len(patched) == len(dex)
    assert "0x0001 (PUBLIC)" in class_flags(patched, tmp_path, "Lcom/example/App;")
    assert clear_final(patched, "com.example.App") == patched  # not final: unchanged


def test_on_a_real_apps_dex(tmp_path: Path) -> None:
    """A final class of the real native fixture's classes.dex (a 9 MB dex of a real app):
    only its flags change, and dexdump still verifies the whole file."""
    with zipfile.ZipFile(real_apk(NATIVE)) as z:
        dex = z.read("classes.dex")
    name = "androidx.activity.ComponentActivity$NonConfigurationInstances"  # a final class
    descriptor = "Landroidx/activity/ComponentActivity$NonConfigurationInstances;"
    assert "FINAL" in class_flags(dex, tmp_path, descriptor)
    patched = clear_final(dex, name)
    assert "FINAL" not in class_flags(patched, tmp_path, descriptor)
    differing = [i for i, (a, b) in enumerate(zip(dex, patched, strict=True)) if a != b]
    assert all(i < 32 for i in differing[:-1])  # checksum + signature, then the one flag word


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "not a dex file"),
        (b"dex\n099\x00" + bytes(200), "not a dex file"),
        (b"dex\n035\x00" + bytes(0x58) + b"\x01\x00\x00\x00\xff\xff\xff\x00" + bytes(8), "beyond"),
    ],
)
def test_bad_dex_is_refused(data: bytes, says: str) -> None:
    with pytest.raises(DexPatchError, match=says):
        clear_final(data, "a.B")


def test_missing_class_is_refused() -> None:
    with pytest.raises(DexPatchError, match="class Lx/Y; is not defined"):
        clear_final(app_dex("a.B"), "x.Y")
