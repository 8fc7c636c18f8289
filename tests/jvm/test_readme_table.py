"""The README's start-up table is what the bed shows (tests/jvm/table.py makes it)."""

from __future__ import annotations

from pathlib import Path

from tests.jvm.bed import BedRun
from tests.jvm.conftest import HookedClone
from tests.jvm.table import readme_table, render

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_table_is_what_the_bed_shows(
    started: list[BedRun], deferred_started: BedRun, probe_clones: list[HookedClone]
) -> None:
    table = render(started[0], deferred_started, probe_clones[0])
    assert readme_table(README.read_text()) == table, "regenerate: python -m tests.jvm.table"
