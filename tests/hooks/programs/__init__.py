"""Small C programs the host suites run under the hooks, and helpers to build and run them.

``fsops`` runs file operations in order and prints ``OK op [value]`` / ``ERR op ERRNO``
per operation (see its header); ``statloop`` times ``stat()`` for the benchmark; ``escape``
(and its static build), the ``preload`` library, ``race`` (symlinks moved under the hooks'
feet) and ``unpatch`` (libc's bytes copied back over the hooks) are the attack suite's
ways out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SOURCES = Path(__file__).resolve().parent
CLONE = Path(sys.executable).with_name("clone")


def build(name: str, out_dir: Path, *, kind: str = "") -> Path:
    """Compile ``programs/NAME.c`` with gcc into ``out_dir`` (once; reused if up to date):
    an executable, or with ``kind`` ``"static"`` a static one (``NAME-static``), with
    ``"shared"`` a shared library (``libNAME.so``)."""
    source = SOURCES / f"{name}.c"
    flags = {"": [], "static": ["-static"], "shared": ["-shared", "-fPIC"]}[kind]
    binary = out_dir / {"": name, "static": f"{name}-static", "shared": f"lib{name}.so"}[kind]
    if binary.exists() and binary.stat().st_mtime_ns >= source.stat().st_mtime_ns:
        return binary
    gcc = shutil.which("gcc")
    if gcc is None:
        raise RuntimeError("gcc is needed to build the test programs (apt-get install gcc)")
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / f".{binary.name}.tmp"
    cmd = [gcc, "-O2", "-Wall", "-Wextra", "-Werror", *flags, "-o", str(tmp), str(source)]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    os.replace(tmp, binary)
    return binary


def fsops_results(stdout: str) -> list[tuple[str, str, str]]:
    """fsops result lines as (``OK``/``ERR``, op, value-or-errno); other lines are skipped."""
    out = []
    for line in stdout.splitlines():
        status, _, rest = line.partition(" ")
        if status in ("OK", "ERR"):
            op, _, value = rest.partition(" ")
            out.append((status, op, value))
    return out


@dataclass(frozen=True)
class HostRun:
    """What one ``clone host run`` did: its exit status and output lines."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def results(self) -> list[tuple[str, str, str]]:
        """fsops result lines as (``OK``/``ERR``, op, value-or-errno)."""
        return fsops_results(self.stdout)

    def last(self) -> tuple[str, str, str]:
        assert self.results, f"no fsops output: {self.stdout!r} {self.stderr!r}"
        return self.results[-1]


def host_run(
    clone_home: Path,
    app: str,
    index: int,
    data: Sequence[Path],
    argv: Sequence[str | Path],
    *,
    trace: Path | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
) -> HostRun:
    """``clone host run`` in a subprocess (the console script), as a user would call it."""
    cmd = [str(CLONE), "host", "run", "--app", app, "--clone", str(index)]
    for path in data:
        cmd += ["--data", str(path)]
    if trace is not None:
        cmd += ["--trace", str(trace)]
    cmd += ["--", *map(str, argv)]
    env = {**os.environ, "CLONE_HOME": str(clone_home)}
    done = subprocess.run(
        cmd, capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout, check=False
    )
    return HostRun(done.returncode, done.stdout, done.stderr)


def ops(*groups: Sequence[str | Path]) -> list[str]:
    """fsops arguments for several operations: ``ops(["write", p, "x"], ["read", p])``."""
    argv: list[str] = []
    for group in groups:
        if argv:
            argv.append(":")
        argv += [str(a) for a in group]
    return argv
