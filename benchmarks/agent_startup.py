"""The agent's start-up in one process: what a process pays between Frida's injection and
running with every hook in place, on this machine (on a phone, the same work is paid at
every app start).

    .venv/bin/python benchmarks/agent_startup.py [--repeat R] [--agent-js FILE]
        [--agent-bytecode FILE]

Each round spawns ``/bin/true`` suspended (one thread, as a gated exec is), attaches, and
times, in the process:
- ``script``: creating and loading the agent script (compiling its JavaScript, or creating
  it from the bytecode a build keeps, as ``hooks.agent_bundle.AgentCode.load`` does, with
  the prebuilt C fast path and the prologue plans handed over);
- ``init``: ``rpc.init(policy)``, from the policy received to every hook installed (the C
  fast path loaded or compiled, the libc functions replaced, the identity hooks in place);
- ``start-up``: the two together.
The policy is a host clone's as ``clone host run`` builds it (two redirected data paths, the
denied ``$CLONE_HOME``, an identity), and says ``keep`` as an untraced run tells every
agent (hooks/session.py): such an agent patches libc itself where it can
(hooks/agent/src/fastpath/direct.ts; an agent built before that ignores the key).
Two rows for this checkout: ``this checkout``, handed the prologue plan for this machine's libc
as every process of a run is (the one ``make agent`` recorded, or else the one the uncounted
first round computed, learnt as ``hooks.session`` learns it), packed, so its agents' C module
carries it out, comparing libc's bytes with it (hooks/agent/src/fastpath/plan.ts, direct.c);
and ``no prologue plan``, handed none, as the first process after a libc upgrade, whose agent
decodes libc's prologues itself.
With ``--agent-js FILE`` the script is that bundle's source compiled in the process
instead (another checkout's agent, the way it loaded before); with ``--agent-bytecode FILE``
that file's bytecode (another build's ``dist/bytecode/*.qjs``), handed this checkout's
prebuilt fast path as this checkout's agent is.
With ``--payload`` two more: the agent as a clone's Gadget runs it (its source compiled in the
process, nothing handed over), once as ``clone build`` writes the x86_64 script, carrying
the prebuilt fast path (``hooks.payload.bundle``), and once as built, compiling it with TinyCC.
Prints medians; exits 0 (it reports, it does not judge).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    import frida

    from hooks.agent_bundle import AgentCode

Loader = Callable[["frida.Session"], "frida.Script"]
PARTS = ("script", "init", "start-up")


@dataclass(frozen=True)
class Mode:
    """How one row loads the agent; ``learns``: the AgentCode that keeps the prologue plan an
    agent computed (after the timing: a run asks its first process only)."""

    load: Loader
    learns: AgentCode | None = None


def host_policy(tmp: Path) -> dict[str, Any]:
    """The policy ``clone host run --app bench --clone 1 --data A --data B`` runs with."""
    from clone.home import Home
    from clone.registry import Registry
    from clone.workflows.host import build_policy, open_host_clone, parse_host_spec

    root = tmp / "agent-startup"  # its own CLONE_HOME: the clone may be registered elsewhere
    data = [root / "data-a", root / "data-b"]
    for d in data:
        d.mkdir(parents=True, exist_ok=True)
    where = Home(root / "home")
    with Registry(where.ensure().registry_path) as registry:
        spec = parse_host_spec("bench", 1, [str(d) for d in data])
        open_host_clone(registry, where, spec)
        return build_policy(registry, where, spec, trace=False).to_agent_json()


def this_checkout(*, plans: bool = True) -> Mode:
    """How ``clone host run`` loads the agent into each process; without ``plans``, handed no
    prologue plan (as the first process after a libc upgrade)."""
    from hooks.agent_bundle import AgentCode, built_agent

    code = built_agent() if plans else AgentCode(prologue_plans=False)
    return Mode(code.load, code if plans else None)


def from_source(bundle: Path) -> Loader:
    """``bundle``'s JavaScript compiled in the process (the agent loaded the old way)."""
    source = bundle.read_text(encoding="utf-8")

    def load(session: frida.Session) -> frida.Script:
        script = session.create_script(source, name="clonespace")
        script.load()
        return script

    return load


def from_bytecode(path: Path) -> Loader:
    """The agent created from the bytecode in ``path`` and handed the prebuilt fast path, as
    ``AgentCode.load`` does with its own."""
    from hooks.agent_bundle import SCRIPT_NAME, answer_source_requests, built_agent

    bytecode = path.read_bytes()
    prebuilt = built_agent().prebuilt
    single = path.parent.parent / "agent.single.js"  # dist/bytecode/*.qjs: its build's

    def load(session: frida.Session) -> frida.Script:
        script = session.create_script_from_bytes(bytecode, name=SCRIPT_NAME)
        answer_source_requests(script, single)  # a build that carries no C source asks for it
        script.load()
        if prebuilt is not None:
            script.post({"type": "cmodule", **prebuilt[0]}, prebuilt[1])
        return script

    return load


def payload_script(carry: bool) -> Loader:
    """The x86_64 agent script of a clone's payload, with or without this build's x64 fast
    path in it; loaded as the Gadget loads it."""
    from hooks.payload.bundle import with_fast_path
    from hooks.payload.script import AGENT_JS, prebuilt_fast_path

    bundle = AGENT_JS.read_bytes()
    prebuilt = prebuilt_fast_path()
    so = prebuilt.for_arch("x64") if prebuilt is not None else None
    if carry:
        if prebuilt is None or so is None:
            raise SystemExit("no x64 fast path was built (make agent with gcc)")
        bundle = with_fast_path(bundle, "x64", prebuilt.key, so)
    source = bundle.decode("utf-8")

    def load(session: frida.Session) -> frida.Script:
        script = session.create_script(source, name="clonespace")
        script.load()
        return script

    return load


def once(mode: Mode, policy: Mapping[str, Any]) -> dict[str, float]:
    """One process: the seconds each part took."""
    import frida

    from hooks.rpc import AgentRpc
    from hooks.session import attach

    device = frida.get_local_device()
    pid = device.spawn(["/bin/true"])
    try:
        session = attach(device, pid)
        start = time.perf_counter()
        script = mode.load(session)
        loaded = time.perf_counter()
        rpc = AgentRpc(script)
        prologues = rpc.init({**policy, "keep": True})
        done = time.perf_counter()
        if prologues == "computed" and mode.learns is not None:
            mode.learns.learn_plan(rpc.prologue_plan())
        session.detach()
    finally:
        device.kill(pid)
    return {"script": loaded - start, "init": done - loaded, "start-up": done - start}


def measure(
    loads: Mapping[str, Mode], policy: Mapping[str, Any], repeat: int
) -> dict[tuple[str, str], float]:
    """Median milliseconds per (part, mode), the modes' rounds interleaved."""
    times: dict[tuple[str, str], list[float]] = {}
    for load in loads.values():  # a first round each, not counted (page cache, JIT, a plan)
        once(load, policy)
    for _ in range(repeat):
        for name, load in loads.items():
            for part, seconds in once(load, policy).items():
                times.setdefault((part, name), []).append(seconds)
    return {key: statistics.median(t) * 1e3 for key, t in times.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--agent-js", type=Path, default=None)
    parser.add_argument("--agent-bytecode", type=Path, default=None)
    parser.add_argument("--payload", action="store_true")
    args = parser.parse_args(argv)
    loads = {"this checkout": this_checkout(), "no prologue plan": this_checkout(plans=False)}
    if args.agent_js is not None:
        loads[str(args.agent_js)] = Mode(from_source(args.agent_js))
    if args.agent_bytecode is not None:
        loads[str(args.agent_bytecode)] = Mode(from_bytecode(args.agent_bytecode))
    if args.payload:
        loads["payload, carried module"] = Mode(payload_script(carry=True))
        loads["payload, TinyCC"] = Mode(payload_script(carry=False))
    with tempfile.TemporaryDirectory(prefix="agent-startup-") as tmp:
        ms = measure(loads, host_policy(Path(tmp)), args.repeat)
    load = os.getloadavg()[0]
    print(f"agent start-up: median of {args.repeat} processes, load {load:.1f}")
    for mode in loads:
        cells = "  ".join(f"{part} {ms[(part, mode)]:.1f} ms" for part in PARTS)
        print(f"  {mode}: {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
