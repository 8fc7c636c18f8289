"""What ``/proc`` says about a process (Linux): its state, when it started, whether it
carries a Frida agent, whether it runs a statically linked program. Every function answers
None or empty for a process that is gone."""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass

_AGENT_MAPPING = b"frida-agent"


def pids() -> Iterator[int]:
    """The pids of every process now running (and not reaped)."""
    with os.scandir("/proc") as entries:
        for entry in entries:
            if entry.name.isdigit():
                yield int(entry.name)


def read(path: str) -> bytes | None:
    """The whole of a ``/proc`` file, or None when it cannot be read (its process is gone).
    Plain ``os.read`` calls: several times faster than a text file object, which matters
    where every process of the machine is looked at (``hooks.session`` does, as a run ends)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        chunks = []
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def stat_fields(pid: int) -> list[str] | None:
    """``/proc/PID/stat`` after the command name: [state, ppid, ...] (field 3 on)."""
    stat = read(f"/proc/{pid}/stat")
    if not stat:
        return None
    return stat.rsplit(b")", 1)[1].decode("ascii", "replace").split()


@dataclass(frozen=True)
class Stat:
    """What one read of ``/proc/PID/stat`` says: state, parent and start (clock ticks)."""

    state: str
    parent: int
    started: int


def stat(pid: int) -> Stat | None:
    """``pid``'s state, parent and start time from one read; None when gone (or garbled)."""
    fields = stat_fields(pid)
    try:
        return Stat(fields[0], int(fields[1]), int(fields[19])) if fields else None
    except (ValueError, IndexError):
        return None


def name(pid: int) -> str:
    """The command name (``comm``), or ``?`` for a process gone."""
    comm = read(f"/proc/{pid}/comm")
    return "?" if comm is None else comm.decode("utf-8", "replace").strip()


def state(pid: int) -> str | None:
    """The one-letter state (``R``, ``S``, ``t``, ``Z``...)."""
    fields = stat_fields(pid)
    return fields[0] if fields else None


def alive(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie."""
    return state(pid) not in (None, "Z")


def tracer(pid: int) -> int | None:
    """The thread tracing ``pid`` with ptrace, if any."""
    return _status_fields(pid, b"TracerPid:")[0] or None


def owners(tid: int) -> tuple[int, ...]:
    """The process thread ``tid`` belongs to, and that process's parent; () when gone."""
    group, parent = _status_fields(tid, b"Tgid:", b"PPid:")
    return () if group is None or parent is None else (group, parent)


def _status_fields(pid: int, *names: bytes) -> list[int | None]:
    """The numbers ``names`` (``b"PPid:"``...) stand for in one read of ``/proc/PID/status``,
    each None when absent or the process is gone."""
    found: dict[bytes, int] = {}
    for line in (read(f"/proc/{pid}/status") or b"").splitlines():
        name, _, value = line.partition(b"\t")
        if name in names:
            found[name] = int(value)
    return [found.get(name) for name in names]


def start_ticks(pid: int, *, alive_only: bool = False) -> int | None:
    """When ``pid`` started, in clock ticks since boot (unchanged by exec; a reused pid has
    another); None for a zombie too with ``alive_only``."""
    found = stat(pid)
    return None if found is None or (alive_only and found.state == "Z") else found.started


def agent_files(pid: int) -> frozenset[str]:
    """The files (``device:inode``) of the Frida agent libraries mapped in ``pid``. One
    injecting process maps the same file into every process it instruments, and a fork
    child inherits its parent's."""
    maps = read(f"/proc/{pid}/maps")
    if maps is None or _AGENT_MAPPING not in maps:
        return frozenset()
    return frozenset(
        f"{fields[3].decode()}:{fields[4].decode()}"
        for line in maps.splitlines()
        if _AGENT_MAPPING in line and len(fields := line.split()) >= 6
    )


_PT_INTERP = 3


def statically_linked(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a 64-bit ELF program without an interpreter (no dynamic loader,
    so no libc of its own that the hooks could patch); False for anything else."""
    try:
        with open(path, "rb") as f:
            header = f.read(64)
            if len(header) < 64 or header[:5] != b"\x7fELF\x02" or header[16] not in (2, 3):
                return False
            phoff, phentsize, phnum = (
                struct.unpack_from("<Q", header, 32)[0],
                *struct.unpack_from("<HH", header, 54),
            )
            f.seek(phoff)
            table = f.read(phentsize * phnum)
    except OSError:
        return False
    if phentsize < 4 or len(table) < phentsize * phnum:
        return False
    types = [struct.unpack_from("<I", table, i * phentsize)[0] for i in range(phnum)]
    return _PT_INTERP not in types


def static_program(pid: int) -> str | None:
    """The program ``pid`` runs if it is statically linked (see ``statically_linked``)."""
    exe = f"/proc/{pid}/exe"
    if not statically_linked(exe):
        return None
    try:
        return os.readlink(exe)
    except OSError:
        return None
