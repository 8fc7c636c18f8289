"""A clone build's three costs on a >= 20 MB real APK, against copying and hashing.

Run: ``.venv/bin/python benchmarks/clone_build.py`` (``make bench``). In one run it measures

- the *floor*: ``cp`` the clone-sized file, then ``sha256sum`` it (two processes, as a user
  would copy and checksum that many bytes);
- the *marginal cost* of a clone: (time to build 1 + K clones - time to build 1) / K, with
  ``apk.pipeline.build_clones`` writing signed APKs to disk exactly as ``clone build`` does,
  each clone with its own key (as ``clone build`` gives them);
- the *fixed cost* of a build: a fresh process runs ``clone build``'s workflow for one clone
  (importing what a build imports, with their bytecode cached, loading the app and the
  clone's existing key, writing it), timed from before its imports to the end, minus the
  marginal cost of that clone (the interpreter's own start-up is not counted). Twice: the
  first build of the APK, and a later one, which finds the v1 digests of its entries in
  ``$CLONE_HOME/cache/v1-digests`` instead of inflating every entry. Beside the times, the
  CPU time of those processes (all threads, interpreter start-up included), which a busy
  machine inflates less than the times;
- the *peak memory* of a build: the largest resident set (``ru_maxrss``) of a fresh process
  building 1 + K clones that way (a first build), the interpreter and its imports included.

Rounds alternate between them and the median of each is reported. Targets: marginal cost
<= 1.0x the floor, fixed cost <= 0.3 s, peak memory <= the APK's size + 32 MB.
"""

from __future__ import annotations

import sys
import time

if __name__ == "__main__" and sys.argv[1:2] == ["--fresh-build"]:
    # the child: a build as ``clone build`` runs it, in a fresh process
    _start = time.perf_counter()
    import resource
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from clone.home import Home
    from clone.workflows.build import BuildRequest, build
    from clone.workflows.payload import HookMode

    _apk, _home, _out, _count = sys.argv[2:6]
    build(
        Home(Path(_home)), BuildRequest((Path(_apk),), int(_count), Path(_out), hooks=HookMode.NONE)
    )
    _elapsed = time.perf_counter() - _start
    _usage = resource.getrusage(resource.RUSAGE_SELF)
    _peak = _usage.ru_maxrss * 1024
    print(f"{_elapsed} {_peak} {_usage.ru_utime + _usage.ru_stime}")
    raise SystemExit(0)

import os
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from apk.pipeline import CloneSpec, build_clones
from apk.signing import KeyAlgorithm, load_or_create
from apk.signing.keys import clone_key_file
from apk.splits import AppSet, load_app
from tests.realapks import BIG, real_apk

EXTRA_CLONES = 4
ROUNDS = 5
MARGINAL_TARGET = 1.0  # x the floor
FIXED_TARGET = 0.3  # seconds
MEMORY_HEADROOM = 32 << 20  # bytes over the APK's size


def build_seconds(app: AppSet, count: int, keys: Path, out: Path) -> float:
    specs = [_spec(app, keys, i) for i in range(1, count + 1)]
    start = time.perf_counter()
    build_clones(app, specs, out)
    elapsed = time.perf_counter() - start
    shutil.rmtree(out)
    return elapsed


def _spec(app: AppSet, keys: Path, index: int) -> CloneSpec:
    key = load_or_create(keys, clone_key_file(app.package, index), algorithm=KeyAlgorithm.EC)
    return CloneSpec(index, f"{app.package}.clone{index}", key=key)


def fresh_build(
    apk: Path, home: Path, count: int, out: Path, *, first: bool = True
) -> tuple[float, int, float]:
    """(seconds, peak RSS bytes, CPU seconds of the whole process: interpreter start-up
    included, all threads) of ``clone build``'s workflow in a fresh process, with its
    modules' bytecode cached (as an installed tool has it) under ``home``; ``first``: as the
    first build of the APK (no v1 digests cached)."""
    if first:
        shutil.rmtree(home / "cache" / "v1-digests", ignore_errors=True)
    argv = [sys.executable, __file__, "--fresh-build", str(apk), str(home), str(out), str(count)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(home / "pycache")
    result = subprocess.run(argv, check=True, capture_output=True, text=True, env=env)
    shutil.rmtree(out)
    seconds, peak, cpu = result.stdout.split()
    return float(seconds), int(peak), float(cpu)


def floor_seconds(source: Path, work: Path) -> float:
    target = work / "copy.apk"
    start = time.perf_counter()
    subprocess.run(["cp", str(source), str(target)], check=True)
    subprocess.run(["sha256sum", str(target)], check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    target.unlink()
    return elapsed


def main() -> int:
    apk = real_apk(BIG)
    app = load_app([apk])
    apk_size = apk.stat().st_size
    with tempfile.TemporaryDirectory(prefix="clone-bench-") as tmp:
        work = Path(tmp)
        home = work / "home"
        fresh_build(apk, home, 1 + EXTRA_CLONES, work / "warm")  # makes keys and bytecode
        keys = home / "keys"
        sample = build_clones(app, [_spec(app, keys, 1)], work / "s")
        clone_size = sample[0].apk.stat().st_size
        floors, marginals, fresh, later, peaks = [], [], [], [], []
        fresh_cpu, later_cpu = [], []
        for _ in range(ROUNDS):
            floors.append(floor_seconds(sample[0].apk, work))
            one = build_seconds(app, 1, keys, work / "one")
            many = build_seconds(app, 1 + EXTRA_CLONES, keys, work / "many")
            marginals.append((many - one) / EXTRA_CLONES)
            seconds, _, cpu = fresh_build(apk, home, 1, work / "fresh")
            fresh.append(seconds)
            fresh_cpu.append(cpu)
            seconds, _, cpu = fresh_build(apk, home, 1, work / "fresh", first=False)
            later.append(seconds)
            later_cpu.append(cpu)
            peaks.append(fresh_build(apk, home, 1 + EXTRA_CLONES, work / "fresh")[1])
    floor, marginal = statistics.median(floors), statistics.median(marginals)
    fixed = statistics.median(fresh) - marginal
    fixed_later = statistics.median(later) - marginal
    peak = statistics.median(peaks)
    ratio = marginal / floor
    memory_target = apk_size + MEMORY_HEADROOM
    print(f"APK: {apk.name}, {apk_size / 1e6:.1f} MB; a clone is {clone_size / 1e6:.1f} MB")
    print(f"floor (cp + sha256sum of one clone's bytes): {floor * 1000:.0f} ms")
    print(
        f"marginal cost of one more clone:             {marginal * 1000:.0f} ms = {ratio:.2f}x "
        f"the floor (target <= {MARGINAL_TARGET}x) -> {_verdict(ratio <= MARGINAL_TARGET)}"
    )
    print(
        f"fixed cost of a build (fresh process):       {fixed * 1000:.0f} ms "
        f"(target <= {FIXED_TARGET * 1000:.0f} ms) -> {_verdict(fixed <= FIXED_TARGET)}"
    )
    print(
        f"  ... of a later build (v1 digests cached):  {fixed_later * 1000:.0f} ms "
        f"-> {_verdict(fixed_later <= FIXED_TARGET)}"
    )
    print(
        f"  CPU time of those 1-clone processes:       {statistics.median(fresh_cpu) * 1000:.0f}"
        f" ms first, {statistics.median(later_cpu) * 1000:.0f} ms later (start-up and the"
        " clone included; less load-dependent than the times above)"
    )
    print(
        f"peak memory of a {1 + EXTRA_CLONES}-clone build (RSS):       {peak / 1e6:.1f} MB "
        f"(target <= {memory_target / 1e6:.1f} MB) -> {_verdict(peak <= memory_target)}"
    )
    return 0


def _verdict(ok: bool) -> str:
    return "ok" if ok else "OVER"


if __name__ == "__main__":
    raise SystemExit(main())
