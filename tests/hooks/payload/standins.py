"""Stand-ins for Frida Gadget binaries (no Gadget is reachable from this machine).

They are real ELF shared objects of the right machine and class, which is all the payload
code checks and embeds; they are NOT Frida Gadgets and would not run an agent:

- arm64 and arm: real Android libraries, ``lib/arm64-v8a/librime_jni.so`` and
  ``lib/armeabi-v7a/librime_jni.so`` taken out of the real ``Yosemite.apk`` fixture;
- x86_64 and x86: built here with gcc (``-shared -nostdlib``; ``-m32`` for i386), because
  none of the real APKs ships x86 code. They are Linux ELF objects, not Android ones.
"""

from __future__ import annotations

import lzma
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from hooks.payload.gadget import Arch, gadget_filename
from tests.realapks import NATIVE, real_apk

_SOURCE = "int csrt_standin(void) { return 42; }\n"
_GCC_FLAGS = {Arch.X86_64: [], Arch.X86: ["-m32"]}


def android_library(arch: Arch) -> bytes:
    """A real Android shared object for arm/arm64 from the native fixture APK."""
    with zipfile.ZipFile(real_apk(NATIVE)) as z:
        return z.read(f"lib/{arch.abi}/librime_jni.so")


def gcc_library(arch: Arch, workdir: Path, *, page: int = 16384) -> bytes:
    """A shared object for x86/x86_64 built with gcc, PT_LOAD aligned to ``page``."""
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed: no x86/x86_64 stand-in can be built")
    src = workdir / "standin.c"
    out = workdir / f"standin-{arch.value}-{page}.so"
    src.write_text(_SOURCE)
    cmd = ["gcc", *_GCC_FLAGS[arch], "-shared", "-fPIC", "-nostdlib", "-O2"]
    cmd += [f"-Wl,-z,max-page-size={page}", "-o", str(out), str(src)]
    subprocess.run(cmd, check=True, capture_output=True)
    return out.read_bytes()


def standin(arch: Arch, workdir: Path) -> bytes:
    if arch in (Arch.ARM, Arch.ARM64):
        return android_library(arch)
    return gcc_library(arch, workdir)


def make_gadget_dir(directory: Path, version: str, archs: tuple[Arch, ...] = tuple(Arch)) -> Path:
    """A ``--gadget-dir`` holding stand-ins named as Frida's release assets."""
    directory.mkdir(parents=True, exist_ok=True)
    for arch in archs:
        (directory / gadget_filename(version, arch)).write_bytes(standin(arch, directory.parent))
    return directory


def publish(root: Path, version: str, arch: Arch, data: bytes) -> None:
    """Put ``data`` on the server as Frida's release asset ``…-<arch>.so.xz``."""
    (root / version).mkdir(exist_ok=True)
    name = gadget_filename(version, arch) + ".xz"
    (root / version / name).write_bytes(lzma.compress(data, format=lzma.FORMAT_XZ))
