"""Gadget acquisition and LIEF checks, on stand-ins (see standins.py: real ELF shared
objects, not Frida Gadgets). The download path runs against a local HTTP server on
127.0.0.1 serving .so.xz files made here; no test touches the network."""

from __future__ import annotations

import lzma
import os
from pathlib import Path

import pytest

from hooks.payload.gadget import (
    Arch,
    GadgetInputError,
    GadgetUnavailable,
    acquire,
    archs_in_dir,
    gadget_filename,
    inspect_elf,
    verify_gadget,
)
from tests.hooks.payload.standins import gcc_library, publish, standin


@pytest.mark.parametrize("arch", list(Arch))
def test_each_standin_matches_its_abi(arch: Arch, tmp_path: Path) -> None:
    data = standin(arch, tmp_path)
    gadget = verify_gadget(arch, Path(arch.value), data)
    assert gadget.arch is arch and gadget.data == data


@pytest.mark.parametrize(
    ("arch", "impostor"),
    [
        (Arch.ARM64, Arch.ARM),
        (Arch.ARM, Arch.ARM64),
        (Arch.X86, Arch.X86_64),
        (Arch.X86_64, Arch.ARM64),
    ],
)
def test_wrong_abi_is_refused(arch: Arch, impostor: Arch, tmp_path: Path) -> None:
    with pytest.raises(GadgetInputError, match=f"not for {arch.value} "):
        verify_gadget(arch, Path("g.so"), standin(impostor, tmp_path))


def test_not_an_elf_is_refused() -> None:
    with pytest.raises(GadgetInputError, match="is not an ELF shared object"):
        verify_gadget(Arch.ARM64, Path("g.so"), b"\x7fELF garbage" + bytes(100))


def test_16k_alignment_is_reported(tmp_path: Path) -> None:
    aligned = inspect_elf(gcc_library(Arch.X86_64, tmp_path, page=16384))
    small = inspect_elf(gcc_library(Arch.X86_64, tmp_path, page=4096))
    assert aligned is not None and aligned.aligned_16k
    assert small is not None and not small.aligned_16k


def test_unaligned_gadget_is_a_warning_not_an_error(tmp_path: Path) -> None:
    """Only 64-bit Gadgets are judged: devices with 16 KiB pages are 64-bit only."""
    gdir = tmp_path / "g"
    gdir.mkdir()
    for arch in (Arch.X86_64, Arch.X86):
        data = gcc_library(arch, tmp_path, page=4096)
        (gdir / gadget_filename("1.2.3", arch)).write_bytes(data)
    found = acquire("1.2.3", [Arch.X86_64, Arch.X86], gadget_dir=gdir, cache_root=tmp_path / "c")
    assert len(found.warnings) == 1
    assert "for x86_64 has PT_LOAD segments aligned below 16 KiB" in found.warnings[0]


def test_from_dir_takes_exactly_the_wanted_archs(gadget_dir: Path, frida_version: str) -> None:
    found = acquire(
        frida_version,
        [Arch.ARM, Arch.ARM64],
        gadget_dir=gadget_dir,
        cache_root=Path("/nonexistent"),
    )
    assert found.source == "dir"
    assert set(found.gadgets) == {Arch.ARM, Arch.ARM64}


def test_other_version_in_dir_is_a_clear_error(gadget_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(GadgetInputError, match=r"but the installed frida is 99\.0\.0"):
        acquire("99.0.0", [Arch.ARM64], gadget_dir=gadget_dir, cache_root=tmp_path)


def test_missing_dir_and_missing_file(tmp_path: Path, frida_version: str) -> None:
    with pytest.raises(GadgetInputError, match="cannot read the gadget directory"):
        acquire(frida_version, [Arch.ARM64], gadget_dir=tmp_path / "nope", cache_root=tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(GadgetInputError, match=r"has no frida-gadget-.*-android-x86\.so"):
        acquire(frida_version, [Arch.X86], gadget_dir=tmp_path / "empty", cache_root=tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any directory")
def test_unreadable_dir(tmp_path: Path, frida_version: str) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0)
    with pytest.raises(GadgetInputError, match="cannot read the gadget directory"):
        acquire(frida_version, [Arch.ARM64], gadget_dir=locked, cache_root=tmp_path)


def test_a_file_as_gadget_dir(tmp_path: Path, frida_version: str) -> None:
    (tmp_path / "file").write_bytes(b"x")
    with pytest.raises(GadgetInputError, match=r"cannot read the gadget directory .*: Not a dir"):
        acquire(frida_version, [Arch.ARM64], gadget_dir=tmp_path / "file", cache_root=tmp_path)


def test_wrongly_named_arch_in_dir(tmp_path: Path, frida_version: str) -> None:
    gdir = tmp_path / "g"
    gdir.mkdir()
    (gdir / gadget_filename(frida_version, Arch.ARM64)).write_bytes(standin(Arch.ARM, tmp_path))
    with pytest.raises(GadgetInputError, match=r"ARM \(32-bit\), not for arm64"):
        acquire(frida_version, [Arch.ARM64], gadget_dir=gdir, cache_root=tmp_path)


# --- the download path, against a local server -----------------------------------------


def test_download_fills_the_cache_once(release_server: tuple[str, Path], tmp_path: Path) -> None:
    url, root = release_server
    data = standin(Arch.ARM64, tmp_path)
    publish(root, "17.0.1", Arch.ARM64, data)
    cache = tmp_path / "cache"
    first = acquire("17.0.1", [Arch.ARM64], gadget_dir=None, cache_root=cache, base_url=url)
    assert first.source == "download"
    cached = cache / "17.0.1" / gadget_filename("17.0.1", Arch.ARM64)
    assert cached.read_bytes() == data
    assert sorted(p.name for p in cached.parent.iterdir()) == [cached.name]  # no temp files
    (root / "17.0.1" / (cached.name + ".xz")).unlink()  # the server no longer has it
    second = acquire("17.0.1", [Arch.ARM64], gadget_dir=None, cache_root=cache, base_url=url)
    assert second.source == "cache" and second.gadgets[Arch.ARM64].data == data


def test_missing_asset_is_unavailable(release_server: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = release_server
    with pytest.raises(GadgetUnavailable, match=r"could not download .*--gadget-dir"):
        acquire("17.0.2", [Arch.X86], gadget_dir=None, cache_root=tmp_path / "c", base_url=url)
    assert not (tmp_path / "c").exists() or not any((tmp_path / "c").rglob("*"))


def test_corrupt_or_wrong_download_is_not_cached(
    release_server: tuple[str, Path], tmp_path: Path
) -> None:
    url, root = release_server
    (root / "17.0.3").mkdir()
    (root / "17.0.3" / (gadget_filename("17.0.3", Arch.ARM) + ".xz")).write_bytes(b"not xz")
    publish(root, "17.0.3", Arch.ARM64, standin(Arch.ARM, tmp_path))  # arm under arm64's name
    cache = tmp_path / "c"
    with pytest.raises(GadgetUnavailable, match=r"not a valid \.xz"):
        acquire("17.0.3", [Arch.ARM], gadget_dir=None, cache_root=cache, base_url=url)
    with pytest.raises(GadgetUnavailable, match=r"unusable.*not for arm64"):
        acquire("17.0.3", [Arch.ARM64], gadget_dir=None, cache_root=cache, base_url=url)
    assert not cache.exists() or not any(cache.rglob("*"))


def test_unwritable_cache_is_unavailable(release_server: tuple[str, Path], tmp_path: Path) -> None:
    url, root = release_server
    publish(root, "17.0.4", Arch.X86_64, standin(Arch.X86_64, tmp_path))
    blocker = tmp_path / "cache-is-a-file"
    blocker.write_bytes(b"")
    with pytest.raises(GadgetUnavailable, match="cannot write the gadget cache"):
        acquire("17.0.4", [Arch.X86_64], gadget_dir=None, cache_root=blocker, base_url=url)


# --- Frida's published .so.xz files in --gadget-dir --------------------------------------


def test_a_published_xz_gadget_is_unpacked(tmp_path: Path, frida_version: str) -> None:
    gdir = tmp_path / "g"
    gdir.mkdir()
    data = standin(Arch.ARM64, tmp_path)
    name = gadget_filename(frida_version, Arch.ARM64)
    (gdir / f"{name}.xz").write_bytes(lzma.compress(data, format=lzma.FORMAT_XZ))
    found = acquire(frida_version, [Arch.ARM64], gadget_dir=gdir, cache_root=tmp_path / "c")
    assert found.gadgets[Arch.ARM64].data == data
    assert archs_in_dir(gdir, frida_version) == (Arch.ARM64,)


def test_a_corrupt_xz_gadget_is_refused(tmp_path: Path, frida_version: str) -> None:
    gdir = tmp_path / "g"
    gdir.mkdir()
    (gdir / (gadget_filename(frida_version, Arch.ARM64) + ".xz")).write_bytes(b"not xz")
    with pytest.raises(GadgetInputError, match=r"\.so\.xz is not a valid \.xz file"):
        acquire(frida_version, [Arch.ARM64], gadget_dir=gdir, cache_root=tmp_path)
