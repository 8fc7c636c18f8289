"""The agent's C fast path compiled ahead of time, as ``make agent`` leaves it.

``hooks/agent/scripts/build-cmodule.mjs`` compiles ``src/fastpath/redirect.c`` and
``direct.c`` (with a wrapper for every export of the hook table) into
``dist/cmodule/redirect-<arch>.so`` for each Frida architecture (``Process.arch``: x64, arm64,
arm, ia32) it has a compiler for, and lists them in ``dist/cmodule/manifest.json`` with the
key of the sources they were built from. A host run hands its processes the one for this
machine (``agent_bundle``); a clone's payload carries the one for each of its ABIs inside the
agent script (``payload.bundle``). The agent loads one only when its architecture and key are
its own, and otherwise compiles the C with Frida's TinyCC.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

CMODULES = Path(__file__).resolve().parent / "agent" / "dist" / "cmodule"


@dataclass(frozen=True)
class PrebuiltFastPath:
    """The modules of one build: Frida architecture -> shared object, and the key of the
    sources they were built from."""

    key: str
    modules: Mapping[str, bytes] = field(repr=False)

    def for_arch(self, arch: str) -> bytes | None:
        return self.modules.get(arch)


def read_prebuilt(
    directory: Path = CMODULES, archs: Iterable[str] | None = None
) -> PrebuiltFastPath | None:
    """The modules in ``directory`` (only those of ``archs`` when given), or None when it
    holds no readable manifest; a module the manifest names but that cannot be read is left
    out (its processes compile the fast path with TinyCC)."""
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        key = manifest["key"]
        names = manifest["modules"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(key, str) or not isinstance(names, dict):
        return None
    wanted = set(archs) if archs is not None else set(names)
    modules: dict[str, bytes] = {}
    for arch, name in names.items():
        if arch not in wanted or not isinstance(name, str) or "/" in name:
            continue
        try:
            modules[arch] = (directory / name).read_bytes()
        except OSError:
            continue
    return PrebuiltFastPath(key, modules)
