"""Frida Gadget binaries: where they come from and whether they are the right ones.

A clone carries the Gadget of exactly the installed ``frida`` Python package's version, for
each Android ABI it needs. Sources, in order: a directory the user names (files
``frida-gadget-<version>-android-<arch>.so``), then the cache
``$CLONE_HOME/cache/gadget/<version>/``, which is filled on first use by downloading
Frida's release assets ``frida-gadget-<version>-android-<arch>.so.xz`` (decompressed and
written atomically). Every file is checked with LIEF: an ELF shared object whose machine and
class match its ABI. Whether its PT_LOAD segments suit 16 KiB-page devices is reported as a
warning, not an error.
"""

from __future__ import annotations

import enum
import io
import lzma
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

RELEASES_URL = "https://github.com/frida/frida/releases/download"
URL_ENV = "CLONE_GADGET_URL"  # a mirror: <base>/<version>/frida-gadget-…so.xz
PAGE_16K = 0x4000
_MAX_DOWNLOAD = 256 * 1024 * 1024


class GadgetInputError(ValueError):
    """A gadget file or directory the user gave is unusable (wrong ABI, version, unreadable)."""


class GadgetUnavailable(RuntimeError):
    """No gadget could be obtained (not in the directory or cache, and the download failed)."""


class Arch(enum.Enum):
    """Frida's Android architecture names, with their ELF identity and APK ABI directory."""

    ARM = "arm"
    ARM64 = "arm64"
    X86 = "x86"
    X86_64 = "x86_64"

    @property
    def abi(self) -> str:
        return _ABI_OF[self]

    @property
    def elf_machine(self) -> str:
        return _MACHINE_OF[self]

    @property
    def bits(self) -> int:
        return 64 if self in (Arch.ARM64, Arch.X86_64) else 32

    @property
    def process_arch(self) -> str:
        """What Frida's ``Process.arch`` says in a process of this architecture."""
        return _PROCESS_ARCH_OF[self]


_ABI_OF = {Arch.ARM: "armeabi-v7a", Arch.ARM64: "arm64-v8a", Arch.X86: "x86", Arch.X86_64: "x86_64"}
_MACHINE_OF = {Arch.ARM: "ARM", Arch.ARM64: "AARCH64", Arch.X86: "I386", Arch.X86_64: "X86_64"}
_PROCESS_ARCH_OF = {Arch.ARM: "arm", Arch.ARM64: "arm64", Arch.X86: "ia32", Arch.X86_64: "x64"}
# APK lib/<abi>/ directory -> the Gadget that runs there ("armeabi" devices run ARMv7 Gadget).
ARCH_FOR_ABI: Mapping[str, Arch] = {
    "arm64-v8a": Arch.ARM64,
    "armeabi-v7a": Arch.ARM,
    "armeabi": Arch.ARM,
    "x86": Arch.X86,
    "x86_64": Arch.X86_64,
}


def gadget_filename(version: str, arch: Arch) -> str:
    return f"frida-gadget-{version}-android-{arch.value}.so"


def installed_frida_version() -> str:
    """The version of the installed ``frida`` Python package (the Gadget must match it)."""
    import frida

    return str(frida.__version__)


@dataclass(frozen=True)
class ElfCheck:
    """What LIEF says about one file."""

    machine: str
    bits: int
    shared_object: bool
    aligned_16k: bool


@dataclass(frozen=True)
class Gadget:
    """One verified Gadget binary."""

    arch: Arch
    path: Path
    data: bytes
    aligned_16k: bool


@dataclass(frozen=True)
class GadgetSet:
    """The Gadgets of one version for the architectures a build needs."""

    version: str
    source: str  # "dir" | "cache" | "download"
    gadgets: Mapping[Arch, Gadget]

    @property
    def warnings(self) -> tuple[str, ...]:
        """16 KiB-page devices are 64-bit only, so only 64-bit Gadgets are judged."""
        return tuple(
            f"frida-gadget {self.version} for {g.arch.value} has PT_LOAD segments aligned below "
            "16 KiB; it may not load on devices with 16 KiB pages"
            for g in self.gadgets.values()
            if g.arch.bits == 64 and not g.aligned_16k
        )


def inspect_elf(data: bytes) -> ElfCheck | None:
    """LIEF's view of ``data``, or None when it is not an ELF file."""
    import lief

    lief.logging.disable()
    binary = lief.ELF.parse(io.BytesIO(data))
    if binary is None:
        return None
    header = binary.header
    loads = [s for s in binary.segments if s.type == lief.ELF.Segment.TYPE.LOAD]
    return ElfCheck(
        machine=str(header.machine_type.name),
        bits=64 if header.identity_class == lief.ELF.Header.CLASS.ELF64 else 32,
        shared_object=header.file_type == lief.ELF.Header.FILE_TYPE.DYN,
        aligned_16k=bool(loads) and all(s.alignment >= PAGE_16K for s in loads),
    )


def verify_gadget(arch: Arch, path: Path, data: bytes) -> Gadget:
    """Check ``data`` is an ELF shared object for ``arch``; raise GadgetInputError if not."""
    check = inspect_elf(data)
    if check is None or not check.shared_object:
        raise GadgetInputError(f"{path} is not an ELF shared object")
    if check.machine != arch.elf_machine or check.bits != arch.bits:
        raise GadgetInputError(
            f"{path} is an ELF for {check.machine} ({check.bits}-bit), not for {arch.value} "
            f"({arch.elf_machine}, {arch.bits}-bit)"
        )
    return Gadget(arch, path, data, check.aligned_16k)


def acquire(
    version: str,
    archs: Iterable[Arch],
    *,
    gadget_dir: Path | None,
    cache_root: Path,
    base_url: str | None = None,
    timeout: float = 60.0,
) -> GadgetSet:
    """The verified Gadgets of ``version`` for ``archs``, from ``gadget_dir`` if given, else
    from the cache (downloading what is missing)."""
    wanted = sorted(set(archs), key=lambda a: a.value)
    if gadget_dir is not None:
        files = {a: _from_dir(gadget_dir, version, a) for a in wanted}
        return GadgetSet(version, "dir", files)
    cache = cache_root / version
    source = "cache"
    gadgets: dict[Arch, Gadget] = {}
    for arch in wanted:
        path = cache / gadget_filename(version, arch)
        if not path.is_file():
            url = f"{(base_url or os.environ.get(URL_ENV) or RELEASES_URL).rstrip('/')}/{version}/"
            _download(url + gadget_filename(version, arch) + ".xz", path, arch, timeout)
            source = "download"
        gadgets[arch] = verify_gadget(arch, path, _read_cached(path))
    return GadgetSet(version, source, gadgets)


def _read_cached(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise GadgetUnavailable(f"cannot read the cached gadget {path}: {e.strerror}") from e


def archs_in_dir(directory: Path, version: str) -> tuple[Arch, ...]:
    """The architectures ``directory`` holds a Gadget of ``version`` for (``.so`` or Frida's
    published ``.so.xz``); empty when it cannot be read (``acquire`` says why)."""
    try:
        names = {p.name for p in directory.iterdir()}
    except OSError:
        return ()
    found = (a for a in Arch if gadget_filename(version, a) in names)
    packed = (a for a in Arch if gadget_filename(version, a) + ".xz" in names)
    return tuple(sorted({*found, *packed}, key=lambda a: a.value))


def _from_dir(directory: Path, version: str, arch: Arch) -> Gadget:
    try:
        names = sorted(p.name for p in directory.iterdir())
    except OSError as e:
        raise GadgetInputError(f"cannot read the gadget directory {directory}: {e.strerror}") from e
    name = gadget_filename(version, arch)
    packed = name + ".xz"  # as Frida publishes it
    if name not in names and packed not in names:
        ends = (f"-{arch.value}.so", f"-{arch.value}.so.xz")
        others = [n for n in names if n.startswith("frida-gadget-") and n.endswith(ends)]
        if others:
            raise GadgetInputError(
                f"{directory} has {others[0]} but the installed frida is {version}; "
                f"the gadget must match it: add {name} (or {packed})"
            )
        raise GadgetInputError(f"{directory} has no {name} or {packed} (needed for {arch.abi})")
    path = directory / (name if name in names else packed)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise GadgetInputError(f"cannot read {path}: {e.strerror}") from e
    if path.name == packed:
        try:
            data = lzma.decompress(data, format=lzma.FORMAT_XZ, memlimit=_MAX_DOWNLOAD * 2)
        except lzma.LZMAError as e:
            raise GadgetInputError(f"{path} is not a valid .xz file: {e}") from e
    return verify_gadget(arch, path, data)


def _download(url: str, dest: Path, arch: Arch, timeout: float) -> None:
    """Fetch ``url`` (an .xz), decompress, verify and move it into place atomically."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            packed = response.read(_MAX_DOWNLOAD + 1)
    except (urllib.error.URLError, OSError) as e:
        raise GadgetUnavailable(
            f"could not download {url}: {getattr(e, 'reason', e)}; pass --gadget-dir DIR "
            f"with {dest.name}"
        ) from e
    if len(packed) > _MAX_DOWNLOAD:
        raise GadgetUnavailable(f"{url} is larger than {_MAX_DOWNLOAD} bytes")
    try:
        data = lzma.decompress(packed, format=lzma.FORMAT_XZ, memlimit=_MAX_DOWNLOAD * 2)
    except lzma.LZMAError as e:
        raise GadgetUnavailable(f"{url} is not a valid .xz file: {e}") from e
    try:
        verify_gadget(arch, Path(url), data)
    except GadgetInputError as e:
        raise GadgetUnavailable(f"the downloaded gadget is unusable: {e}") from e
    try:
        _write_atomic(dest, data)
    except OSError as e:
        raise GadgetUnavailable(f"cannot write the gadget cache {dest.parent}: {e.strerror}") from e


def _write_atomic(dest: Path, data: bytes) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
