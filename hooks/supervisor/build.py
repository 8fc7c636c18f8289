"""Which build of the hook engine a process runs: a client only talks to a supervisor of its
own build, never one started from another checkout, Python or Frida, or before the agent was
rebuilt (it would hand the run an agent, or a policy format, the client does not expect)."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from pathlib import Path

_HOOKS = Path(__file__).resolve().parent.parent


def build_id() -> str:
    """A digest of this interpreter, the ``hooks`` package's modules, the built agent and
    the installed Frida (by path, size and modification time; nothing is imported)."""
    digest = hashlib.sha256()
    digest.update(f"{sys.executable}\0{sys.version}\0".encode())
    files = [*_HOOKS.glob("*.py"), *_HOOKS.glob("*/*.py"), *(_HOOKS / "agent" / "dist").rglob("*")]
    frida = importlib.util.find_spec("frida")
    if frida is not None and frida.origin is not None:
        files.append(Path(frida.origin))
    for path in sorted(files):
        try:
            stat = path.stat()
        except OSError:
            continue
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()[:32]


def ptrace_refusal() -> str | None:
    """Why the kernel would not let a supervisor attach to a process it did not start (Yama's
    ``ptrace_scope``), or None when it would. Root (CAP_SYS_PTRACE) passes scopes 1 and 2;
    scope 3 lets nobody attach."""
    try:
        with open("/proc/sys/kernel/yama/ptrace_scope", encoding="ascii") as f:
            scope = int(f.read().strip() or 0)
    except (OSError, ValueError):
        return None  # no Yama: the usual ptrace rules, which let a process of the same user in
    if scope == 0 or (scope in (1, 2) and os.geteuid() == 0):
        return None
    return (
        f"Yama's ptrace_scope is {scope}: a shared supervisor may not attach to a program it "
        "did not start"
    )
