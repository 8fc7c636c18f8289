"""The README's start-up table, made from runs on the JVM test bed: for each start-up step,
what the probe clone sees of each identity field and feature.

``python -m tests.jvm.table`` prints it (it sets up the bed, builds the probe and two hooked
clones first); ``tests/jvm/test_readme_table.py`` checks the README holds what the bed shows.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.jvm.bed import REAL_DEVICE, BedRun

if TYPE_CHECKING:
    from tests.jvm.conftest import HookedClone

STEPS = (
    "attachBaseContext",
    "ContentProvider.onCreate",
    "Application.onCreate",
    "Activity.onCreate",
)
COLUMNS = (
    ("android_id", "ANDROID_ID"),
    ("serial", "Build.getSerial"),
    ("build_serial", "Build.SERIAL"),
    ("imei", "IMEI"),
    ("wifi_mac", "Wi-Fi MAC"),
    ("bt_mac", "BT MAC"),
    ("accounts", "accounts"),
    ("signature", "signature"),
    ("own_provider", "own authority"),
)
BEGIN = "<!-- jvm-bed-table: begin (python -m tests.jvm.table) -->"
END = "<!-- jvm-bed-table: end -->"


def verdict(field: str, value: Any, ours: Mapping[str, str]) -> str:
    """One cell: whose value the app saw (``ours``: what the clone should see)."""
    real = dict(REAL_DEVICE, bt_mac=REAL_DEVICE["bt_mac"].upper())
    if value == ours[field]:
        special = {"signature": "original app's", "own_provider": "clone's provider"}
        return special.get(field, "clone's")
    if field == "accounts":
        return "device's real" if value else "clone's"
    if field == "own_provider":
        return "not found"
    if value == real.get(field):
        return "**device's real**"
    return "clone certificate" if field == "signature" else f"`{value}`"


def render(run: BedRun, deferred: BedRun, clone: HookedClone) -> str:
    """The markdown table: ``run`` with the agent, ``deferred`` with Java.perform."""
    ours = clone.should_see
    head = [
        "start-up step",
        *(title for _, title in COLUMNS),
        "ANDROID_ID, hooked with `Java.perform`",
    ]
    rows = [head, ["---"] * len(head)]
    for step in STEPS:
        seen = run.seen_at(step)
        cells = [verdict(field, seen[field], ours) for field, _ in COLUMNS]
        before = verdict("android_id", deferred.seen_at(step)["android_id"], ours)
        rows.append([f"`{step}`", *cells, before])
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def readme_table(readme: str) -> str:
    """The generated block of the README (between its markers)."""
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    return readme[start:end].strip()


def main(argv: Sequence[str] = ()) -> int:
    from samples.probe.build import build_probe
    from tests.jvm.bed import Bed, Framework, Toolchain, install
    from tests.jvm.conftest import build_clones, compile_deferred_probe, with_script

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        tools = Toolchain.find()
        framework = Framework.build(tools, root / "framework")
        standin = tools.standin(root / "libstandin.so")
        clone = build_clones(build_probe(root / "probe.apk"), root / "clones", count=1, seed=7)[0]
        app = install(clone.apk, root / "bed", tools, framework, standin=standin)
        with Bed(tools, framework).start(app) as run:
            pass
        deferred_app = with_script(app, root / "deferred", compile_deferred_probe(root / "d.js"))
        with Bed(tools, framework).start(deferred_app) as deferred:
            pass
        print(BEGIN)
        print(render(run, deferred, clone))
        print(END)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
