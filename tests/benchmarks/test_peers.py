"""The pure parts of benchmarks/peers.py: round order, medians, derived figures, the table."""

from __future__ import annotations

import subprocess

import peers


def test_rotated_starts_each_round_at_the_next_mode() -> None:
    modes = ["plain", "bind", "clone"]
    orders = [peers.rotated(modes, r) for r in range(4)]
    assert orders == [
        ["plain", "bind", "clone"],
        ["bind", "clone", "plain"],
        ["clone", "plain", "bind"],
        ["plain", "bind", "clone"],
    ]
    assert peers.rotated([], 3) == []


def test_median_ms_per_cell_leaving_out_empty_cells() -> None:
    times = {("a", "plain"): [0.003, 0.001, 0.002], ("a", "clone"): [], ("b", "clone"): [0.5, 0.7]}
    assert peers.median_ms(times) == {("a", "plain"): 2.0, ("b", "clone"): 600.0}


def test_per_op_divides_the_difference_and_skips_missing_columns() -> None:
    ms = {("more", "x"): 50.0, ("fewer", "x"): 10.0, ("more", "y"): 30.0}
    assert peers.per_op(ms, "more", "fewer", 20, ["x", "y", "z"]) == {"x": 2.0}


def test_ratio_cell_blank_when_missing_or_not_positive() -> None:
    row = {"clone": 115.0, "frida": 100.0, "bind": 0.0, "proot": -3.0}
    assert peers.ratio_cell(row, "clone", "frida") == "1.15x"
    assert peers.ratio_cell(row, "clone", "bind") == ""
    assert peers.ratio_cell(row, "proot", "frida") == ""
    assert peers.ratio_cell(row, "clone", "plain") == ""


def test_table_marks_missing_figures_and_aligns_columns() -> None:
    rows = [("true", {"plain": 2.34, "clone": 354.2}), ("per fork", {"plain": -0.4})]
    lines = peers.table_rows(rows, ["plain", "clone"], [("clone", "plain")])
    assert lines == [
        ("workload (ms)", "plain", "clone", "clone/plain"),
        ("true", "2.3", "354", "151.37x"),
        ("per fork", "-0.4", "-", ""),
    ]
    text = peers.render(lines).splitlines()
    assert text[1] == "true             2.3    354      151.37x"
    assert len({len(line) for line in text[:2]}) == 1  # right-aligned to the same width


def test_sh_loop_runs_its_body_n_times() -> None:
    argv = peers.sh_loop(3, "echo x;")
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    assert done.stdout == "x\nx\nx\n"
    assert (
        subprocess.run(peers.sh_loop(0, "echo x;"), capture_output=True, check=True).stdout == b""
    )
