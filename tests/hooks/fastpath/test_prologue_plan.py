"""The agent's prologue plan (hooks/agent/src/fastpath/plan.ts) in processes spawned suspended:
a plan handed over (packed by hooks/prologue_plan.py, carried out by the C module: direct.c)
decides as the analysis did; one for another libc is ignored, a packed plan that is malformed
is refused whole, and an export whose bytes or entry do not fit is decided afresh. (Which JSON
plans the host packs at all: tests/hooks/test_prologue_plan.py.)"""

from __future__ import annotations

import contextlib
import copy
import platform
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hooks.agent_bundle import AgentCode
from hooks.prologue_plan import ProloguePlan, packed_index
from hooks.rpc import AgentRpc
from hooks.runner import local_device
from hooks.session import attach
from tests.hooks.agent_fixtures import INERT_POLICY

pytestmark = pytest.mark.skipif(
    platform.machine() != "x86_64", reason="the plan is the direct installer's (x86_64)"
)

# what the analysis decides, in the agent's stats
DECIDED = ("installed", "patched", "covered", "slow", "skipped")


@dataclass(frozen=True)
class Started:
    """An agent's init in a process spawned suspended: what init returned, its stats, and the
    plan it computed (None when it was given one)."""

    origin: str | None
    stats: dict[str, Any]
    plan: dict[str, Any] | None


# what AgentCode.load posts: the list naming the packed plans, and their bytes
Packed = tuple[list[dict[str, object]], bytes]


def _packed(plans: list[dict[str, Any]]) -> Packed:
    """``plans`` packed as AgentCode.load hands them over (each must be one the host packs)."""
    taken = [ProloguePlan.from_json(plan) for plan in plans]
    assert all(p is not None for p in taken), "the host would not pack this plan"
    return packed_index([p for p in taken if p is not None])


def _start(plans: list[dict[str, Any]] | Packed | None = None, *, keep: bool = True) -> Started:
    """The agent in a new ``/bin/true`` (spawned suspended, killed after), handed ``plans``
    (when not None: JSON plans packed as AgentCode.load hands them, or a packed message as
    is) before a kept agent's policy."""
    device = local_device()
    pid = device.spawn(["/bin/true"])
    try:
        session = attach(device, pid)
        script = AgentCode(prologue_plans=False).load(session)
        if plans is not None:
            index, data = _packed(plans) if isinstance(plans, list) else plans
            script.post({"type": "prologues", "plans": index}, data)
        rpc = AgentRpc(script)
        origin = rpc.init({**INERT_POLICY, "keep": keep})
        started = Started(origin, rpc.stats(), rpc.prologue_plan())
        with contextlib.suppress(Exception):  # the process is killed next in any case
            session.detach()
        return started
    finally:
        device.kill(pid)


@pytest.fixture(scope="module")
def computed() -> Started:
    started = _start()
    assert started.origin == "computed" and started.plan is not None
    return started


def _decided(started: Started) -> dict[str, list[str]]:
    return {key: sorted(started.stats[key]) for key in DECIDED}


def _plan(computed: Started) -> dict[str, Any]:
    assert computed.plan is not None
    return copy.deepcopy(computed.plan)


def test_a_plan_given_decides_as_the_analysis_did(computed: Started) -> None:
    given = _start([_plan(computed)])
    assert (given.origin, given.stats["prologues"], given.stats["afresh"]) == ("given", "given", [])
    assert given.plan is None  # nothing new for the host to learn
    assert _decided(given) == _decided(computed)
    assert computed.stats["patched"] and computed.stats["covered"]  # something was decided


def test_the_plan_covers_every_export_found(computed: Started) -> None:
    plan = _plan(computed)
    found = set(computed.stats["installed"]) | set(computed.stats["covered"])
    assert set(plan["exports"]) == found
    assert set(plan["absent"]) == set(computed.stats["skipped"])
    assert {n for n, e in plan["exports"].items() if e["covered"]} == set(computed.stats["covered"])
    direct = {n for n, e in plan["exports"].items() if e["direct"] is not None}
    assert set(computed.stats["patched"]) <= direct


def test_the_plan_names_libc_by_its_gnu_build_id(computed: Started) -> None:
    readelf = shutil.which("readelf")
    if readelf is None:
        pytest.skip("no readelf to read libc's notes with")
    libc = _libc_path()
    notes = subprocess.run([readelf, "-n", str(libc)], check=True, capture_output=True, text=True)
    found = re.search(r"Build ID: ([0-9a-f]+)", notes.stdout)
    assert found is not None, notes.stdout
    assert _plan(computed)["buildId"] == found.group(1)


def _libc_path() -> Path:
    """The libc this test process runs with (the one /bin/true maps too)."""
    for line in Path("/proc/self/maps").read_text().splitlines():
        path = line.split()[-1]
        if re.search(r"/libc(\.so\.6|-[0-9.]+\.so)$", path):
            return Path(path)
    raise AssertionError("no libc mapped in this process")


def test_an_agent_not_kept_neither_takes_nor_makes_a_plan(computed: Started) -> None:
    loose = _start([_plan(computed)], keep=False)
    assert (loose.origin, loose.stats["prologues"], loose.plan) == (None, None, None)


def test_a_plan_for_another_libc_build_is_ignored(computed: Started) -> None:
    other = _plan(computed)
    other["buildId"] = "00" * 20
    started = _start([other])
    assert started.origin == "computed"
    assert _decided(started) == _decided(computed)


def test_the_plan_for_this_libc_is_taken_among_others(computed: Started) -> None:
    other = _plan(computed)
    other["buildId"] = "00" * 20
    assert _start([other, _plan(computed)]).origin == "given"


def _some_patched(computed: Started) -> str:
    """An export the direct installer replaced that no other export tail-calls into."""
    return "open" if "open" in computed.stats["patched"] else computed.stats["patched"][0]


def test_the_plan_is_followed_where_the_bytes_match(computed: Started) -> None:
    """The control of the test below: a plan that says an export is not for the direct
    installer leaves it to Gum, bytes matching."""
    name = _some_patched(computed)
    plan = _plan(computed)
    plan["exports"][name]["direct"] = None
    started = _start([plan])
    assert (started.origin, started.stats["afresh"]) == ("given", [])
    assert name not in started.stats["patched"] and name in started.stats["installed"]


def test_an_export_whose_bytes_differ_is_decided_afresh(computed: Started) -> None:
    """The same plan, the export's first byte other than libc's (as when something patched
    libc before the agent): that export is analysed again, and replaced directly as without a
    plan; the others follow the plan."""
    name = _some_patched(computed)
    plan = _plan(computed)
    entry = plan["exports"][name]
    entry["direct"] = None
    entry["head"] = f"{int(entry['head'][:2], 16) ^ 0xFF:02x}{entry['head'][2:]}"
    started = _start([plan])
    assert (started.origin, started.stats["afresh"]) == ("given", [name])
    assert _decided(started) == _decided(computed)


def _entries(packed: bytes) -> list[tuple[int, int, int]]:
    """Each entry of a packed plan (direct.c's layout): (its offset, its slot, its flags)."""
    count = int.from_bytes(packed[6:8], "little")
    out, at = [], 8
    for _ in range(count):
        slot, flags, head, _copy, branches = packed[at + 8 : at + 13]
        out.append((at, slot, flags))
        at += 16 + 8 * branches + (head + 3) // 4 * 4
    assert at == len(packed)
    return out


def _direct_entry(packed: bytes, *, branches: bool = False) -> int:
    """The offset of an entry the installer carries out (one with a conditional branch)."""
    direct = [at for at, _, flags in _entries(packed) if flags == 2]
    return next(at for at in direct if not branches or packed[at + 12] > 0)


def _patch(packed: bytes, at: int, value: bytes) -> bytes:
    return packed[:at] + value + packed[at + len(value) :]


def _name(computed: Started, packed: bytes, at: int) -> str:
    slot = packed[at + 8]
    return next(str(n) for n, e in _plan(computed)["exports"].items() if e["slot"] == slot)


def _message(computed: Started, packed: bytes, *, listed: int = 0) -> Packed:
    """``packed`` handed over as this libc's plan, listed ``listed`` bytes longer than it is."""
    build_id = _plan(computed)["buildId"]
    return [{"buildId": build_id, "arch": "x64", "size": len(packed) + listed}], packed


def _second_slot_as_first(packed: bytes) -> bytes:
    (_, first, _), (second, _, _) = _entries(packed)[:2]
    return _patch(packed, second + 8, bytes([first]))


def _last_left_out(packed: bytes) -> bytes:
    last = _entries(packed)[-1][0]
    count = int.from_bytes(packed[6:8], "little")
    return _patch(packed[:last], 6, (count - 1).to_bytes(2, "little"))


def _unknown_flags(packed: bytes) -> bytes:
    return _patch(packed, _entries(packed)[0][0] + 9, b"\x03")


# this libc's packed plan -> the damaged one, and how much longer the list says it is
REFUSED: dict[str, Callable[[bytes], tuple[bytes, int]]] = {
    "not a packed plan": lambda p: (b"XXXX" + p[4:], 0),
    "another version": lambda p: (_patch(p, 4, b"\x02\x00"), 0),
    "cut short": lambda p: (p[:-3], 0),
    "bytes left over": lambda p: (p + bytes(4), 0),
    "a slot twice": lambda p: (_second_slot_as_first(p), 0),
    "a slot left out": lambda p: (_last_left_out(p), 0),
    "what it says of an export unknown": lambda p: (_unknown_flags(p), 0),
    "listed longer than the data": lambda p: (p, 1),
}


@pytest.fixture(scope="module")
def packed(computed: Started) -> bytes:
    return _packed([_plan(computed)])[1]


@pytest.mark.parametrize("damage", REFUSED.values(), ids=REFUSED.keys())
def test_a_malformed_packed_plan_is_refused_whole(
    computed: Started, packed: bytes, damage: Callable[[bytes], tuple[bytes, int]]
) -> None:
    """No error, and the analysis as without a plan."""
    damaged, listed = damage(packed)
    started = _start(_message(computed, damaged, listed=listed))
    assert started.origin == "computed"
    assert _decided(started) == _decided(computed)


def test_a_list_of_plans_that_is_not_one_is_no_plan(computed: Started, packed: bytes) -> None:
    started = _start(({"buildId": _plan(computed)["buildId"]}, packed))  # type: ignore[arg-type]
    assert started.origin == "computed"


def test_the_control_of_those_is_taken(computed: Started, packed: bytes) -> None:
    """The same plan as the tests above hand over, undamaged, is carried out."""
    started = _start(_message(computed, packed))
    assert (started.origin, started.stats["afresh"]) == ("given", [])


def _copy_past_head(packed: bytes) -> tuple[bytes, int]:
    at = _direct_entry(packed)
    return _patch(packed, at + 11, bytes([packed[at + 10] + 1])), at


def _branch_past_copy(packed: bytes) -> tuple[bytes, int]:
    at = _direct_entry(packed, branches=True)
    return _patch(packed, at + 16, bytes([packed[at + 11]])), at


def _elsewhere(packed: bytes) -> tuple[bytes, int]:
    at = _direct_entry(packed)
    return _patch(packed, at, (16).to_bytes(4, "little")), at


AFRESH: dict[str, Callable[[bytes], tuple[bytes, int]]] = {
    "copying more than its head": _copy_past_head,
    "a branch outside the copy": _branch_past_copy,
    "an export elsewhere (libc's ELF header)": _elsewhere,
}


@pytest.mark.parametrize("damage", AFRESH.values(), ids=AFRESH.keys())
def test_an_entry_that_cannot_be_carried_out_is_decided_afresh(
    computed: Started, packed: bytes, damage: Callable[[bytes], tuple[bytes, int]]
) -> None:
    """That export analysed again, the rest as planned: the same decisions as without a plan."""
    damaged, at = damage(packed)
    started = _start(_message(computed, damaged))
    assert (started.origin, started.stats["afresh"]) == ("given", [_name(computed, packed, at)])
    assert _decided(started) == _decided(computed)
