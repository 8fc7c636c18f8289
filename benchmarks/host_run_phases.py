"""Where the time of one ``clone host run -- CMD`` goes, phase by phase.

    .venv/bin/python benchmarks/host_run_phases.py [--repeat R] [--baseline DIR] [-- CMD...]

Each round starts ``python -m clone host run --app bench --clone 1 --data D -- CMD`` (default
CMD: ``true``) in a fresh process whose functions of interest are wrapped with timers before
the CLI runs (``--child``; nothing of the run itself is changed): Python's start-up, the
CLI's imports, the registry and home work, the boundary's ruleset, the gate's spawn, Frida's
device, attach, script, load, ``rpc.init``, resume, waiting for the program, the teardown,
and the interpreter's exit, which the parent sees. Prints, per phase, the median over
``--repeat`` rounds of its start and its duration (ms from the moment the parent started
the process; several threads' phases overlap), and the median wall time of a round.
With ``--baseline DIR`` the same rounds run, interleaved, with another checkout's code
(DIR first on ``sys.path``; it needs its agent and boundary entry built), in a column of its
own. Exits 0 (it reports, it does not judge).
"""

from __future__ import annotations

import argparse
import atexit
import functools
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_EVENTS: list[tuple[str, float, float]] = []  # (phase, start, end), time.time()
_LOCK = threading.Lock()


def _note(label: str, start: float, end: float) -> None:
    with _LOCK:
        _EVENTS.append((label, start, end))


def _wrap(owner: Any, name: str, label: str) -> None:
    """Times ``owner.name`` (or ``owner._name``, as an older checkout spells it)."""
    original = getattr(owner, name, None) or getattr(owner, f"_{name}")
    name = name if hasattr(owner, name) else f"_{name}"
    if getattr(original, "__wrapped_phase__", False):
        return

    @functools.wraps(original)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.time()
        try:
            return original(*args, **kwargs)
        finally:
            _note(label, start, time.time())

    timed.__wrapped_phase__ = True  # type: ignore[attr-defined]
    setattr(owner, name, timed)


def _has_gate(root: Path) -> bool:
    return (root / "hooks" / "gate.py").is_file()


def _timed_import(label: str, module: str) -> None:
    start = time.time()
    __import__(module)
    _note(label, start, time.time())


def _instrument(root: Path) -> None:
    """Wraps the functions of a host run's phases (imports first, timed as phases too)."""
    _timed_import("import clone.cli (click)", "clone.cli")
    _timed_import("import clone.cli.host, clone.space", "clone.cli.host")
    _timed_import("import clone.workflows.host", "clone.workflows.host")
    _timed_import("import hooks.runner", "hooks.runner")
    start = time.time()
    if (root / "hooks" / "frida_module.py").is_file():  # as that checkout's runner does
        from hooks.frida_module import import_without_asyncio

        import_without_asyncio()
    import frida

    _note("import frida", start, time.time())
    import frida.core

    from clone import registry
    from clone.workflows import host
    from hooks import agent_bundle, boundary, procfs, runner, session
    from hooks.rpc import AgentRpc

    # the gate's functions: hooks.gate since it left hooks.runner (a baseline: the runner)
    gate = importlib.import_module("hooks.gate") if _has_gate(root) else runner

    for name in (
        "resolve_program",
        "_refuse_start_inside_home",
        "_check_boundary",
        "open_host_clone",
        "build_policy",
        "prepare_store",
        "write_machine_id",
        "host_boundary",
    ):
        if hasattr(host, name):  # a baseline may lack one
            _wrap(host, name, f"host.{name}")
    _wrap(registry.Registry, "__enter__", "registry open")
    _wrap(registry.Registry, "find", "registry find")
    _wrap(gate, "resolve_program", "resolve_program")
    _wrap(procfs, "statically_linked", "procfs.statically_linked")
    _wrap(runner, "built_agent", "built_agent")
    _wrap(runner, "local_device", "frida device")
    _wrap(runner, "_this_host", "this host (start ticks)")
    _wrap(runner, "AgentSessions", "AgentSessions()")
    _wrap(runner, "prepare", "boundary prepare")
    _wrap(boundary.landlock, "create_ruleset", "  landlock ruleset")
    _wrap(boundary.plan, "grants", "  landlock grants (lists dirs)")
    _wrap(boundary.seccomp, "filter_hex", "  seccomp filter")
    _wrap(runner, "start_gate", "start gate (spawn..go-ahead)")
    _wrap(os, "posix_spawn", "  posix_spawn gate")
    _wrap(gate, "_wait_reading", "  wait gate reading")
    if hasattr(runner, "_attach_while"):
        _wrap(runner, "_attach_while", "  attach gate (policy made meanwhile)")
    _wrap(session.AgentSessions, "gate", "  gate: attach + child gating")
    _wrap(frida.core.Device, "attach", "    device.attach")
    _wrap(frida.core.Session, "enable_child_gating", "    enable_child_gating")
    _wrap(procfs, "agent_files", "    procfs.agent_files")
    _wrap(session.AgentSessions, "_on_child_added", "child-added (Frida thread)")
    _wrap(session.AgentSessions, "instrument", "instrument child")
    _wrap(agent_bundle.AgentCode, "create_script", "  create script (bytecode)")
    _wrap(frida.core.Script, "load", "  script.load")
    _wrap(frida.core.Script, "post", "  post cmodule")
    _wrap(AgentRpc, "init", "  rpc.init")
    _wrap(session.AgentSessions, "_handle", "  note handled")
    _wrap(session.AgentSessions, "_follow_fork", "follow fork")
    _wrap(session.AgentSessions, "_serve_child", "serve child")
    _wrap(frida.core.Device, "resume", "resume child")
    _wrap(runner, "wait_exit", "wait program exit")
    _wrap(runner, "reap", "reap")
    _wrap(session.AgentSessions, "wait_all_exited", "wait all exited")
    _wrap(session.AgentSessions, "close", "sessions.close (detach)")
    _wrap(frida.core.Script, "eternalize", "  script.eternalize")
    _wrap(frida.core.Session, "detach", "  session.detach")
    if hasattr(host, "_Hooked"):
        _wrap(host._Hooked, "run", "runner.run (all)")
    else:  # an older checkout
        _wrap(host, "_run_hooked", "runner.run (all)")


def child(root: Path, out: Path, argv: Sequence[str]) -> None:
    """Runs the CLI of the checkout in ``root`` in this process with its phases timed;
    writes them to ``out`` at exit."""
    begun = time.time()
    sys.path.insert(0, str(root))
    _instrument(root)

    def dump() -> None:
        _note("atexit", time.time(), time.time())
        out.write_text(json.dumps({"begun": begun, "events": _EVENTS}), encoding="utf-8")

    atexit.register(dump)
    from clone.cli import main

    main(list(argv))


Phases = dict[str, tuple[float, float]]


def _round(root: Path, tmp: Path, cmd: Sequence[str]) -> tuple[float, Phases]:
    out = tmp / "phases.json"
    data = tmp / "data"
    data.mkdir(exist_ok=True)
    argv = ["host", "run", "--app", "bench", "--clone", "1", "--data", str(data), "--", *cmd]
    # the in-process run, whose phases this process's timers see
    env = {**os.environ, "CLONE_HOME": str(tmp / "home"), "CLONE_SUPERVISOR": "in-process"}
    start = time.time()
    subprocess.run(
        [sys.executable, __file__, "--child", str(root), str(out), "--", *argv],
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
    )
    wall = time.time() - start
    found = json.loads(out.read_text(encoding="utf-8"))
    phases: Phases = {
        "python start-up (to the script's first line)": (0.0, found["begun"] - start),
    }
    for label, s, e in found["events"]:
        first, total = phases.get(label, (s - start, 0.0))
        phases[label] = (first, total + e - s)  # a phase run twice: first start, total time
    last = max(e for _, _, e in found["events"])
    phases["interpreter exit (atexit -> parent sees exit)"] = (last - start, wall - (last - start))
    return wall, phases


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--child"]:
        child(Path(args[1]), Path(args[2]), args[4:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--baseline", type=Path, default=None)
    parser.add_argument("cmd", nargs="*", default=["true"])
    opts = parser.parse_args(args)
    roots = {"this checkout": ROOT}
    if opts.baseline is not None:
        roots["baseline"] = opts.baseline.resolve()
    walls: dict[str, list[float]] = {mode: [] for mode in roots}
    rounds: dict[str, list[Phases]] = {mode: [] for mode in roots}
    with tempfile.TemporaryDirectory(prefix="host-run-phases-") as tmp:
        homes = {mode: Path(tmp, str(i)) for i, mode in enumerate(roots)}
        for mode, root in roots.items():  # registers the clone: later rounds are ordinary runs
            homes[mode].mkdir()
            _round(root, homes[mode], opts.cmd)
        for _ in range(opts.repeat):
            for mode, root in roots.items():
                wall, phases = _round(root, homes[mode], opts.cmd)
                walls[mode].append(wall)
                rounds[mode].append(phases)
    every = [r for mode in roots for r in rounds[mode]]
    at_first: dict[str, list[float]] = {}
    for phases in every:
        for label, (first, _) in phases.items():
            at_first.setdefault(label, []).append(first)
    labels = sorted(at_first, key=lambda lab: statistics.median(at_first[lab]))
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'phase':<52}" + "".join(f" {mode[:20]:>20}" for mode in roots))
    print(f"{'':<52}" + " {:>9} {:>10}".format("at (ms)", "took (ms)") * len(roots))
    for label in labels:
        cells = ""
        for mode in roots:
            seen = [r[label] for r in rounds[mode] if label in r]
            if not seen:
                cells += f" {'':>9} {'-':>10}"
                continue
            at = statistics.median(s for s, _ in seen) * 1000
            took = statistics.median(d for _, d in seen) * 1000
            cells += f" {at:9.1f} {took:10.1f}"
        print(f"{label:<52}{cells}")
    line = f"{'wall, whole run (median of ' + str(opts.repeat) + ')':<52}"
    for mode in roots:
        line += f" {'':>9} {statistics.median(walls[mode]) * 1000:10.1f}"
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
