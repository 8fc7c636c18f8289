"""Which processes run on the device: ``ps`` in its two forms, and the pids of a package.

Android 8 and later ship toybox ``ps``: ``ps -A -o USER,PID,NAME`` lists every process in
three columns. Android 7 and earlier ship toolbox ``ps``, which takes every argument it does
not know (``-A``, ``-o``, ``USER,PID,NAME``) as a process-name filter, matches nothing and
prints only its header (exit 0); without arguments it lists every process in its own
columns (``USER PID PPID VSIZE RSS WCHAN PC NAME``, a state letter before the name). So the
toybox form is asked first and the plain ``ps`` when the answer lists no process.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import adbutils

from device.adb import run

TOYBOX_ARGV = ("ps", "-A", "-o", "USER,PID,NAME")
TOOLBOX_ARGV = ("ps",)
_USER_RE = re.compile(r"^u(\d+)_")


@dataclass(frozen=True)
class Process:
    """One line of ``ps``: the Linux user (``u10_a123``), pid and process name."""

    user: str
    pid: int
    name: str

    @property
    def android_user(self) -> int | None:
        match = _USER_RE.match(self.user)
        return int(match.group(1)) if match else None


def parse_ps(text: str) -> list[Process]:
    """Toybox ``ps -A -o USER,PID,NAME`` or toolbox ``ps`` -> the processes, header skipped.

    The name is the last column in both forms (toolbox prints an unlabelled state letter
    before it). Raises ValueError if the first line is not a ``ps`` header."""
    lines = text.strip().splitlines()
    if not lines:
        return []
    header = lines[0].split()
    if "PID" not in header or "USER" not in header:
        raise ValueError(f"unexpected ps header {lines[0]!r}")
    upos, ppos = header.index("USER"), header.index("PID")
    procs = []
    for line in lines[1:]:
        cols = line.split()
        if len(cols) < max(upos, ppos) + 2 or not cols[ppos].isdigit():
            continue
        procs.append(Process(cols[upos], int(cols[ppos]), cols[-1]))
    return procs


def processes(dev: adbutils.AdbDevice) -> list[Process]:
    """Every process on the device, toybox or toolbox ``ps`` (see the module docstring)."""
    result = run(dev, list(TOYBOX_ARGV))
    procs = parse_ps(result.stdout) if result.code == 0 and "PID" in result.stdout else []
    if procs:
        return procs
    return parse_ps(run(dev, list(TOOLBOX_ARGV)).stdout)  # Android < 8: toolbox ps


def pids_of(procs: Sequence[Process], package: str, user: int | None = None) -> list[int]:
    """The pids of ``package``'s main process (for ``user``, default: any user)."""
    return sorted(
        p.pid for p in procs if p.name == package and (user is None or p.android_user == user)
    )


def pids(dev: adbutils.AdbDevice, package: str, user: int | None = None) -> list[int]:
    return pids_of(processes(dev), package, user)
