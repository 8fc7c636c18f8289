"""What ``/proc`` says about a process (Linux): its state, when it started, whether it
carries a Frida agent. Every function answers None or empty for a process that is gone."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

_AGENT_MAPPING = "frida-agent"


def pids() -> Iterator[int]:
    """The pids of every process now running (and not reaped)."""
    with os.scandir("/proc") as entries:
        for entry in entries:
            if entry.name.isdigit():
                yield int(entry.name)


def stat_fields(pid: int) -> list[str] | None:
    """``/proc/PID/stat`` after the command name: [state, ppid, ...] (field 3 on)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()


def state(pid: int) -> str | None:
    """The one-letter state (``R``, ``S``, ``t``, ``Z``...)."""
    fields = stat_fields(pid)
    return fields[0] if fields else None


def alive(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie."""
    return state(pid) not in (None, "Z")


def start_ticks(pid: int, *, alive_only: bool = False) -> int | None:
    """When ``pid`` started, in clock ticks since boot (unchanged by exec; a reused pid has
    another); None for a zombie too with ``alive_only``."""
    fields = stat_fields(pid)
    if not fields or (alive_only and fields[0] == "Z"):
        return None
    try:
        return int(fields[19])
    except (ValueError, IndexError):
        return None


def agent_files(pid: int) -> frozenset[str]:
    """The files (``device:inode``) of the Frida agent libraries mapped in ``pid``. One
    injecting process maps the same file into every process it instruments, and a fork
    child inherits its parent's."""
    try:
        with open(f"/proc/{pid}/maps", encoding="utf-8", errors="replace") as maps:
            return frozenset(
                f"{fields[3]}:{fields[4]}"
                for line in maps
                if _AGENT_MAPPING in line and len(fields := line.split()) >= 6
            )
    except OSError:
        return frozenset()
