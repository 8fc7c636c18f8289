"""Hook overhead of ``clone host run``, all against the same program run without hooks.

    .venv/bin/python benchmarks/hook_overhead.py [--calls N] [--repeat R]

Measures, in one run:
- ``stat()`` on a path outside the clone's data (target: <= 1.3x the plain call): a system
  file, and a file next to the data directory (its path shares the data path's leading
  directories, so the hooks cannot dismiss it at the first character);
- ``stat()`` on a redirected path (target: <= 1.6x), and, for reading that figure, the
  plain ``stat()`` of the store file the hooks pass on: its path is several directories
  deeper than the data path, and the kernel's walk of it is part of the hooked time;
- the extra resident memory of a hooked process (VmRSS; target: <= 16 MB);
- the wall time of ``clone host run … -- true`` (target: <= 0.5 s);
- each of these hooked figures with the kernel boundary (``hooks/boundary``, on in every
  real run) against the same run without it (target: at most 5% more on each row), with
  the range of the ratio over the runs, each paired with its neighbour of the other mode;
  and, for reading those, the kernel's floor: a ``stat()`` without hooks under a seccomp
  filter that allows everything, against none. The
  runs without it go through this script's ``--without-boundary`` driver, which runs
  ``clone host run`` with the boundary left out; the CLI itself has no way to turn it off.
The stat figures come from ``tests/hooks/programs/statloop.c``, which times a warm loop of
``stat()`` calls inside the process, so Frida's start-up is not counted in them. Each
figure is the median of ``--repeat`` runs, plain and hooked runs alternating so the noise of
a shared machine falls on both. Prints a table; exits 0 (it reports, it does not judge).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATLOOP_C = ROOT / "tests" / "hooks" / "programs" / "statloop.c"
CLONE = Path(sys.executable).with_name("clone")


@dataclass(frozen=True)
class Row:
    what: str
    plain: str
    hooked: str
    figure: str
    target: str
    met: bool | None  # None: a figure for reading the others, with no target


MODES = ("plain", "hooks", "boundary")  # no hooks; hooks only; hooks + boundary (real runs)
WITHOUT_BOUNDARY = "--without-boundary"


@dataclass(frozen=True)
class Bench:
    statloop: Path
    home: Path
    data: Path
    calls: int
    repeat: int

    def argv(self, mode: str, argv: Sequence[str]) -> list[str]:
        """``argv`` run plain, as clone bench:1 without the boundary, or as it really runs."""
        if mode == "plain":
            return list(argv)
        head = [str(CLONE)] if mode == "boundary" else [sys.executable, __file__, WITHOUT_BOUNDARY]
        return [*head, "host", "run", "--app", "bench", "--clone", "1",
                "--data", str(self.data), "--", *argv]  # fmt: skip

    def loops(self, path: str) -> dict[str, list[tuple[float, int]]]:
        """Per mode: ns per stat() call and VmRSS (kB) of each of ``repeat`` runs, the
        modes' runs interleaved so the machine's noise hits them all."""
        runs: dict[str, list[tuple[float, int]]] = {m: [] for m in MODES}
        for _ in range(self.repeat):
            for mode in MODES:
                runs[mode].append(self._once(path, mode))
        return runs

    def plain_loop(self, path: str) -> float:
        """Median ns per stat() call of ``path`` without hooks."""
        return _medians([self._once(path, "plain") for _ in range(self.repeat)])[0]

    def _once(self, path: str, mode: str) -> tuple[float, int]:
        out = _run(self.argv(mode, [str(self.statloop), path, str(self.calls)]), self.home)
        fields = dict(item.split("=") for item in out.split())
        if fields["failed"] != "0":
            raise RuntimeError(f"stat({path}) failed ({mode})")
        return float(fields["ns_per_call"]), int(fields["rss_kb"])

    def startup(self) -> dict[str, list[float]]:
        """Per mode: the wall time (s) of each of ``repeat`` runs of ``true``, interleaved."""
        times: dict[str, list[float]] = {m: [] for m in MODES}
        for _ in range(self.repeat):
            for mode in MODES:
                start = time.perf_counter()
                _run(self.argv(mode, ["true"]), self.home)
                times[mode].append(time.perf_counter() - start)
        return times


def main(argv: Sequence[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else list(argv)
    if args_in[:1] == [WITHOUT_BOUNDARY]:
        return _run_without_boundary(args_in[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(args_in)
    with tempfile.TemporaryDirectory(prefix="hook-overhead-") as tmp:
        bench = _setup(Path(tmp), args.calls, args.repeat)
        rows, boundary_rows = _measure(bench)
    _print(rows, bench, ("measure", "plain", "hooked", "figure", "target", "met"))
    print()
    print("the kernel boundary: hooked runs with it (as every real run) against without it")
    _print(boundary_rows, bench, ("measure", "without", "with", "figure", "target", "met"))
    return 0


def _run_without_boundary(cli_args: list[str]) -> int:
    """``clone host run`` with the kernel boundary left out: only this benchmark does that."""
    import clone.workflows.host as host_workflow
    from clone.cli import main as cli_main

    setattr(host_workflow, "host_boundary", lambda *args, **kwargs: None)  # noqa: B010
    cli_main(cli_args)
    return 0


def _setup(tmp: Path, calls: int, repeat: int) -> Bench:
    gcc = shutil.which("gcc")
    if gcc is None:
        raise SystemExit("hook_overhead: gcc is needed (apt-get install gcc)")
    statloop = tmp / "statloop"
    subprocess.run([gcc, "-O2", "-o", str(statloop), str(STATLOOP_C)], check=True)
    data = tmp / "data"
    data.mkdir()
    (data / "file").write_text("x")
    bench = Bench(statloop, tmp / "clone-home", data, calls, repeat)
    # the first run registers the clone; then the same file exists in its store
    _run(bench.argv("boundary", ["sh", "-c", f"echo x > {data}/file"]), bench.home)
    return bench


def _measure(b: Bench) -> tuple[list[Row], list[Row]]:
    outside = shutil.which("true") or "/usr/bin/true"  # a system file no rule names
    beside = str(b.statloop)  # outside too, but sharing the data path's leading directories
    inside = str(b.data / "file")  # redirected into the clone's store
    store_file = b.home / "store" / "host" / "bench" / "1" / "data" / "0" / "file"
    if not store_file.is_file():
        raise SystemExit(f"hook_overhead: the clone's copy is not at {store_file}")
    out_runs, by_runs, in_runs = b.loops(outside), b.loops(beside), b.loops(inside)
    out = {m: _medians(r) for m, r in out_runs.items()}
    by = {m: _medians(r) for m, r in by_runs.items()}
    inn = {m: _medians(r) for m, r in in_runs.items()}
    (plain_out, plain_rss), (hooked_out, hooked_rss) = out["plain"], out["boundary"]
    plain_beside, hooked_beside = by["plain"][0], by["boundary"][0]
    plain_in, hooked_in = inn["plain"][0], inn["boundary"][0]
    plain_store = b.plain_loop(str(store_file))
    start_runs = b.startup()
    start = {m: statistics.median(t) for m, t in start_runs.items()}
    plain_start, hooked_start = start["plain"], start["boundary"]
    extra_mb = (hooked_rss - plain_rss) / 1024
    boundary_rows = [
        _ratio_row("stat() outside the clone's data", out["hooks"][0], hooked_out, 1.05),
        _ratio_row("stat() outside, beside the data dir", by["hooks"][0], hooked_beside, 1.05),
        _ratio_row("stat() on a redirected path", inn["hooks"][0], hooked_in, 1.05),
        _ratio_row("resident memory (VmRSS, kB)", out["hooks"][1], hooked_rss, 1.05, "kB"),
        _ratio_row(
            "clone host run -- true (ms)", start["hooks"] * 1e3, hooked_start * 1e3, 1.05, "ms"
        ),
    ]
    spreads = [
        _spread([r[0] for r in runs["hooks"]], [r[0] for r in runs["boundary"]])
        for runs in (out_runs, by_runs, in_runs)
    ]
    spreads.append(_spread([r[1] for r in out_runs["hooks"]], [r[1] for r in out_runs["boundary"]]))
    spreads.append(_spread(start_runs["hooks"], start_runs["boundary"]))
    boundary_rows = [
        Row(r.what, r.plain, r.hooked, f"{r.figure} ({spread})", r.target, r.met)
        for r, spread in zip(boundary_rows, spreads, strict=True)
    ]
    boundary_rows.append(_seccomp_floor(b, outside))
    return [
        _ratio_row(f"stat() outside the clone's data ({outside})", plain_out, hooked_out, 1.3),
        _ratio_row("stat() outside, beside the data dir", plain_beside, hooked_beside, 1.3),
        _ratio_row("stat() on a redirected path", plain_in, hooked_in, 1.6),
        Row(
            "  the same, against stat() of the store file",
            f"{plain_store:.0f} ns",
            f"{hooked_in:.0f} ns",
            f"{hooked_in / plain_store:.2f}x",
            "(the hooks' own share)",
            None,
        ),
        Row(
            "resident memory (VmRSS)",
            f"{plain_rss / 1024:.1f} MB",
            f"{hooked_rss / 1024:.1f} MB",
            f"+{extra_mb:.1f} MB",
            "<= 16 MB",
            extra_mb <= 16,
        ),
        Row(
            "clone host run -- true",
            f"{plain_start * 1000:.0f} ms",
            f"{hooked_start * 1000:.0f} ms",
            f"{hooked_start:.2f} s",
            "<= 0.5 s",
            hooked_start <= 0.5,
        ),
    ], boundary_rows


def _seccomp_floor(b: Bench, path: str) -> Row:
    """What the kernel charges a ``stat()`` for there being any seccomp filter at all: the
    statloop without hooks, plain against under a filter of one instruction (allow), runs
    interleaved. Every filter costs at least this, whatever it checks (the boundary's
    own is not even run for the calls it allows: the kernel caches those)."""
    from hooks.boundary import entry, seccomp

    allow = struct.pack("<HBBI", 0x06, 0, 0, seccomp.RET_ALLOW).hex()  # BPF_RET | BPF_K
    argv = [str(b.statloop), path, str(b.calls)]
    plain: list[float] = []
    filtered: list[float] = []
    for _ in range(b.repeat):
        plain.append(_ns_per_call(_run(argv, b.home)))
        filtered.append(_ns_per_call(_run([*entry(), "-", allow, "--", *argv], b.home)))
    without, with_ = statistics.median(plain), statistics.median(filtered)
    return Row(
        "  any seccomp filter, no hooks (the floor)",
        f"{without:.0f} ns",
        f"{with_:.0f} ns",
        f"{with_ / without:.2f}x ({_spread(plain, filtered)})",
        "(for reading)",
        None,
    )


def _ns_per_call(out: str) -> float:
    return float(dict(item.split("=") for item in out.split())["ns_per_call"])


def _spread(without: Sequence[float], with_: Sequence[float]) -> str:
    """The range of the with/without ratio over the runs, each run paired with the run of
    the other mode next to it (the figure itself is the ratio of the medians)."""
    ratios = [w / o for o, w in zip(without, with_, strict=True)]
    return f"runs {min(ratios):.2f}-{max(ratios):.2f}x"


def _ratio_row(what: str, plain: float, hooked: float, target: float, unit: str = "ns") -> Row:
    ratio = hooked / plain
    return Row(
        what, f"{plain:.0f} {unit}", f"{hooked:.0f} {unit}", f"{ratio:.2f}x", f"<= {target}x",
        ratio <= target,
    )  # fmt: skip


def _print(rows: list[Row], b: Bench, header: tuple[str, ...]) -> None:
    met = {True: "yes", False: "NO", None: ""}
    table = [header, *((r.what, r.plain, r.hooked, r.figure, r.target, met[r.met])
                       for r in rows)]  # fmt: skip
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    print(f"hook overhead: {b.calls} stat() calls per run, median of {b.repeat} runs, "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _medians(runs: list[tuple[float, int]]) -> tuple[float, int]:
    return statistics.median(r[0] for r in runs), int(statistics.median(r[1] for r in runs))


def _run(argv: Sequence[str], home: Path) -> str:
    env = {**os.environ, "CLONE_HOME": str(home), "CLONE_SUPERVISOR": "in-process"}
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"hook_overhead: {argv[0]} failed ({done.returncode}): {done.stderr}")
    return done.stdout


if __name__ == "__main__":
    sys.exit(main())
