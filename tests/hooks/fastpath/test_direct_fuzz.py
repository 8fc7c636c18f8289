"""direct.c (the direct installer's patcher) natively under ASan/UBSan, over a fake libc:
a packed plan, as hooks/prologue_plan.py packs it, is carried out as planned (stubs and
trampolines byte for byte), and thousands of damaged ones are refused or carried out in
part without reading or writing out of bounds (tests/hooks/fastpath/direct_harness.c)."""

from __future__ import annotations

import random
import struct
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hooks.prologue_plan import FORMAT, ProloguePlan
from tests.hooks.fastpath.harness import ENV, Unavailable, build

SOURCE = Path(__file__).resolve().parent / "direct_harness.c"

# the fake libc: each function's first bytes at its offset, the rest int3
IMAGE_SIZE = 0x4000
FUNCTIONS = {
    # push rbp; mov rbp, rsp; push r12: 6 bytes copied
    0x100: bytes.fromhex("554889e541544883ec10"),
    # test sil, 0x40; jne +0x15: a conditional jump in the copy
    0x200: bytes.fromhex("40f6c6407515b8020000000f05"),
    # jmp 0x100: a tail call (covered)
    0x300: bytes.fromhex("e9fbfdffff"),
    # mov eax, 2; syscall: left to Gum
    0x400: bytes.fromhex("b8020000000f05c3"),
}


def _image() -> bytes:
    image = bytearray(b"\xcc" * IMAGE_SIZE)
    for at, code in FUNCTIONS.items():
        image[at : at + len(code)] = code
    return bytes(image)


def _head(at: int, n: int) -> str:
    return _image()[at : at + n].hex()


def _export(
    at: int, slot: int, head: int, *, covered: bool = False, direct: object = None
) -> object:
    return {"at": at, "slot": slot, "head": _head(at, head), "covered": covered, "direct": direct}


def _plan() -> dict[str, Any]:
    """open and __open_2 replaced directly (the second with its jne re-encoded), stat covered
    (a tail call to open), creat for Gum, lchmod absent."""
    return {
        "format": FORMAT,
        "arch": "x64",
        "buildId": "ab" * 20,
        "exports": {
            "open": _export(0x100, 0, 8, direct={"copy": 6, "resume": 0x106, "branches": []}),
            "__open_2": _export(
                0x200, 1, 6, direct={"copy": 6, "resume": 0x206, "branches": [[4, 2, 5, 0x21B]]}
            ),
            "stat": _export(0x300, 2, 5, covered=True),
            "creat": _export(0x400, 3, 7),
        },
        "absent": {"lchmod": 4},
    }


def _packed(plan: dict[str, Any]) -> bytes:
    taken = ProloguePlan.from_json(plan)
    assert taken is not None
    return taken.packed


@dataclass(frozen=True)
class Stub:
    slot: int
    target: int
    rel: int
    code: bytes
    wrapper: int
    resume: int


@dataclass(frozen=True)
class Built:
    result: int
    status: list[int]
    stubs: list[Stub]


def _record(plan: bytes, slots: int, complete: bool) -> bytes:
    return struct.pack("<III", slots, int(complete), len(plan)) + plan


class Harness:
    def __init__(self, binary: Path) -> None:
        self.binary = binary

    def run(self, records: list[tuple[bytes, int, bool]]) -> tuple[int, list[Built]]:
        """The fake libc's address, and what each record built; fails on a sanitizer report."""
        data = struct.pack("<I", IMAGE_SIZE) + _image()
        data += b"".join(_record(*r) for r in records)
        done = subprocess.run([self.binary], input=data, capture_output=True, env=ENV, timeout=120)
        out = done.stdout.decode().splitlines()
        assert done.returncode == 0, done.stderr.decode()[-4000:]
        base = int(out[0].split()[1], 16)
        built: list[Built] = []
        lines = iter(out[1:])
        for line in lines:
            result, *status = (int(v) for v in line.split())
            stubs = []
            for stub in lines:
                if stub == "end":
                    break
                _, slot, target, rel, code, wrapper, resume = stub.split()
                quads = int(wrapper, 16), int(resume, 16)
                stubs.append(
                    Stub(int(slot), int(target, 16), int(rel), bytes.fromhex(code), *quads)
                )
            built.append(Built(result, status, stubs))
        assert len(built) == len(records)
        return base, built


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    try:
        binary = build(tmp_path_factory.mktemp("direct"), SOURCE)
    except Unavailable as e:
        pytest.skip(f"cannot build the sanitizer harness: {e}")
    except subprocess.CalledProcessError as e:
        raise AssertionError(f"direct_harness.c does not compile:\n{e.stderr}") from e
    yield Harness(binary)


PATCHED, COVERED, GUM, AFRESH, ABSENT = 2, 1, 3, 4, 5


def test_a_plan_is_carried_out_as_planned(harness: Harness) -> None:
    base, [built] = harness.run([(_packed(_plan()), 5, True)])
    assert (built.result, built.status) == (2, [PATCHED, PATCHED, COVERED, GUM, ABSENT])
    by_slot = {s.slot: s for s in built.stubs}
    assert sorted(by_slot) == [0, 1]
    for slot, stub in by_slot.items():
        at = 0x100 * (slot + 1)
        stub_at = stub.target + 5 + stub.rel  # where the export's jump goes
        assert stub.target == base + at
        assert stub.code[:2] == b"\xff\x25"  # jmp [rip + disp32] ...
        assert stub.wrapper == 0x5000000 + slot  # ... to the wrapper
        assert stub.resume == base + at + 6  # the original goes on past the copy
        trampoline = stub.code[8:]
        if slot == 0:  # the six bytes as they are, then jmp [rip + disp32]
            assert trampoline[:8] == FUNCTIONS[0x100][:6] + b"\xff\x25"
        else:  # test sil, 0x40, then jne rel32 to where jne rel8 went, then the jump back
            assert trampoline[:6] == FUNCTIONS[0x200][:4] + b"\x0f\x85"
            (rel32,) = struct.unpack("<i", trampoline[6:10])
            assert stub_at + 8 + 10 + rel32 == base + 0x200 + 6 + 0x15
            assert trampoline[10:12] == b"\xff\x25"


def test_bytes_not_the_plans_are_left_to_decide_afresh(harness: Harness) -> None:
    plan = _plan()
    plan["exports"]["open"]["head"] = "56" + plan["exports"]["open"]["head"][2:]
    plan["exports"]["stat"]["head"] = "e8" + plan["exports"]["stat"]["head"][2:]
    _, [built] = harness.run([(_packed(plan), 5, True)])
    assert (built.result, built.status) == (1, [AFRESH, PATCHED, AFRESH, GUM, ABSENT])


def test_a_host_plan_must_place_every_slot(harness: Harness) -> None:
    _, [short, own] = harness.run([(_packed(_plan()), 6, True), (_packed(_plan()), 6, False)])
    assert short.result == -1
    assert (own.result, own.status) == (2, [PATCHED, PATCHED, COVERED, GUM, ABSENT, 0])


def _damaged(rng: random.Random, packed: bytes) -> bytes:
    data = bytearray(packed)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(5)
        at = rng.randrange(len(data) + 1)
        if kind == 0 and data:
            data[min(at, len(data) - 1)] = rng.randrange(256)
        elif kind == 1:
            del data[at:]
        elif kind == 2:
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 24)))
        elif kind == 3 and len(data) > 8:  # a count or an entry's sizes off
            data[rng.choice([6, 7, 18, 19, 20, 21]) % len(data)] = rng.randrange(256)
        else:
            data = bytearray(bytes(rng.randrange(256) for _ in range(rng.randint(0, 80))))
    return bytes(data)


def test_damaged_plans_never_reach_past_their_bytes(harness: Harness) -> None:
    rng = random.Random(20261207)
    packed = _packed(_plan())
    records = [
        (_damaged(rng, packed), rng.choice([5, 6, 200]), rng.random() < 0.5) for _ in range(3000)
    ]
    _, built = harness.run(records)
    outcomes = {b.result for b in built}
    assert -1 in outcomes and (outcomes & {0, 1, 2})  # refused and carried out, both seen
    for (_, slots, _), b in zip(records, built, strict=True):
        assert -1 <= b.result <= slots and len(b.status) == slots
        if b.result >= 0:
            assert all(s in (0, COVERED, PATCHED, GUM, AFRESH, ABSENT) for s in b.status)
            assert len(b.stubs) == b.result
            assert sorted(s.slot for s in b.stubs) == [
                i for i, s in enumerate(b.status) if s == PATCHED
            ]
            assert all(
                s.code[:2] == b"\xff\x25" and s.wrapper == 0x5000000 + s.slot for s in b.stubs
            )


def _entry(
    at: int, slot: int, head: bytes, copy: int, branches: list[tuple[int, int, int, int]]
) -> bytes:
    """One entry replaced directly, packed by hand (hooks/prologue_plan.py refuses these)."""
    out = struct.pack("<IiBBBBB3x", at, at + copy, slot, 2, len(head), copy, len(branches))
    out += b"".join(struct.pack("<BBBxi", *b) for b in branches)
    return out + head + bytes(-len(head) % 4)


INFEASIBLE = {
    "a head shorter than the jump written": (4, 4, []),
    "copying more than its head": (8, 9, []),
    "copying more than a trampoline holds": (8, 35, []),
    "a branch past the copy": (8, 6, [(5, 2, 5, 0x300)]),
    "a branch of another size": (8, 6, [(4, 3, 5, 0x300)]),
    "a branch of no condition code": (8, 6, [(4, 2, 16, 0x300)]),
}


@pytest.mark.parametrize("shape", INFEASIBLE.values(), ids=INFEASIBLE.keys())
def test_an_entry_the_installer_cannot_carry_out_is_left_to_decide_afresh(
    harness: Harness, shape: tuple[int, int, list[tuple[int, int, int, int]]]
) -> None:
    head, copy, branches = shape
    good = _entry(0x200, 1, _image()[0x200:0x208], 6, [(4, 2, 5, 0x21B)])
    bad = _entry(0x100, 0, _image()[0x100 : 0x100 + head], copy, branches)
    plan = b"CSPP" + struct.pack("<HH", 1, 2) + bad + good
    _, [built] = harness.run([(plan, 2, True)])
    assert (built.result, built.status) == (1, [AFRESH, PATCHED])
