"""Cost per process of ``clone host run`` against its peers (issue 13), measured the way it
was found: whole runs of real programs, with a data directory redirected where the peer can.

    .venv/bin/python benchmarks/peers.py [--repeat R] [--loop N] [--files F]

Columns (how the program is run; a peer whose tool is missing or does not work here is
skipped, with a printed reason):
- ``plain``: as is, on the store directory itself;
- ``bind``: a kernel bind mount, the floor of redirecting a directory: ``unshare -m``, then
  ``mount --bind STORE DIR`` and ``exec`` the program (needs root);
- ``proot``: ``proot -b STORE:DIR`` (ptrace follows every process and rewrites paths);
- ``frida``: bare Frida following every fork and exec (``benchmarks/frida_gated.py``: a
  gate started as ``clone host run`` starts it, child gating in every process, nothing
  injected but Frida's own agent), and ``frida+js``: the same with an empty script loaded in
  each process (a JavaScript runtime, as each process of a clone gets one), and
  ``frida+agent``: the same with Clonespace's agent given the clone's policy (the hooks
  redirect DIR; no CLI, no kernel boundary, no supervision of the run);
- ``in-process``: this checkout's ``clone host run --data DIR`` (agent, policy, kernel
  boundary) with ``CLONE_SUPERVISOR=in-process`` (each run supervised by its own ``clone``
  process), and ``shared``: the same as ``clone`` runs by default, every run instrumented by
  the home's one shared supervisor (started by the first run and kept to the end).
Workloads: ``/bin/true``; ``python3 -c 'import json, sqlite3, email'``; ``git status`` in a
repository of ``F`` files (in DIR); ``sh -c 'find DIR | wc -l'``; 20 x ``git status`` in a
``sh`` loop; and, for the cost of one fork and of one exec, ``sh`` doing nothing, ``N``
empty subshells (a fork and an exit each) and ``N`` x ``/bin/true`` (a fork and an exec
each): the differences divided by ``N``. Every figure is the wall time of one whole run (the
peer's own start-up included), median of ``--repeat`` rounds; in each round every workload
runs in every column one after the other, the columns' order rotating from round to round,
so a shared machine's noise falls on all of them. The ratio columns divide medians. Prints a
table with the load average; exits 0 (it reports, it does not judge).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shared_supervisors  # beside this file

HERE = Path(__file__).resolve().parent
MODES = ("plain", "bind", "proot", "frida", "frida+js", "frida+agent", "in-process", "shared")
RATIOS = (
    ("in-process", "frida"),
    ("shared", "frida"),
    ("in-process", "frida+js"),
    ("in-process", "frida+agent"),
    ("shared", "bind"),
)
GIT_LOOP = 20
APP = "peers"
_UNREDIRECTED = ("plain", "frida", "frida+js")  # given the store itself
_SHARED_IDLE_S = 3600  # the shared supervisor stays for the whole benchmark


@dataclass(frozen=True)
class Workload:
    """A program run in every column; ``argv(d)`` with ``d`` the data directory it sees."""

    name: str
    argv: Callable[[str], list[str]]


@dataclass(frozen=True)
class Place:
    """Where the data is: ``store`` holds it; ``data`` is the path a redirecting peer maps
    onto ``store`` (empty on disk)."""

    store: Path
    data: Path


def sh_loop(n: int, body: str) -> list[str]:
    """``sh`` running ``body`` (ended by ``;``) ``n`` times."""
    return ["sh", "-c", f'i=0; while [ "$i" -lt {n} ]; do {body} i=$((i+1)); done; :']


def workloads(python3: str, n: int) -> list[Workload]:
    imports = "import json, sqlite3, email"

    def git(d: str) -> str:
        return f"git -C {d} status --porcelain;"

    return [
        Workload("/bin/true", lambda d: ["/bin/true"]),
        Workload("python3 -c 'import json, sqlite3, email'", lambda d: [python3, "-c", imports]),
        Workload("git status", lambda d: ["git", "-C", d, "status", "--porcelain"]),
        Workload("sh -c 'find DIR | wc -l'", lambda d: ["sh", "-c", f"find {d} | wc -l"]),
        Workload(f"{GIT_LOOP} x git status (sh loop)", lambda d: sh_loop(GIT_LOOP, git(d))),
        Workload("sh, nothing", lambda d: sh_loop(0, ":;")),
        Workload(f"sh, {n} subshells", lambda d: sh_loop(n, "( : );")),
        Workload(f"sh, {n} x /bin/true", lambda d: sh_loop(n, "/bin/true;")),
    ]


def rotated(modes: Sequence[str], round_: int) -> list[str]:
    """``modes`` starting at a different one each round, so none always runs first."""
    if not modes:
        return []
    k = round_ % len(modes)
    return [*modes[k:], *modes[:k]]


def median_ms(times: Mapping[tuple[str, str], Sequence[float]]) -> dict[tuple[str, str], float]:
    """Median of each cell's run times (seconds), in milliseconds; empty cells left out."""
    return {key: statistics.median(t) * 1e3 for key, t in times.items() if t}


def per_op(
    ms: Mapping[tuple[str, str], float], more: str, fewer: str, n: int, modes: Sequence[str]
) -> dict[str, float]:
    """Per column, (``more`` - ``fewer``) / ``n``: the cost of one of the ``n`` operations
    that ``more`` does beyond ``fewer``. A column missing either is left out."""
    return {
        m: (ms[(more, m)] - ms[(fewer, m)]) / n
        for m in modes
        if (more, m) in ms and (fewer, m) in ms
    }


def ratio_cell(row: Mapping[str, float], top: str, bottom: str) -> str:
    """``top``/``bottom`` as ``1.23x``; blank when either is missing or not positive (a
    derived figure can come out at or below zero on a noisy machine)."""
    if top not in row or bottom not in row or row[top] <= 0 or row[bottom] <= 0:
        return ""
    return f"{row[top] / row[bottom]:.2f}x"


def format_number(value: float) -> str:
    """Milliseconds, with one decimal below 10 (per-fork and per-exec figures)."""
    return f"{value:.1f}" if abs(value) < 10 else f"{value:.0f}"


def table_rows(
    rows: Sequence[tuple[str, Mapping[str, float]]],
    modes: Sequence[str],
    ratios: Sequence[tuple[str, str]],
) -> list[tuple[str, ...]]:
    """The header and one line per ``(name, figures by column)``."""
    header = ("workload (ms)", *modes, *(f"{a}/{b}" for a, b in ratios))
    lines = [header]
    for name, row in rows:
        cells = [format_number(row[m]) if m in row else "-" for m in modes]
        lines.append((name, *cells, *(ratio_cell(row, a, b) for a, b in ratios)))
    return lines


def render(lines: Sequence[tuple[str, ...]]) -> str:
    """Columns padded to their widest cell, the first left-aligned, the rest right-aligned."""
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    out = []
    for line in lines:
        cells = [line[0].ljust(widths[0])]
        cells += [cell.rjust(w) for cell, w in zip(line[1:], widths[1:], strict=True)]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--loop", type=int, default=20)
    parser.add_argument("--files", type=int, default=2000)
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.loop < 1 or args.files < 1:
        parser.error("--repeat, --loop and --files must be at least 1")
    n = args.loop
    python3 = _python3()
    if python3 is None:
        parser.error("no python3 on PATH")
    with tempfile.TemporaryDirectory(prefix="peers-") as tmp:
        home, data = Path(tmp) / "home", Path(tmp) / "data"
        data.mkdir()
        env = {**os.environ, "CLONE_HOME": str(home), "GIT_OPTIONAL_LOCKS": "0"}
        # the clone's first run registers it and makes its store; the repository goes there
        # (elsewhere when the clone cannot run)
        place = Place(home / "store" / "host" / APP / "1" / "data" / "0", data)
        policy = Path(tmp) / "policy.json"
        commands = _commands(place, policy)
        reasons = {m: why for m in ("in-process",) if (why := _try(commands[m](["true"]), env))}
        if "in-process" in reasons:
            reasons["frida+agent"] = "it needs the clone, and the clone cannot run"
            reasons["shared"] = "it needs the clone, and the clone cannot run"
            place = Place(Path(tmp) / "store", data)
            commands = _commands(place, policy)
        else:
            policy.write_text(json.dumps(_policy(home, data)), encoding="utf-8")
        _make_repo(place.store, args.files)
        for mode in MODES:
            if mode not in reasons and (why := _usable(mode, place, commands, env)):
                reasons[mode] = why
        modes = [m for m in MODES if m not in reasons]
        loads = workloads(python3, n)
        for load in loads:  # warms the page cache and each tool; git settles its index
            for mode in modes:
                _run(_argv(mode, load, place, commands), env)
        times: dict[tuple[str, str], list[float]] = {}
        failures: dict[tuple[str, str], list[str]] = {}
        load_before = os.getloadavg()[0]
        for round_ in range(args.repeat):
            for load in loads:
                for mode in rotated(modes, round_):
                    command = _argv(mode, load, place, commands)
                    start = time.perf_counter()
                    error = _run(command, env)
                    elapsed = time.perf_counter() - start
                    cell = times.setdefault((load.name, mode), [])
                    if error is None:
                        cell.append(elapsed)
                    else:
                        failures.setdefault((load.name, mode), []).append(error)
        shared_supervisors.stop(home)
    ms = median_ms(times)
    rows = [(w.name, {m: ms[(w.name, m)] for m in modes if (w.name, m) in ms}) for w in loads]
    base, forks, execs = (w.name for w in loads[-3:])
    rows.append(("per fork (derived)", per_op(ms, forks, base, n, modes)))
    rows.append(("per exec (derived)", per_op(ms, execs, forks, n, modes)))
    load1, load5, load15 = os.getloadavg()
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"peers: median of {args.repeat} rounds, {stamp}, {os.cpu_count()} CPUs, load average"
          f" {load_before:.2f} at the start, {load1:.2f} {load5:.2f} {load15:.2f} at the end;"
          f" {args.files} files in DIR; python3 is {python3}")  # fmt: skip
    print(render(table_rows(rows, modes, [r for r in RATIOS if set(r) <= set(modes)])))
    for mode in MODES:
        if mode in reasons:
            print(f"skipped {mode}: {reasons[mode]}")
    for (name, mode), errors in failures.items():
        print(f"{mode}, {name}: {len(errors)} of {args.repeat} runs failed, left out: {errors[0]}")
    return 0


Command = Callable[[list[str]], list[str]]


def clone_cli() -> list[str]:
    """This checkout's ``clone`` command: its venv's, or the module run by this Python."""
    clone = HERE.parent / ".venv" / "bin" / "clone"
    return [str(clone)] if clone.exists() else [sys.executable, "-m", "clone"]


def _commands(place: Place, policy: Path) -> dict[str, Command]:
    """How each column runs ``argv`` (the redirecting ones see the store at ``place.data``)."""
    store, data = place.store, place.data
    head = [*clone_cli(), "host", "run", "--app", APP, "--clone", "1", "--data", str(data), "--"]
    gated = [sys.executable, str(HERE / "frida_gated.py")]
    own = ["env", "CLONE_SUPERVISOR=in-process"]
    shared = ["env", "CLONE_SUPERVISOR=shared", f"CLONE_SUPERVISOR_IDLE_S={_SHARED_IDLE_S}"]
    mount = 'mount --bind -- "$1" "$2" && shift 2 && exec "$@"'
    bind = ["unshare", "-m", "sh", "-c", mount, "bind", str(store), str(data)]
    return {
        "plain": lambda argv: argv,
        "bind": lambda argv: [*bind, *argv],
        "proot": lambda argv: ["proot", "-b", f"{store}:{data}", *argv],
        "frida": lambda argv: [*gated, "--", *argv],
        "frida+js": lambda argv: [*gated, "--script", "--", *argv],
        "frida+agent": lambda argv: [*gated, "--agent", str(policy), "--", *argv],
        "in-process": lambda argv: [*own, *head, *argv],
        "shared": lambda argv: [*shared, *head, *argv],
    }


def _argv(mode: str, load: Workload, place: Place, commands: Mapping[str, Command]) -> list[str]:
    # plain and bare Frida redirect nothing: they are given the store itself
    seen = place.store if mode in _UNREDIRECTED else place.data
    return commands[mode](load.argv(str(seen)))


def _usable(
    mode: str, place: Place, commands: Mapping[str, Command], env: Mapping[str, str]
) -> str:
    """Why ``mode`` cannot run here ("" if it can): its tool, and one run that must find
    the repository through the directory it redirects."""
    tool = {"bind": "unshare", "proot": "proot"}.get(mode)
    if tool is not None and shutil.which(tool) is None:
        return f"{tool} is not installed (scripts/install-system.sh installs it)"
    if mode == "bind" and os.geteuid() != 0:
        return "a bind mount needs root"
    if mode.startswith("frida"):
        try:
            import frida  # noqa: F401
        except ImportError:
            return "the frida module is not installed (make setup)"
    seen = place.store if mode in _UNREDIRECTED else place.data
    return _try(commands[mode](["test", "-d", f"{seen}/.git"]), env)


def _try(argv: list[str], env: Mapping[str, str]) -> str:
    error = _run(argv, env)
    return "" if error is None else error


def _run(argv: Sequence[str], env: Mapping[str, str]) -> str | None:
    """Runs ``argv`` from ``/``; None if it exited 0, else what went wrong, in one line."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False,
                              cwd="/", timeout=600)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as e:
        return str(e)
    if done.returncode == 0:
        return None
    last = (done.stderr.strip().splitlines() or [""])[-1]
    return f"{argv[0]} exited {done.returncode}: {last}"


def _policy(home: Path, data: Path) -> dict[str, Any]:
    """The policy ``clone host run --app peers --clone 1 --data DATA`` runs with (the
    clone is registered already, by its first run)."""
    sys.path.insert(0, str(HERE.parent))
    from clone.home import Home
    from clone.registry import Registry
    from clone.workflows.host import build_policy, open_host_clone, parse_host_spec

    where = Home(home)
    with Registry(where.ensure().registry_path) as registry:
        spec = parse_host_spec(APP, 1, [str(data)])
        open_host_clone(registry, where, spec)
        return build_policy(registry, where, spec, trace=False).to_agent_json()


def _make_repo(root: Path, files: int) -> None:
    """A git repository of ``files`` small committed files, 50 to a directory, dated an hour
    back so that no index entry is racily clean (``git status`` then only stats them)."""
    root.mkdir(parents=True, exist_ok=True)
    past = time.time() - 3600
    for i in range(files):
        path = root / f"d{i // 50:03d}" / f"f{i:05d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"file {i}\n")
        os.utime(path, (past, past))
    git = ["git", "-C", str(root), "-c", "user.name=peers", "-c", "user.email=peers@localhost"]
    for step in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "files"]):
        subprocess.run([*git, *step], check=True, capture_output=True)


def _python3() -> str | None:
    """The system's python3 (a pyenv shim on PATH would add a shell and an exec per run)."""
    system = Path("/usr/bin/python3")
    return str(system) if system.exists() else shutil.which("python3")


if __name__ == "__main__":
    sys.exit(main())
