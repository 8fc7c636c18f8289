"""The marginal cost of one more clone of a >= 20 MB real APK, against copying and hashing.

Run: ``.venv/bin/python benchmarks/clone_build.py`` (``make bench``). In one run it measures

- the *floor*: ``cp`` the clone-sized file, then ``sha256sum`` it (two processes, as a user
  would copy and checksum that many bytes);
- the *marginal cost* of a clone: (time to build 1 + K clones - time to build 1) / K, with
  ``apk.pipeline.build_clones`` writing signed APKs to disk exactly as ``clone build`` does.

Rounds alternate between the two and the median of each is reported. Target: <= 1.5x.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from apk.pipeline import CloneSpec, build_clones
from apk.signing import load_or_create
from apk.signing.keys import SigningKey
from apk.splits import AppSet, load_app
from tests.realapks import BIG, real_apk

EXTRA_CLONES = 4
ROUNDS = 5
TARGET = 1.5


def build_seconds(app: AppSet, count: int, key: SigningKey, out: Path) -> float:
    specs = [CloneSpec(i, f"{app.package}.clone{i}") for i in range(1, count + 1)]
    start = time.perf_counter()
    build_clones(app, specs, out, key)
    elapsed = time.perf_counter() - start
    shutil.rmtree(out)
    return elapsed


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
    with tempfile.TemporaryDirectory(prefix="clone-bench-") as tmp:
        work = Path(tmp)
        key = load_or_create(work / "keys")
        sample = build_clones(app, [CloneSpec(1, f"{app.package}.clone1")], work / "s", key)
        clone_size = sample[0].apk.stat().st_size
        floors, marginals, firsts = [], [], []
        for _ in range(ROUNDS):
            floors.append(floor_seconds(sample[0].apk, work))
            one = build_seconds(app, 1, key, work / "one")
            many = build_seconds(app, 1 + EXTRA_CLONES, key, work / "many")
            marginals.append((many - one) / EXTRA_CLONES)
            firsts.append(one)
    floor, marginal = statistics.median(floors), statistics.median(marginals)
    ratio = marginal / floor
    print(
        f"APK: {apk.name}, {apk.stat().st_size / 1e6:.1f} MB; a clone is {clone_size / 1e6:.1f} MB"
    )
    print(f"floor (cp + sha256sum of one clone's bytes): {floor * 1000:.0f} ms")
    print(f"a build of one clone (with per-build work):  {statistics.median(firsts) * 1000:.0f} ms")
    print(f"marginal cost of one more clone:             {marginal * 1000:.0f} ms")
    print(f"ratio: {ratio:.2f}x (target <= {TARGET}x) -> {'ok' if ratio <= TARGET else 'OVER'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
