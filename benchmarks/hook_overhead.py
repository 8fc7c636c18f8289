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
- the wall time of ``clone host run … -- true`` (target: <= 0.5 s).
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


@dataclass(frozen=True)
class Bench:
    statloop: Path
    home: Path
    data: Path
    calls: int
    repeat: int

    def clone_argv(self, argv: Sequence[str]) -> list[str]:
        return [str(CLONE), "host", "run", "--app", "bench", "--clone", "1",
                "--data", str(self.data), "--", *argv]  # fmt: skip

    def loops(self, path: str) -> tuple[tuple[float, int], tuple[float, int]]:
        """(plain, hooked): median ns per stat() call and median VmRSS (kB) over ``repeat``
        runs each, plain and hooked runs alternating so the machine's noise hits both."""
        runs: dict[bool, list[tuple[float, int]]] = {False: [], True: []}
        for _ in range(self.repeat):
            for hooked in (False, True):
                runs[hooked].append(self._once(path, hooked))
        return _medians(runs[False]), _medians(runs[True])

    def plain_loop(self, path: str) -> float:
        """Median ns per stat() call of ``path`` without hooks."""
        return _medians([self._once(path, hooked=False) for _ in range(self.repeat)])[0]

    def _once(self, path: str, hooked: bool) -> tuple[float, int]:
        argv = [str(self.statloop), path, str(self.calls)]
        out = _run(self.clone_argv(argv) if hooked else argv, self.home)
        fields = dict(item.split("=") for item in out.split())
        if fields["failed"] != "0":
            raise RuntimeError(f"stat({path}) failed {'with' if hooked else 'without'} hooks")
        return float(fields["ns_per_call"]), int(fields["rss_kb"])

    def startup(self, hooked: bool) -> float:
        times = []
        for _ in range(self.repeat):
            argv = self.clone_argv(["true"]) if hooked else ["true"]
            start = time.perf_counter()
            _run(argv, self.home)
            times.append(time.perf_counter() - start)
        return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hook-overhead-") as tmp:
        bench = _setup(Path(tmp), args.calls, args.repeat)
        rows = _measure(bench)
    _print(rows, bench)
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
    _run(bench.clone_argv(["sh", "-c", f"echo x > {data}/file"]), bench.home)
    return bench


def _measure(b: Bench) -> list[Row]:
    outside = shutil.which("true") or "/usr/bin/true"  # a system file no rule names
    beside = str(b.statloop)  # outside too, but sharing the data path's leading directories
    inside = str(b.data / "file")  # redirected into the clone's store
    store_file = b.home / "store" / "host" / "bench" / "1" / "data" / "0" / "file"
    if not store_file.is_file():
        raise SystemExit(f"hook_overhead: the clone's copy is not at {store_file}")
    (plain_out, plain_rss), (hooked_out, hooked_rss) = b.loops(outside)
    (plain_beside, _), (hooked_beside, _) = b.loops(beside)
    (plain_in, _), (hooked_in, _) = b.loops(inside)
    plain_store = b.plain_loop(str(store_file))
    plain_start, hooked_start = b.startup(hooked=False), b.startup(hooked=True)
    extra_mb = (hooked_rss - plain_rss) / 1024
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
    ]


def _ratio_row(what: str, plain: float, hooked: float, target: float) -> Row:
    ratio = hooked / plain
    return Row(
        what, f"{plain:.0f} ns", f"{hooked:.0f} ns", f"{ratio:.2f}x", f"<= {target}x",
        ratio <= target,
    )  # fmt: skip


def _print(rows: list[Row], b: Bench) -> None:
    header = ("measure", "plain", "hooked", "figure", "target", "met")
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
    env = {**os.environ, "CLONE_HOME": str(home)}
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"hook_overhead: {argv[0]} failed ({done.returncode}): {done.stderr}")
    return done.stdout


if __name__ == "__main__":
    sys.exit(main())
