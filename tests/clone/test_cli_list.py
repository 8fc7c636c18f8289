"""``clone list`` for people: a header and aligned columns, and a hint when empty."""

from __future__ import annotations

from pathlib import Path

from clone.cli.output import table
from clone.registry import Backend, CloneRecord, Registry
from tests.conftest import RunCli


def test_empty_registry_says_how_to_make_clones(run_cli: RunCli) -> None:
    result = run_cli("list")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no clones yet" in result.stderr


def test_host_clones_are_listed_under_a_header(run_cli: RunCli, clone_home: Path) -> None:
    with Registry(clone_home / "registry.sqlite") as registry:
        for n in (1, 2):
            registry.add(CloneRecord("notes", n, Backend.HOST, source_package="notes"))
    lines = run_cli("list").stdout.splitlines()
    assert lines[0].split() == ["CLONE", "BACKEND", "PACKAGE", "DEVICE", "STATE", "PIDS"]
    assert [line.split()[:2] for line in lines[1:]] == [["notes:1", "host"], ["notes:2", "host"]]


def test_table_aligns_columns() -> None:
    text = table(("A", "BEE"), [("long-cell", 1), ("x", 22)])
    lines = text.splitlines()
    assert lines == ["A          BEE", "long-cell  1", "x          22"]
