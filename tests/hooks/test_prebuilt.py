"""The C fast path compiled ahead of time (hooks/agent/dist/cmodule, hooks.prebuilt): each
module of the build, checked with binutils' ``readelf`` as the oracle, and the reader.

Only the structure of the arm64, arm and x86 modules is checked here (nothing runs Android
or those CPUs here): the right machine and ABI, nothing left to resolve but what the agent
provides, no text relocations, no library needed, ARM code rather than Thumb. The x64 module
is also run, by the agent on this machine (tests/hooks/test_agent_bundle.py,
tests/hooks/payload/test_carried.py, tests/jvm/test_fast_path.py).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from hooks.prebuilt import CMODULES, read_prebuilt

# what the agent hands the module (fastpath/index.ts: the CModule symbols) and what Frida
# resolves in any CModule (GLib)
PROVIDED = {
    "cs_st", "cs_orig", "cs_errno_location", "cs_malloc", "cs_strlen", "cs_memcpy",
    "cs_strncmp", "cs_strstr", "cs_opendir", "cs_readdir64", "cs_closedir", "cs_getspecific",
    "cs_setspecific", "cs_mprotect", "g_mutex_lock", "g_mutex_unlock",
}  # fmt: skip


@dataclass(frozen=True)
class Target:
    arch: str  # Frida's Process.arch
    compiler: str  # the Debian cross compiler build-cmodule.mjs uses (package in the reason)
    package: str
    elf_class: str
    machine: str
    relocations: frozenset[str]  # the only relocation types the loader has to apply
    flags: str = ""  # in readelf's "Flags:" line


def _relocs(prefix: str) -> frozenset[str]:
    return frozenset(f"{prefix}_{t}" for t in ("RELATIVE", "GLOB_DAT", "JUMP_SLOT"))


TARGETS = [
    Target(
        "x64", "x86_64-linux-gnu-gcc", "gcc", "ELF64", "Advanced Micro Devices X86-64",
        _relocs("R_X86_64"),
    ),
    Target(
        "arm64", "aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu", "ELF64", "AArch64",
        _relocs("R_AARCH64"),
    ),
    Target(
        "arm", "arm-linux-gnueabihf-gcc", "gcc-arm-linux-gnueabihf", "ELF32", "ARM",
        _relocs("R_ARM"), "Version5 EABI, soft-float ABI",
    ),
    Target(
        "ia32", "i686-linux-gnu-gcc", "gcc-i686-linux-gnu", "ELF32", "Intel 80386",
        _relocs("R_386"),
    ),
]  # fmt: skip


def readelf(*args: str | Path) -> str:
    done = subprocess.run(
        ["readelf", "-W", *(str(a) for a in args)], capture_output=True, text=True, check=True
    )
    return done.stdout


def _manifest() -> dict[str, object]:
    path = CMODULES / "manifest.json"
    if not path.is_file():
        pytest.skip("the agent is not built (make agent)")
    value = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(value, dict)
    return value


@pytest.fixture(params=TARGETS, ids=[t.arch for t in TARGETS])
def built(request: pytest.FixtureRequest) -> tuple[Target, Path]:
    """A target and its module; skipped only when the build had no compiler for it."""
    target: Target = request.param
    if shutil.which("readelf") is None:
        pytest.skip("needs readelf (binutils, installed with gcc)")
    modules = _manifest()["modules"]
    assert isinstance(modules, dict)
    if target.arch not in modules:
        native = target.arch == "x64" and shutil.which("cc") is not None
        if shutil.which(target.compiler) is None and not native:
            pytest.skip(
                f"no {target.compiler} ({target.package}; scripts/install-system.sh installs "
                f"it): the build made no {target.arch} module"
            )
        pytest.fail(f"{target.compiler} is installed, yet the build made no {target.arch} module")
    return target, CMODULES / str(modules[target.arch])


def test_the_module_is_a_shared_object_for_its_machine(built: tuple[Target, Path]) -> None:
    target, so = built
    header = readelf("-h", so)
    assert re.search(rf"Class:\s+{target.elf_class}\n", header)
    assert re.search(r"Type:\s+DYN ", header)
    assert re.search(rf"Machine:\s+{re.escape(target.machine)}\n", header)
    flags = re.search(r"Flags:\s+(.*)\n", header)
    assert flags is not None and target.flags in flags.group(1)


def test_it_needs_nothing_but_what_the_agent_provides(built: tuple[Target, Path]) -> None:
    _, so = built
    undefined = {
        line.split()[7]
        for line in readelf("--dyn-syms", so).splitlines()
        if re.match(r"\s*\d+:", line) and len(line.split()) == 8 and line.split()[6] == "UND"
    }
    assert undefined, "readelf showed no undefined symbol: the parsing is wrong"
    assert undefined <= PROVIDED, f"unresolvable: {sorted(undefined - PROVIDED)}"
    dynamic = readelf("-d", so)
    assert "(NEEDED)" not in dynamic  # no libc, no libgcc: nothing for bionic's linker to find
    assert "TEXTREL" not in dynamic
    assert re.search(r"\(FLAGS\)\s+SYMBOLIC BIND_NOW", dynamic)


def test_its_relocations_are_the_plain_ones(built: tuple[Target, Path]) -> None:
    target, so = built
    kinds = set(re.findall(r"^\s*[0-9a-f]+\s+[0-9a-f]+\s+(R_\w+)", readelf("-r", so), re.M))
    assert kinds, "readelf showed no relocation: the parsing is wrong"
    assert kinds <= target.relocations


def test_it_exports_the_fast_path_and_a_wrapper_per_hook(built: tuple[Target, Path]) -> None:
    target, so = built
    functions = {
        int(line.split()[1], 16): line.split()[7]
        for line in readelf("--dyn-syms", so).splitlines()
        if len(line.split()) == 8 and line.split()[3] == "FUNC" and line.split()[6] != "UND"
    }
    names = set(functions.values())
    assert {"cs_init", "cs_add_rule", "cs_drain", "cs_r_openat", "cs_r_stat"} <= names
    if target.arch == "arm":  # ARM code, not Thumb: no export's address has bit 0 set
        assert [n for a, n in functions.items() if a & 1] == []


def test_its_segments_are_never_writable_and_executable(built: tuple[Target, Path]) -> None:
    target, so = built
    segments = readelf("-l", so)
    loads = re.findall(r"^\s*LOAD\s+.*\s([RWE ]{3})\s+(0x[0-9a-f]+)$", segments, re.M)
    assert len(loads) == 2
    assert all("W" not in flags or "E" not in flags for flags, _ in loads)
    assert re.search(r"GNU_STACK\s+.*\sRW\s+0x", segments)
    if target.elf_class == "ELF64":  # devices with 16 KiB pages
        assert all(int(align, 16) >= 0x4000 for _, align in loads)


def test_all_modules_come_from_the_same_sources() -> None:
    """One key for the whole build: the agent takes a module only when it matches its own."""
    manifest = _manifest()
    generated = CMODULES.parent.parent / "src" / "fastpath" / "redirect.generated.ts"
    assert f'FASTPATH_KEY: string = "{manifest["key"]}"' in generated.read_text(encoding="utf-8")


# --- the reader


def test_read_prebuilt_reads_the_modules_of_the_manifest(tmp_path: Path) -> None:
    (tmp_path / "redirect-x64.so").write_bytes(b"x64 module")
    (tmp_path / "redirect-arm.so").write_bytes(b"arm module")
    modules = {"x64": "redirect-x64.so", "arm": "redirect-arm.so", "ia32": "missing.so"}
    (tmp_path / "manifest.json").write_text(json.dumps({"key": "k1", "modules": modules}))
    prebuilt = read_prebuilt(tmp_path)
    assert prebuilt is not None and prebuilt.key == "k1"
    assert dict(prebuilt.modules) == {"x64": b"x64 module", "arm": b"arm module"}
    assert prebuilt.for_arch("ia32") is None  # named, but not there: TinyCC there
    only = read_prebuilt(tmp_path, ["arm"])
    assert only is not None and list(only.modules) == ["arm"]


@pytest.mark.parametrize(
    "manifest",
    [None, "not json", json.dumps([]), json.dumps({"key": 1, "modules": {}})],
    ids=["missing", "not json", "not an object", "bad key"],
)
def test_read_prebuilt_without_a_usable_manifest_is_none(
    tmp_path: Path, manifest: str | None
) -> None:
    if manifest is not None:
        (tmp_path / "manifest.json").write_text(manifest)
    assert read_prebuilt(tmp_path) is None


def test_read_prebuilt_reads_nothing_outside_its_directory(tmp_path: Path) -> None:
    (tmp_path / "secret").write_bytes(b"not a module")
    inner = tmp_path / "cmodule"
    inner.mkdir()
    modules = {"x64": "../secret"}
    (inner / "manifest.json").write_text(json.dumps({"key": "k", "modules": modules}))
    prebuilt = read_prebuilt(inner)
    assert prebuilt is not None and dict(prebuilt.modules) == {}
