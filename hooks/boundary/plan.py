"""What the boundary grants: every path except the trees it keeps out, with holes for the
program's own store. Pure, apart from listing the directories on the way to those trees.

Landlock grants, it does not deny, and a grant on a directory covers all beneath it. So a
tree is kept out by granting, along the path from ``/`` to it, every sibling of that path
(and nothing on the directories of the path themselves): the program can reach everything
else, and cannot create or list entries in those directories. ``/dev`` only grants the
usual character devices and its tmpfs trees (no raw disks, even to root).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

EXECUTE = 1 << 0
READ_DIR = 1 << 3
MAKE_CHAR = 1 << 6
MAKE_BLOCK = 1 << 11
ALL = (1 << 64) - 1
EVERYTHING = ALL & ~(MAKE_CHAR | MAKE_BLOCK)  # no device nodes, not even for root

DEV = "/dev"
DEV_ENTRIES = frozenset(
    {"null", "zero", "full", "random", "urandom", "tty", "ptmx", "pts", "shm", "mqueue"}
)


@dataclass(frozen=True)
class Grant:
    """``access`` (Landlock filesystem rights) on ``path`` and everything beneath it."""

    path: str
    access: int


def grants(keep_out: Sequence[str], own: Sequence[str]) -> list[Grant]:
    """The rules for a program kept out of ``keep_out`` (absolute, resolved paths; they need
    not exist) but with every right in ``own`` (paths inside them)."""
    kept = {os.path.normpath(p) for p in keep_out}
    on_the_way = {a for p in kept for a in _ancestors(p)} - kept
    out: list[Grant] = []
    for directory in sorted(on_the_way):
        for name in _entries(directory):
            child = os.path.join(directory, name)
            if child in kept or child in on_the_way:
                continue
            if child == DEV:
                out += _dev()
            else:
                out.append(Grant(child, EVERYTHING))
    if "/" not in on_the_way and "/" not in kept:  # nothing kept out at all
        out += [Grant(os.path.join("/", n), EVERYTHING) for n in _entries("/") if n != "dev"]
        out += _dev()
    out += [Grant(os.path.normpath(p), EVERYTHING) for p in own]
    return out


def hidden(keep_out: Sequence[str], own: Sequence[str]) -> list[str]:
    """The trees the entry covers with an empty tmpfs in the run's mount namespace (what
    Landlock cannot keep out, such as connecting to a named socket, then finds no path):
    ``keep_out`` without those inside another one or inside an ``own`` tree, outer first."""
    kept = sorted({os.path.normpath(p) for p in keep_out}, key=lambda p: (p.count("/"), p))
    owned = [os.path.normpath(p) for p in own]
    out: list[str] = []
    for path in kept:
        if any(_within(path, t) for t in [*out, *owned]):
            continue
        out.append(path)
    return out


def servable(
    served: Sequence[tuple[str, str]], keep_out: Sequence[str], own: Sequence[str]
) -> list[tuple[str, str]]:
    """The (source, real path) pairs the entry may bind: not one whose real path holds
    another kept-out or own tree (a ``$CLONE_HOME`` inside a data path, say), which the
    bind would shadow, the own store with it; such a path stays covered instead."""
    others = [os.path.normpath(p) for p in (*keep_out, *own)]
    return [
        (src, dst)
        for src, dst in served
        if not any(p != os.path.normpath(dst) and _within(p, dst) for p in others)
    ]


def _within(path: str, tree: str) -> bool:
    return path == tree or path.startswith(tree.rstrip("/") + "/")


def _ancestors(path: str) -> Iterable[str]:
    """``/``, ``/a``, ``/a/b`` for ``/a/b/c``."""
    parts = path.strip("/").split("/")
    yield "/"
    for i in range(1, len(parts)):
        yield "/" + "/".join(parts[:i])


def _entries(directory: str) -> list[str]:
    try:
        return sorted(os.listdir(directory))
    except OSError:
        return []  # absent (a data path not made yet) or unreadable: nothing to grant there


def _dev() -> list[Grant]:
    out = [Grant(DEV, READ_DIR | EXECUTE)]
    for name in sorted(DEV_ENTRIES):
        path = os.path.join(DEV, name)
        if os.path.exists(path) and not os.path.islink(path):
            out.append(Grant(path, EVERYTHING))
    return out
