"""hooks/prologue_plan.py: which JSON plans the host packs, and the packed layout itself
(hooks/agent/src/fastpath/direct.c reads it; tests/hooks/fastpath/test_prologue_plan.py
hands packed plans to agents)."""

from __future__ import annotations

import copy
import struct
from collections.abc import Callable
from typing import Any

import pytest

from hooks.prologue_plan import FORMAT, ProloguePlan, packed_index

OPEN = {"at": 0x1000, "slot": 0, "head": "554189f24889fd53", "covered": False}
OPEN_DIRECT = {"copy": 6, "resume": 0x1006, "branches": [[4, 2, 5, 0x1020]]}


def _export(at: int, slot: int, head: str, *, covered: bool) -> dict[str, object]:
    return {"at": at, "slot": slot, "head": head, "covered": covered, "direct": None}


def _plan() -> dict[str, Any]:
    """A plan of three exports (one replaced directly, with a conditional jump in its copy;
    one covered; one for Gum) and one absent."""
    return {
        "format": FORMAT,
        "arch": "x64",
        "buildId": "ab" * 20,
        "exports": {
            "open": {**OPEN, "direct": OPEN_DIRECT},
            "stat": _export(0x2000, 3, "e9fb0f0000", covered=True),
            "creat": _export(0x3000, 2, "803d712a0e", covered=False),
        },
        "absent": {"lchmod": 1},
    }


def _packed() -> bytes:
    plan = ProloguePlan.from_json(_plan())
    assert plan is not None
    return plan.packed


def test_a_plan_is_packed_by_slot_as_direct_c_reads_it() -> None:
    packed = _packed()
    assert packed[:8] == b"CSPP" + struct.pack("<HH", 1, 4)
    open_entry = struct.pack("<IiBBBBB3x", 0x1000, 0x1006, 0, 2, 8, 6, 1)
    open_entry += struct.pack("<BBBxi", 4, 2, 5, 0x1020) + bytes.fromhex("554189f24889fd53")
    lchmod = struct.pack("<IiBBBBB3x", 0, 0, 1, 4, 0, 0, 0)
    pad = bytes(3)  # a head of 5 bytes padded to 8
    creat = struct.pack("<IiBBBBB3x", 0x3000, 0, 2, 0, 5, 0, 0) + bytes.fromhex("803d712a0e") + pad
    stat = struct.pack("<IiBBBBB3x", 0x2000, 0, 3, 1, 5, 0, 0) + bytes.fromhex("e9fb0f0000") + pad
    assert packed[8:] == open_entry + lchmod + creat + stat


def test_plans_are_handed_over_one_after_another() -> None:
    first = ProloguePlan.from_json(_plan())
    other = ProloguePlan.from_json({**_plan(), "buildId": "cd" * 20})
    assert first is not None and other is not None
    index, data = packed_index([first, other])
    assert index == [
        {"buildId": "ab" * 20, "arch": "x64", "size": len(first.packed)},
        {"buildId": "cd" * 20, "arch": "x64", "size": len(other.packed)},
    ]
    assert data == first.packed + other.packed
    assert packed_index([]) == ([], b"")


def test_the_value_is_kept_as_the_agent_wrote_it() -> None:
    plan = ProloguePlan.from_json(_plan())
    assert plan is not None
    assert (plan.build_id, plan.arch, plan.value) == ("ab" * 20, "x64", _plan())


Mutation = Callable[[dict[str, Any]], object]


def _set(*path: str, value: object) -> Mutation:
    def mutate(plan: dict[str, Any]) -> object:
        where: Any = plan
        for key in path[:-1]:
            where = where[key]
        where[path[-1]] = value
        return plan

    return mutate


def _without(*path: str) -> Mutation:
    def mutate(plan: dict[str, Any]) -> object:
        where: Any = plan
        for key in path[:-1]:
            where = where[key]
        del where[path[-1]]
        return plan

    return mutate


def _branches(value: object) -> Mutation:
    return _set("exports", "open", "direct", "branches", value=value)


MALFORMED: dict[str, Mutation] = {
    "not an object": lambda plan: [plan],
    "another format": _set("format", value=1),
    "no arch": _without("arch"),
    "a build-id not hex": _set("buildId", value="XY"),
    "a build-id empty": _set("buildId", value=""),
    "exports not an object": _set("exports", value=["open"]),
    "no absent": _without("absent"),
    "an export found and absent": _set("absent", "open", value=9),
    "a slot twice": _set("exports", "creat", "slot", value=0),
    "a slot absent twice": _set("absent", "lchmod", value=3),
    "a slot past the table's reach": _set("exports", "open", "slot", value=256),
    "a slot not an integer": _set("exports", "open", "slot", value=True),
    "an offset negative": _set("exports", "open", "at", value=-1),
    "a head of odd length": _set("exports", "open", "head", value="f30"),
    "a head not hex": _set("exports", "open", "head", value="zz"),
    "a head empty": _set("exports", "stat", "head", value=""),
    "a head not a string": _set("exports", "open", "head", value=243),
    "covered not a boolean": _set("exports", "open", "covered", value="no"),
    "covered and direct": _set("exports", "open", "covered", value=True),
    "direct not an object": _set("exports", "open", "direct", value="jmp"),
    "copying more than the head": _set("exports", "open", "direct", "copy", value=9),
    "copying more than a trampoline holds": _set("exports", "open", "direct", "copy", value=35),
    "a head shorter than the jump written": _set("exports", "open", "head", value="40f6c640"),
    "a resume past 32 bits": _set("exports", "open", "direct", "resume", value=2**31),
    "a branch outside the copy": _branches([[5, 2, 5, 0]]),
    "a branch of no condition code": _branches([[0, 2, 16, 0]]),
    "a branch of another size": _branches([[0, 3, 5, 0]]),
    "a branch not a quadruple": _branches([[0, 2, 5]]),
    "branches not a list": _branches({}),
}


@pytest.mark.parametrize("mutate", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_plan_is_no_plan(mutate: Mutation) -> None:
    assert ProloguePlan.from_json(mutate(copy.deepcopy(_plan()))) is None
