"""The prologue plan an agent computes for one libc build, and the packed form agents take.

A kept agent on x86_64 decides, from the first instructions of each libc function it hooks,
which ones only tail-call another hooked function and how its direct installer replaces the
others (``hooks/agent/src/fastpath/plan.ts``). That depends only on libc's bytes, so the host
learns the plan from the first agent that computed one (as JSON: ``value``) and hands it to
the next ones packed (``packed``): a flat binary the agent's C module carries out in one call
(``src/fastpath/direct.c``, whose header comment is the layout's reference), with no
JavaScript per function.

``ProloguePlan.from_json`` checks everything the packing needs, so a damaged plan file or a
plan from another agent build's layout is no plan (the agent then computes one, as without
it). What JSON cannot vouch for, the agent still checks: the bytes in memory each decision
read (``head``) before it acts on the decision.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

FORMAT = 2  # plan.ts's FORMAT
_MAGIC = b"CSPP"
_VERSION = 1
_PATCH = 5  # the jump written over an export's first bytes
_MAX_COPY = 34  # bytes a trampoline copies before its jump back (direct.c, CS_DIRECT_MAX_COPY)
_MAX_SLOTS = 256
# what the plan says of an export (direct.c): Gum replaces it, covered, direct, absent
_GUM, _COVERED, _DIRECT, _ABSENT = 0, 1, 2, 4
_S32 = range(-(2**31), 2**31)


class _Malformed(ValueError):
    pass


@dataclass(frozen=True)
class ProloguePlan:
    """An agent's prologue plan for one libc build: ``value`` as the agent wrote it (what the
    build records and the host learns), ``packed`` as agents are handed it."""

    build_id: str
    arch: str
    value: Mapping[str, Any]
    packed: bytes

    @classmethod
    def from_json(cls, value: object) -> ProloguePlan | None:
        """``value`` as a plan, or None when it is not one an agent of this layout can carry
        out (malformed in any way)."""
        try:
            return cls(*_checked(value))
        except _Malformed:
            return None


def packed_index(plans: Sequence[ProloguePlan]) -> tuple[list[dict[str, object]], bytes]:
    """``plans`` as one message hands them to an agent: the list naming each (its libc
    build, arch and size), and their packed forms one after another."""
    index = [{"buildId": p.build_id, "arch": p.arch, "size": len(p.packed)} for p in plans]
    return index, b"".join(p.packed for p in plans)


def _checked(value: object) -> tuple[str, str, Mapping[str, Any], bytes]:
    plan = _mapping(value)
    build_id, arch = plan.get("buildId"), plan.get("arch")
    if plan.get("format") != FORMAT or not isinstance(arch, str) or not arch:
        raise _Malformed("format or arch")
    if not isinstance(build_id, str) or not _is_hex(build_id):
        raise _Malformed("buildId")
    exports, absent = _mapping(plan.get("exports")), _mapping(plan.get("absent"))
    entries: dict[int, bytes] = {}
    for name, entry in exports.items():
        slot, packed = _pack_export(_mapping(entry))
        _place(entries, name, slot, packed)
    for name, value in absent.items():
        slot = _int(value, range(_MAX_SLOTS))
        _place(entries, name, slot, _entry(0, 0, slot, _ABSENT, b"", 0, []))
    if set(exports) & set(absent):
        raise _Malformed("an export both found and absent")
    body = b"".join(entries[slot] for slot in sorted(entries))
    return build_id, arch, plan, _MAGIC + struct.pack("<HH", _VERSION, len(entries)) + body


def _place(entries: dict[int, bytes], name: object, slot: int, packed: bytes) -> None:
    if not isinstance(name, str) or not name or slot in entries:
        raise _Malformed("a name, or a slot twice")
    entries[slot] = packed


def _pack_export(entry: Mapping[str, Any]) -> tuple[int, bytes]:
    at = _int(entry.get("at"), range(2**32))
    slot = _int(entry.get("slot"), range(_MAX_SLOTS))
    head = _head(entry.get("head"))
    covered, direct = entry.get("covered"), entry.get("direct")
    if not isinstance(covered, bool):
        raise _Malformed("covered")
    if direct is None:
        return slot, _entry(at, 0, slot, _COVERED if covered else _GUM, head, 0, [])
    shape = _mapping(direct)
    if covered:
        raise _Malformed("covered and replaced directly")
    copy = _int(shape.get("copy"), range(_MAX_COPY + 1))
    resume = _int(shape.get("resume"), _S32)
    raw = shape.get("branches")
    if not isinstance(raw, list):
        raise _Malformed("branches")
    branches = [_branch(b, copy) for b in raw]
    if len(head) < max(copy, _PATCH) or copy + 4 * len(branches) > _MAX_COPY:
        raise _Malformed("a shape the installer cannot carry out")
    return slot, _entry(at, resume, slot, _DIRECT, head, copy, branches)


def _branch(value: object, copy: int) -> tuple[int, int, int, int]:
    if not isinstance(value, list) or len(value) != 4:
        raise _Malformed("a branch not a quadruple")
    at = _int(value[0], range(copy + 1))
    size = _int(value[1], (2, 6))
    cc = _int(value[2], range(16))
    to = _int(value[3], _S32)
    if at + size > copy:
        raise _Malformed("a branch outside the copy")
    return at, size, cc, to


def _entry(
    at: int,
    resume: int,
    slot: int,
    flags: int,
    head: bytes,
    copy: int,
    branches: Sequence[tuple[int, int, int, int]],
) -> bytes:
    out = struct.pack("<IiBBBBB3x", at, resume, slot, flags, len(head), copy, len(branches))
    out += b"".join(struct.pack("<BBBxi", *b) for b in branches)
    return out + head + bytes(-len(head) % 4)


def _head(value: object) -> bytes:
    if not isinstance(value, str) or not 0 < len(value) <= 2 * 255 or not _is_hex(value):
        raise _Malformed("head")
    return bytes.fromhex(value)


def _mapping(value: object) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _Malformed("not an object")
    return value


def _int(value: object, allowed: range | tuple[int, ...]) -> int:
    if type(value) is not int or value not in allowed:
        raise _Malformed("not an integer in range")
    return value


def _is_hex(text: str) -> bool:
    return bool(text) and len(text) % 2 == 0 and all(c in "0123456789abcdef" for c in text)
