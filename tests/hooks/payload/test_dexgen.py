"""The DEX writer, checked by Debian's dexdump (which verifies checksum and structure)
and read back by LIEF."""

from __future__ import annotations

import shutil
import string
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hooks.payload.dexgen import (
    ACC_CONSTRUCTOR,
    ACC_FINAL,
    ACC_PUBLIC,
    CatchAll,
    ClassDef,
    Code,
    ConstString,
    DexFormatError,
    DirectMethod,
    InvokeDirect,
    MethodRef,
    ReturnVoid,
    descriptor,
    write_dex,
)
from hooks.payload.loader import loader_dex, payload_failure_line

pytestmark = pytest.mark.skipif(shutil.which("dexdump") is None, reason="needs dexdump")


def dexdump(data: bytes, tmp_path: Path, name: str = "t.dex") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    done = subprocess.run(["dexdump", "-d", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Failure" not in done.stderr, done.stderr
    return done.stdout


def test_loader_class_as_dexdump_reads_it(tmp_path: Path) -> None:
    out = dexdump(loader_dex("com.example.Boot", "com.example.App", "csrt"), tmp_path)
    assert "DEX version '035'" in out
    assert "Class descriptor  : 'Lcom/example/Boot;'" in out
    assert "Superclass        : 'Lcom/example/App;'" in out
    clinit = out[out.index("name          : '<clinit>'") : out.index("name          : '<init>'")]
    assert "access        : 0x10008 (STATIC CONSTRUCTOR)" in clinit
    assert 'const-string v0, "csrt"' in clinit
    assert "invoke-static {v0}, Ljava/lang/System;.loadLibrary:(Ljava/lang/String;)V" in clinit
    assert "return-void" in clinit
    # a payload that cannot load is logged and thrown on (the clone stops, see loader.py)
    assert "catches       : 1\n        0x0000 - 0x0005\n          <any> -> 0x0006" in clinit
    assert "0006: move-exception v0" in clinit
    assert f'const-string v2, "{payload_failure_line("csrt")}"' in clinit
    assert (
        "invoke-static {v1, v2, v0}, Landroid/util/Log;.e:"
        "(Ljava/lang/String;Ljava/lang/String;Ljava/lang/Throwable;)I"
    ) in clinit
    assert "000e: throw v0" in clinit
    init = out[out.index("name          : '<init>'") :]
    assert "access        : 0x10001 (PUBLIC CONSTRUCTOR)" in init
    assert "invoke-direct {v0}, Lcom/example/App;.<init>:()V" in init


@pytest.mark.parametrize("offset", [0x0C, 0x20, 0x70, -1])
def test_dexdump_rejects_any_flipped_byte(tmp_path: Path, offset: int) -> None:
    """The oracle really checks: a changed checksum, signature or body byte is refused."""
    data = bytearray(loader_dex("a.B", "android.app.Application", "x"))
    data[offset] ^= 0x01
    path = tmp_path / "bad.dex"
    path.write_bytes(bytes(data))
    done = subprocess.run(["dexdump", str(path)], capture_output=True, text=True)
    assert "Failure to verify dex file" in done.stderr


def test_lief_reads_the_class_back(tmp_path: Path) -> None:
    import lief

    path = tmp_path / "l.dex"
    path.write_bytes(loader_dex("org.x.Boot", "android.app.Application", "csrt"))
    parsed = lief.DEX.parse(str(path))
    assert parsed is not None
    cls = parsed.get_class("org.x.Boot")
    assert cls is not None and cls.parent is not None
    assert cls.parent.fullname == "Landroid/app/Application;"
    assert sorted(m.name for m in cls.methods) == ["<clinit>", "<init>"]


def test_several_classes_pools_sorted(tmp_path: Path) -> None:
    """Two classes whose strings, types and methods interleave: the verifier accepts the
    sort order and each class keeps its own superclass."""
    app = "Landroid/app/Application;"

    def cls(name: str, parent: str, flags: int) -> ClassDef:
        init = DirectMethod(
            "<init>", (), "V", ACC_PUBLIC | ACC_CONSTRUCTOR,
            Code(1, 1, 1, (InvokeDirect((0,), MethodRef(parent, "<init>", (), "V")), ReturnVoid())),
        )  # fmt: skip
        return ClassDef(name, parent, flags, (init,))

    data = write_dex([cls("Lz/Last;", app, ACC_PUBLIC), cls("La/First;", "Lz/Last;", ACC_FINAL)])
    out = dexdump(data, tmp_path)
    assert "Class descriptor  : 'Lz/Last;'" in out
    assert "Access flags      : 0x0010 (FINAL)" in out
    assert "invoke-direct {v0}, Lz/Last;.<init>:()V" in out


def test_non_ascii_names_are_mutf8(tmp_path: Path) -> None:
    out = dexdump(
        loader_dex("com.ex\u00e4mple.B\u00f6\u00f6t", "android.app.Application", "c\u20acrt"),
        tmp_path,
    )
    assert "Lcom/ex\u00e4mple/B\u00f6\u00f6t;" in out
    assert 'const-string v0, "c\u20acrt"' in out


@pytest.mark.parametrize("bad", ["", "a..b", ".a", "a.", "a/b", "a;b", "a b", "a[]"])
def test_descriptor_rejects_bad_names(bad: str) -> None:
    with pytest.raises(DexFormatError, match="not a Java class name"):
        descriptor(bad)


_IDENT = st.text(string.ascii_letters + "_$", min_size=1, max_size=6).map(lambda s: s + "0")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    pkg=st.lists(_IDENT, min_size=1, max_size=3),
    cls=_IDENT,
    sup=st.lists(_IDENT, min_size=1, max_size=3),
    lib=st.text(string.ascii_lowercase, min_size=1, max_size=12),
)
def test_any_names_verify(
    tmp_path: Path, pkg: list[str], cls: str, sup: list[str], lib: str
) -> None:
    name = ".".join([*pkg, cls])
    superclass = ".".join([*sup, "App"])
    out = dexdump(loader_dex(name, superclass, lib), tmp_path)
    assert f"Class descriptor  : '{descriptor(name)}'" in out
    assert f"Superclass        : '{descriptor(superclass)}'" in out
    assert f'const-string v0, "{lib}"' in out


@pytest.mark.parametrize("block", [CatchAll(0, 0, 1), CatchAll(0, 3, 1), CatchAll(0, 1, 2)])
def test_try_blocks_out_of_range_are_refused(block: CatchAll) -> None:
    code = Code(1, 0, 0, (ConstString(0, "x"), ReturnVoid()), (block,))
    method = DirectMethod("<clinit>", (), "V", ACC_CONSTRUCTOR | 0x8, code)
    with pytest.raises(DexFormatError, match="try block out of range"):
        write_dex([ClassDef("La/B;", "Ljava/lang/Object;", ACC_PUBLIC, (method,))])
