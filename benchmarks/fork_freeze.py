"""How often Frida's fork hand-over freezes, with bare Frida and with ``clone host run``.

    .venv/bin/python benchmarks/fork_freeze.py [--runs R] [--forks F] [--limit S]

Each run is ``sh`` starting ``F`` empty subshells one after the other (a fork and an exit
each), followed the way ``benchmarks/peers.py`` follows it:
- ``frida``: bare Frida with child gating in every process, nothing else injected
  (``benchmarks/frida_gated.py``);
- ``shared``: ``clone host run`` as it runs by default (the home's shared supervisor);
- ``in-process``: ``clone host run`` with ``CLONE_SUPERVISOR=in-process``.
A run not done within ``--limit`` seconds (one takes well under a second here) is counted
as frozen and killed: Frida holds a process under ptrace while it re-creates its agent
thread after the fork, and now and then that never ends (the process stays in a ptrace
stop, its agent's threads spin). ``clone host run`` would kill such a process after 30 s
and fail with "a hand-over that froze"; this benchmark does not wait that long. The
columns take turns run by run, so the machine's load falls on each alike.
Prints, per column, the runs, the frozen ones and the freezes per 1,000 forks; exits 0 (it
reports, it does not judge).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import peers  # beside this file
import shared_supervisors

HERE = Path(__file__).resolve().parent
COLUMNS = ("frida", "shared", "in-process")


def loop(forks: int) -> list[str]:
    """``sh`` starting ``forks`` empty subshells."""
    return peers.sh_loop(forks, "( : );")


def command(column: str, data: Path, program: list[str]) -> list[str]:
    """How ``column`` runs ``program``."""
    if column == "frida":
        return [sys.executable, str(HERE / "frida_gated.py"), "--", *program]
    head = ["host", "run", "--app", "freeze", "--clone", "1", "--data", str(data), "--"]
    run = [*peers.clone_cli(), *head]
    mode = ["env", f"CLONE_SUPERVISOR={column}"] if column == "in-process" else []
    return [*mode, *run, *program]


def frozen(argv: list[str], env: dict[str, str], limit: float) -> bool | None:
    """Runs ``argv``: True if it was not done within ``limit`` seconds (killed), False if it
    exited 0, None if it failed otherwise (left out of the count)."""
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return False if child.wait(timeout=limit) == 0 else None
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
        return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--forks", type=int, default=20)
    parser.add_argument("--limit", type=float, default=8.0)
    args = parser.parse_args(argv)
    if args.runs < 1 or args.forks < 1 or args.limit <= 0:
        parser.error("--runs and --forks must be at least 1, --limit above 0")
    try:
        import frida
    except ImportError:
        parser.error("the frida module is not installed (make setup)")

    counts = {column: [0, 0, 0] for column in COLUMNS}  # done, frozen, failed
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fork-freeze-") as tmp:
        home, data = Path(tmp) / "home", Path(tmp) / "data"
        env = {**os.environ, "CLONE_HOME": str(home)}
        env.pop("CLONE_SUPERVISOR", None)  # "shared" is the default, as users run it
        try:
            for round_ in range(args.runs):
                k = round_ % len(COLUMNS)
                for column in COLUMNS[k:] + COLUMNS[:k]:
                    result = frozen(command(column, data, loop(args.forks)), env, args.limit)
                    counts[column][{False: 0, True: 1, None: 2}[result]] += 1
        finally:
            shared_supervisors.stop(home)
    minutes = (time.monotonic() - started) / 60
    print(
        f"fork_freeze: Frida {frida.__version__}, {args.runs} runs of {args.forks} forks per"
        f" column, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}, {minutes:.1f} min;"
        f" a run not done in {args.limit:g} s counts as frozen"
    )
    print(f"{'column':<12}{'runs':>6}{'frozen':>8}{'failed':>8}{'per 1,000 forks':>17}")
    for column, (done, stuck, failed) in counts.items():
        forks = (done + stuck) * args.forks
        rate = f"{1000 * stuck / forks:.1f}" if forks else "-"
        print(f"{column:<12}{done + stuck + failed:>6}{stuck:>8}{failed:>8}{rate:>17}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
