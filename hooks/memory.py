"""Pages of Frida's core library that a supervisor (this process, keeping a run under the
agent) read once and keeps mapped for nothing.

Frida's Python module (``_frida.abi3.so``, ~150 MB) carries the agent library and a 32-bit
helper inside it, and writes them out into memfds the first time it instruments a process;
after that, each injection maps the memfd, not those bytes. Reading them left ~40 MB of the
module's file pages mapped in this process, as much again as its code in use: ~75 MB of
RSS. ``release_read_once_pages`` unmaps the module's read-only, never-written pages
(``madvise(MADV_DONTNEED)``: for such pages that only drops this process's mapping of the
page cache; the code still in use is mapped again at its next access, from the page cache).
Pages this process has written (relocated data, ``.data``, ``.bss``) are left alone: they
exist nowhere else.
"""

from __future__ import annotations

import contextlib
import functools
import mmap
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

FRIDA_CORE = "_frida.abi3.so"
_HEADER = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S{4}) ")


@dataclass(frozen=True)
class Mapping:
    """One mapping of a file in this process, from ``/proc/self/smaps``."""

    start: int
    end: int
    perms: str  # "r-xp"
    path: str
    rss_kb: int
    anonymous_kb: int  # pages of it written by this process (copies of the file's)


def mappings(path_suffix: str, pid: int | str = "self") -> list[Mapping]:
    """The mappings of files whose path ends with ``path_suffix`` in process ``pid``."""
    found: list[Mapping] = []
    try:
        with open(f"/proc/{pid}/smaps", encoding="utf-8", errors="replace") as smaps:
            for header, fields in _entries(smaps):
                match = _HEADER.match(header)
                parts = header.split(maxsplit=5)
                if match is None or len(parts) < 6 or not parts[5].endswith(path_suffix):
                    continue
                found.append(
                    Mapping(
                        start=int(match[1], 16),
                        end=int(match[2], 16),
                        perms=match[3],
                        path=parts[5],
                        rss_kb=fields.get("Rss", 0),
                        anonymous_kb=fields.get("Anonymous", 0),
                    )
                )
    except OSError:
        return []
    return found


def _entries(lines: Iterator[str]) -> Iterator[tuple[str, dict[str, int]]]:
    """(header line, {field: kB}) for each mapping of an smaps file."""
    header: str | None = None
    fields: dict[str, int] = {}
    for line in lines:
        if _HEADER.match(line):
            if header is not None:
                yield header, fields
            header, fields = line.rstrip("\n"), {}
        elif line.endswith(" kB\n"):
            name, _, value = line.partition(":")
            with contextlib.suppress(ValueError):
                fields[name] = int(value.split()[0])
    if header is not None:
        yield header, fields


def read_once(mapping: Mapping) -> bool:
    """Whether ``mapping``'s pages can be dropped and mapped again from the file: private,
    never writable and none of it written by this process."""
    return mapping.perms[1] == "-" and mapping.perms[3] == "p" and mapping.anonymous_kb == 0


def release_read_once_pages(path_suffix: str = FRIDA_CORE) -> int:
    """Unmaps the pages of ``path_suffix`` (by default Frida's core library) this process
    holds only as copies of the file (see the module's docstring); the kB of RSS released.
    Does nothing where ``madvise`` is not available."""
    madvise = _madvise()
    if madvise is None:
        return 0
    released = 0
    for mapping in mappings(path_suffix):
        if read_once(mapping) and madvise(mapping.start, mapping.end - mapping.start) == 0:
            released += mapping.rss_kb
    return released


@functools.cache
def _madvise() -> Callable[[int, int], int] | None:
    """libc's ``madvise(addr, length, MADV_DONTNEED)``, or None without it."""
    dontneed = getattr(mmap, "MADV_DONTNEED", None)
    if dontneed is None:
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        call = libc.madvise
    except (OSError, AttributeError):
        return None
    call.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    call.restype = ctypes.c_int
    return lambda start, length: int(call(start, length, dontneed))
