"""Memory per instance of ``clone host run``: the hooked process plus its share of the
supervisor (with ``CLONE_SUPERVISOR=in-process`` the ``clone`` process that instruments it;
shared, as by default, the ``clone`` process that keeps the run and the one shared
supervisor of the ``$CLONE_HOME``), with N runs side by side.

    .venv/bin/python benchmarks/instance_memory.py [--counts 1 8] [--settle S] [--shared]
        [--baseline DIR]

For each N of ``--counts``, starts N ``clone host run`` of one app, clones 1..N, in one
$CLONE_HOME, each running ``cat`` reading a pipe (it waits, doing nothing, until the pipe is
closed); once every ``cat`` carries the agent and ``--settle`` seconds have passed, reads the
PSS of every supervisor and every hooked process (``/proc/PID/smaps_rollup``, and
``/proc/PID/smaps`` for the parts), then closes the pipes and waits for the runs to end.
The runs are in-process (``this``); with ``--shared`` the same is done, interleaved, with
``CLONE_SUPERVISOR=shared``, as runs go by default (the
shared supervisor is started by the first runs and kept for the whole benchmark: its start
is not measured). With ``--baseline DIR`` the same is done with the checkout in DIR
(``python -m clone`` with DIR first on ``sys.path``; DIR needs its agent and boundary built).

Per instance = (PSS of all supervisors + PSS of all hooked processes) / N. The parts (MB):
- supervisor: the PSS of the ``clone`` processes and of the shared supervisor, over N; of it
  ``shared supervisor`` (the shared one's PSS over N), ``frida core`` (``_frida.abi3.so``:
  code, the agent and helper it embeds, and its relocated data), ``anon`` (heap, thread
  stacks, malloc arenas: Python's objects and Frida's) and the rest (Python, libc, other
  libraries);
- hooked: its PSS; of it ``agent`` (the frida-agent library, mapped from the supervisor's
  memfd) and ``anon`` (the program's heap with the agent's: its JS heap, Frida's threads);
- ``memfd, unmapped``: memory no PSS shows. A supervisor writes the agent library (and a
  32-bit helper) into memfds, all of it resident; what no hooked process maps is counted
  nowhere else. Per instance, approximately: each supervisor's memfd bytes less what its
  hooked processes map, over N.
Prints a table with the load average; exits 0 (it reports, it does not judge).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import shared_supervisors  # beside this file

from hooks.supervisor.reach import running

_PROGRAM = "cat"
_READY_LIMIT_S = 120.0


@dataclass(frozen=True)
class Parts:
    """One process's PSS (kB) and the parts of it by mapping, with its memfds' RSS (kB)."""

    pss: int
    frida_core: int
    agent: int
    anon: int
    memfd_rss: dict[str, int]  # memfd inode -> RSS of its mappings here


@dataclass(frozen=True)
class Sample:
    """Every supervisor and hooked process of N runs, read once they are steady."""

    n: int
    supervisors: list[Parts]  # the ``clone`` processes
    shared: list[Parts]  # the shared supervisor, if the runs use one
    hooked: list[Parts]
    memfd_bytes: list[dict[str, int]]  # per supervisor: memfd inode -> bytes allocated


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--settle", type=float, default=3.0)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--shared", action="store_true", help="also with CLONE_SUPERVISOR=shared")
    parser.add_argument("--baseline", type=Path, default=None)
    args = parser.parse_args(argv)
    here = os.environ.get("PYTHONPATH")
    own = {"CLONE_SUPERVISOR": "in-process"}  # each run its own supervisor
    modes: dict[str, tuple[str | None, dict[str, str]]] = {"this": (here, own)}
    if args.shared:
        modes["shared"] = (here, {"CLONE_SUPERVISOR": "shared", "CLONE_SUPERVISOR_IDLE_S": "600"})
    if args.baseline is not None:
        path = os.pathsep.join([str(args.baseline.resolve()), *sys.path[1:]])
        modes["baseline"] = (path, own)
    samples: dict[tuple[str, int], list[Sample]] = {}
    loads: list[float] = []
    with tempfile.TemporaryDirectory(prefix="instance-memory-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        try:
            for mode, (pythonpath, extra) in modes.items():  # registers every clone first
                home = Path(tmp) / f"home-{mode}"
                for index in range(1, max(args.counts) + 1):
                    _register(_env(home, pythonpath, extra), index, data)
            for _ in range(args.repeat):
                for n in args.counts:
                    for mode, (pythonpath, extra) in modes.items():
                        home = Path(tmp) / f"home-{mode}"
                        env = _env(home, pythonpath, extra)
                        sample = _measure(env, home, n, data, args.settle)
                        samples.setdefault((mode, n), []).append(sample)
                        loads.append(os.getloadavg()[0])
        finally:
            for mode in modes:
                shared_supervisors.stop(Path(tmp) / f"home-{mode}")
    _print(samples, list(modes), args.counts, loads)
    return 0


def _env(home: Path, pythonpath: str | None, extra: dict[str, str]) -> dict[str, str]:
    env = {**os.environ, **extra, "CLONE_HOME": str(home)}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return env


def _command(index: int, data: Path, program: Sequence[str]) -> list[str]:
    head = [sys.executable, "-m", "clone", "host", "run", "--app", "memory"]
    return [*head, "--clone", str(index), "--data", str(data), "--", *program]


def _register(env: dict[str, str], index: int, data: Path) -> None:
    done = subprocess.run(
        _command(index, data, ["true"]), env=env, cwd="/", capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"instance_memory: the first run of clone {index} failed: {done.stderr}")


def _measure(env: dict[str, str], home: Path, n: int, data: Path, settle: float) -> Sample:
    runs: list[subprocess.Popen[bytes]] = []
    try:
        for index in range(1, n + 1):
            runs.append(
                subprocess.Popen(
                    _command(index, data, [_PROGRAM]),
                    env=env,
                    cwd="/",
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
            )
        hooked = _wait_hooked(runs)
        time.sleep(settle)
        shared = running(home)
        return Sample(
            n=n,
            supervisors=[_parts(run.pid) for run in runs],
            shared=[_parts(pid) for pid in shared],
            hooked=[_parts(pid) for pid in hooked],
            memfd_bytes=[_memfds(pid) for pid in [*(run.pid for run in runs), *shared]],
        )
    finally:
        for run in runs:
            assert run.stdin is not None
            run.stdin.close()  # cat reads EOF and exits: the run ends
        for run in runs:
            assert run.stderr is not None
            err = run.stderr.read().decode(errors="replace")
            if run.wait(timeout=60) != 0:
                print(f"instance_memory: a run ended with {run.returncode}: {err}")


def _wait_hooked(runs: list[subprocess.Popen[bytes]]) -> list[int]:
    """The pid of each run's program once every one of them carries the agent."""
    deadline = time.monotonic() + _READY_LIMIT_S
    while time.monotonic() < deadline:
        found = [_hooked_child(run.pid) for run in runs]
        if all(pid is not None for pid in found):
            return [pid for pid in found if pid is not None]
        for run in runs:
            if run.poll() is not None:
                raise SystemExit(f"instance_memory: a run ended early ({run.returncode})")
        time.sleep(0.2)
    raise SystemExit("instance_memory: the programs did not all get the agent in time")


def _hooked_child(supervisor: int) -> int | None:
    children: list[int] = []
    try:
        for task in os.listdir(f"/proc/{supervisor}/task"):  # children of any of its threads
            children += map(
                int, Path(f"/proc/{supervisor}/task/{task}/children").read_text().split()
            )
    except OSError:
        return None
    for child in children:
        try:
            comm = Path(f"/proc/{child}/comm").read_text().strip()
            maps = Path(f"/proc/{child}/maps").read_text()
        except OSError:
            continue
        if comm == _PROGRAM and "frida-agent" in maps:
            return child
    return None


def _parts(pid: int) -> Parts:
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    pss = next(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:"))
    frida_core = agent = anon = 0
    memfd_rss: dict[str, int] = {}
    name, inode = "", ""
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        fields = line.split()
        if "-" in fields[0] and len(fields) >= 5:  # a mapping's header line
            name = fields[5] if len(fields) > 5 else ""
            inode = fields[4]
        elif fields[0] == "Rss:" and name.startswith("/memfd:"):
            memfd_rss[inode] = memfd_rss.get(inode, 0) + int(fields[1])
        elif fields[0] == "Pss:":
            kb = int(fields[1])
            if name.endswith("_frida.abi3.so"):
                frida_core += kb
            elif name.startswith("/memfd:frida-agent"):
                agent += kb
            elif name in ("", "[heap]", "[stack]") or name.startswith("[anon"):
                anon += kb
    return Parts(pss, frida_core, agent, anon, memfd_rss)


def _memfds(pid: int) -> dict[str, int]:
    """The memfds ``pid`` holds open: inode -> bytes allocated."""
    found: dict[str, int] = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("/memfd:"):
                st = os.stat(f"/proc/{pid}/fd/{fd}")
                found[str(st.st_ino)] = st.st_blocks * 512
        except OSError:
            continue
    return found


def _unmapped_kb(sample: Sample) -> float:
    """Memfd memory (kB) held by the supervisors that no hooked process maps (approximate:
    the hooked processes of one supervisor map much the same pages)."""
    total = 0.0
    for held in sample.memfd_bytes:
        for inode, size in held.items():
            mapped = max((h.memfd_rss.get(inode, 0) for h in sample.hooked), default=0)
            total += max(size / 1024 - mapped, 0)
    return total


def _row(sample: Sample) -> dict[str, float]:
    n = sample.n
    sup, hooked = [*sample.supervisors, *sample.shared], sample.hooked
    sup_pss = sum(p.pss for p in sup) / n
    hooked_pss = sum(p.pss for p in hooked) / n
    return {
        "per instance": sup_pss + hooked_pss,
        "supervisor share": sup_pss,
        "  shared supervisor": sum(p.pss for p in sample.shared) / n,
        "  frida core": sum(p.frida_core for p in sup) / n,
        "  anon: heap, stacks": sum(p.anon for p in sup) / n,
        "  python, libc, other": sum(p.pss - p.frida_core - p.anon for p in sup) / n,
        "hooked process": hooked_pss,
        "  frida-agent (memfd)": sum(p.agent for p in hooked) / n,
        "  anon: heap, JS, Frida": sum(p.anon for p in hooked) / n,
        "  program, libc": sum(p.pss - p.agent - p.anon for p in hooked) / n,
        "memfd, unmapped": _unmapped_kb(sample) / n,
        "per instance + unmapped": sup_pss + hooked_pss + _unmapped_kb(sample) / n,
        "processes supervising": float(len(sup)),
    }


def _print(
    samples: dict[tuple[str, int], list[Sample]],
    modes: list[str],
    counts: list[int],
    loads: list[float],
) -> None:
    columns = [(mode, n) for n in counts for mode in modes]
    rows: dict[tuple[str, int], list[dict[str, float]]] = {
        key: [_row(s) for s in samples[key]] for key in columns
    }
    names = list(rows[columns[0]][0])
    print(
        f"memory per instance (PSS, MB; median of {len(rows[columns[0]])}), "
        f"{os.cpu_count()} CPUs, load {min(loads):.1f}-{max(loads):.1f}"
    )
    table = [("", *(f"{mode} N={n}" for mode, n in columns))]
    for name in names:
        cells = []
        for key in columns:
            value = statistics.median(r[name] for r in rows[key])
            cells.append(f"{value:.0f}" if name.startswith("processes") else f"{value / 1024:.1f}")
        table.append((name, *cells))
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


if __name__ == "__main__":
    sys.exit(main())
