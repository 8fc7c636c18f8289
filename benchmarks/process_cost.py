"""Fixed cost per process of ``clone host run`` (per run, per fork, per exec) and the CLI's
start-up, optionally against another checkout of Clonespace (``--baseline``) in the same run.

    .venv/bin/python benchmarks/process_cost.py [--repeat R] [--loop N] [--baseline DIR]

Workloads, each the wall time of one whole run, median of ``--repeat`` runs, the modes'
runs interleaved so the noise of a shared machine falls on all of them:
- ``true``: one run, one exec (the gate's) and no child;
- ``sh`` running ``N`` times ``/bin/true`` (a fork and an exec each), against ``sh`` running
  ``N`` empty subshells (a fork each) and against an ``sh`` that starts nothing: the
  differences, divided by ``N``, are the cost of one fork and of one exec; and ``sh``
  starting the ``N`` ``/bin/true`` all at once (``&``, then ``wait``): children started
  side by side, where instrumenting them one after another is what costs;
- ``clone --help``, ``clone list`` and ``clone list --json`` on an empty registry (a
  ``$CLONE_HOME`` of their own), and ``clone list --json`` listing one host clone (the
  clone the runs above registered), against ``python -c pass``;
- the agent's start-up in one process (``benchmarks/agent_startup.py``): creating and
  loading the agent script, then ``rpc.init`` (policy received -> every hook installed), and
  the two together, which is what a phone pays at every app start (median of
  ``--repeat`` x 3 processes; the baseline's is its ``agent.js`` compiled in the process).

Modes: ``plain`` (no hooks), ``clone`` (this checkout's ``clone host run``, the kernel
boundary on as in every real run, each run supervised by its own process:
``CLONE_SUPERVISOR=in-process``; ``peers.py`` has the shared supervisor too) and, with
``--baseline DIR``, ``baseline``: the same command from the checkout in DIR (``python -m
clone`` with DIR first on ``sys.path``; DIR needs its agent built,
``hooks/agent/dist/agent.js``, and its ``hooks/boundary/build``, or copies of them). Prints
a table; exits 0 (it reports, it does not judge).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import agent_startup  # beside this file


def _loop(n: int, body: str, then: str = "") -> list[str]:
    """``sh`` running ``body`` (ended by ``;`` or ``&``) ``n`` times, then ``then``."""
    return ["sh", "-c", f'i=0; while [ "$i" -lt {n} ]; do {body} i=$((i+1)); done; {then}:']


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--loop", type=int, default=20)
    parser.add_argument("--baseline", type=Path, default=None)
    args = parser.parse_args(argv)
    n = args.loop
    with tempfile.TemporaryDirectory(prefix="process-cost-") as tmp:
        home, data = Path(tmp) / "home", Path(tmp) / "data"
        data.mkdir()
        python = {"clone": [sys.executable, "-m", "clone"]}
        # modules' bytecode cached, as an installed tool has it (this shell may forbid it)
        cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cached["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        # each run supervised by its own process (the shared supervisor: peers.py)
        env = {"clone": {**cached, "CLONE_HOME": str(home), "CLONE_SUPERVISOR": "in-process"}}
        if args.baseline is not None:
            python["baseline"] = python["clone"]
            path = os.pathsep.join([str(args.baseline.resolve()), *sys.path[1:]])
            env["baseline"] = {**env["clone"], "PYTHONPATH": path, "CLONE_HOME": f"{home}-b"}
        modes = ["plain", *python]

        def host_run(mode: str, argv: list[str]) -> Callable[[], None]:
            if mode == "plain":
                return lambda: _run(argv, os.environ)
            head = [*python[mode], "host", "run", "--app", "bench", "--clone", "1"]
            return lambda: _run([*head, "--data", str(data), "--", *argv], env[mode])

        def cli(mode: str, args_: list[str], *, empty: bool = True) -> Callable[[], None]:
            if mode == "plain":
                return lambda: _run([sys.executable, "-c", "pass"], cached)
            run_env = env[mode]
            if empty:  # a home of its own, not the one the host runs register their clone in
                run_env = {**run_env, "CLONE_HOME": run_env["CLONE_HOME"] + "-cli"}
            return lambda: _run([*python[mode], *args_], run_env)

        workloads: dict[str, Callable[[str], Callable[[], None]]] = {
            "true": lambda m: host_run(m, ["true"]),
            "sh, nothing": lambda m: host_run(m, _loop(0, ":;")),
            f"sh, {n} subshells": lambda m: host_run(m, _loop(n, "( : );")),
            f"sh, {n} x /bin/true": lambda m: host_run(m, _loop(n, "/bin/true;")),
            f"sh, {n} x /bin/true at once": lambda m: host_run(
                m, _loop(n, "/bin/true &", "wait; ")
            ),
            "clone --help": lambda m: cli(m, ["--help"]),
            "clone list, empty": lambda m: cli(m, ["list"]),
            "clone list --json, empty": lambda m: cli(m, ["list", "--json"]),
            "clone list --json, 1 host clone": lambda m: cli(m, ["list", "--json"], empty=False),
        }
        for mode in python:  # registers the clone (first run), warms the page cache
            host_run(mode, ["true"])()
            for name in workloads:  # each CLI home made, its modules' bytecode cached
                if name.startswith("clone "):
                    workloads[name](mode)()
        times: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.repeat):
            for name, make in workloads.items():
                for mode in modes:
                    call = make(mode)
                    start = time.perf_counter()
                    call()
                    times.setdefault((name, mode), []).append(time.perf_counter() - start)
        loads = {"clone": agent_startup.this_checkout()}
        if args.baseline is not None:
            bundle = args.baseline / "hooks" / "agent" / "dist" / "agent.js"
            loads["baseline"] = agent_startup.Mode(agent_startup.from_source(bundle))
        policy = agent_startup.host_policy(Path(tmp))
        startup = agent_startup.measure(loads, policy, args.repeat * 3)
    ms = {key: statistics.median(t) * 1e3 for key, t in times.items()}
    load = os.getloadavg()[0]
    print(f"process cost: median of {args.repeat} runs, {os.cpu_count()} CPUs, load {load:.1f}"
          " (a shared, noisy machine: read the ratios, not the digits)")  # fmt: skip
    table = [("workload (ms)", *modes)]
    for name in workloads:
        note = " (python -c pass)" if name.startswith("clone ") else ""
        table.append((name, *(f"{ms[(name, m)]:.0f}" + (note if m == "plain" else "")
                              for m in modes)))  # fmt: skip
    base, forks, execs = "sh, nothing", f"sh, {n} subshells", f"sh, {n} x /bin/true"
    table.append(("per fork", *(f"{(ms[(forks, m)] - ms[(base, m)]) / n:.1f}" for m in modes)))
    table.append(("per exec", *(f"{(ms[(execs, m)] - ms[(forks, m)]) / n:.1f}" for m in modes)))
    for part in agent_startup.PARTS:
        cells = [f"{startup[(part, m)]:.1f}" if (part, m) in startup else "" for m in modes]
        table.append((f"agent {part}", *cells))
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


def _run(argv: Sequence[str], env: dict[str, str] | os._Environ[str]) -> None:
    # run from / : ``python -m`` puts the working directory first on sys.path, ahead of
    # the baseline's PYTHONPATH
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False, cwd="/")
    if done.returncode != 0:
        raise SystemExit(f"process_cost: {argv} failed ({done.returncode}): {done.stderr}")


if __name__ == "__main__":
    sys.exit(main())
