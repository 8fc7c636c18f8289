"""The agent's prologue plan (hooks/agent/src/fastpath/plan.ts) in processes spawned suspended:
a plan handed over decides as the analysis did, and one that does not fit this libc, these
exports or these bytes is ignored (wholly, or for the export whose bytes differ)."""

from __future__ import annotations

import contextlib
import copy
import json
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


def _start(plans: object = None, *, keep: bool = True) -> Started:
    """The agent in a new ``/bin/true`` (spawned suspended, killed after), handed ``plans``
    (when not None: as JSON text, as AgentCode.load hands them, or a string as is) before a
    kept agent's policy."""
    device = local_device()
    pid = device.spawn(["/bin/true"])
    try:
        session = attach(device, pid)
        script = AgentCode(prologue_plans=False).load(session)
        if plans is not None:
            text = plans if isinstance(plans, str) else json.dumps(plans)
            script.post({"type": "prologues", "plans": text})
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
    given = _start([computed.plan])
    assert (given.origin, given.stats["prologues"], given.stats["afresh"]) == ("given", "given", [])
    assert given.plan is None  # nothing new for the host to learn
    assert _decided(given) == _decided(computed)
    assert computed.stats["patched"] and computed.stats["covered"]  # something was decided


def test_the_plan_covers_every_export_found(computed: Started) -> None:
    plan = _plan(computed)
    found = set(computed.stats["installed"]) | set(computed.stats["covered"])
    assert set(plan["exports"]) == found
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
    loose = _start([computed.plan], keep=False)
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
    assert _start([other, computed.plan]).origin == "given"


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


# a change to the computed plan -> the value handed over as the agent's plans
Mutation = Callable[[dict[str, Any]], object]


def _set(entry: str, key: str, value: object) -> Mutation:
    def mutate(plan: dict[str, Any]) -> list[dict[str, Any]]:
        plan["exports"][entry][key] = value
        return [plan]

    return mutate


def _direct(key: str, value: object, *, in_direct: bool = True) -> Mutation:
    """Sets ``key`` of the direct plan (or, not ``in_direct``, of the entry) of an export the
    installer replaces whose copy carries a conditional branch."""

    def mutate(plan: dict[str, Any]) -> list[dict[str, Any]]:
        exports = plan["exports"]
        name = next(n for n, e in exports.items() if e["direct"] and e["direct"]["branches"])
        entry = exports[name]
        (entry["direct"] if in_direct else entry)[key] = value
        return [plan]

    return mutate


def _without(name: str) -> Mutation:
    def mutate(plan: dict[str, Any]) -> list[dict[str, Any]]:
        del plan["exports"][name]
        return [plan]

    return mutate


def _with_extra(plan: dict[str, Any]) -> list[dict[str, Any]]:
    plan["exports"]["no_such_export"] = plan["exports"]["open"]
    return [plan]


def _top(key: str, value: object) -> Mutation:
    def mutate(plan: dict[str, Any]) -> list[dict[str, Any]]:
        plan[key] = value
        return [plan]

    return mutate


MALFORMED: dict[str, Mutation] = {
    "the plans not a list": lambda plan: plan,
    "the plans not JSON": lambda plan: json.dumps([plan])[:-9],
    "another format": _top("format", 2),
    "another arch": _top("arch", "arm64"),
    "exports not an object": _top("exports", ["open"]),
    "an export missing": _without("open"),
    "an export more": _with_extra,
    "an export elsewhere": _set("open", "at", 16),
    "a head of odd length": _set("open", "head", "f30"),
    "a head not a string": _set("open", "head", 243),
    "covered not a boolean": _set("open", "covered", "no"),
    "direct not an object": _set("open", "direct", "jmp"),
    "copying more than the head": _direct("copy", 60),
    "a head shorter than the jump written": _direct("head", "40f6c640", in_direct=False),
    "a branch outside the copy": _direct("branches", [[40, 2, 5, 0]]),
    "a branch of no condition code": _direct("branches", [[0, 2, 16, 0]]),
    "a branch not a quadruple": _direct("branches", [[0, 2, 5]]),
}


@pytest.mark.parametrize("mutate", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_plan_is_ignored(computed: Started, mutate: Mutation) -> None:
    """No error, and the analysis as without a plan."""
    started = _start(mutate(_plan(computed)))
    assert started.origin == "computed"
    assert _decided(started) == _decided(computed)
