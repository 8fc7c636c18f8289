"""Progress of ``clone export`` / ``clone import``: what ``Space`` reports, and the bar the
CLI draws on a terminal (a real pty) and not elsewhere."""

from __future__ import annotations

import errno
import os
import pty
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from clone.errors import BadInput, OperationFailed
from clone.space import Space
from tests.clone.transfer_helpers import clone_in, host_clone_holding, ok

CLONE = Path(sys.executable).with_name("clone")
BIG = 200_000  # more than one 64 KiB chunk of an import


class Recorder:
    """A Progress that keeps what it was opened with and what it was advanced by."""

    def __init__(self) -> None:
        self.opened: list[tuple[str, int]] = []
        self.advanced: list[int] = []
        self.open = False

    @contextmanager
    def __call__(self, label: str, total: int) -> Iterator[Callable[[int], None]]:
        self.opened.append((label, total))
        self.open = True
        try:
            yield self._advance
        finally:
            self.open = False

    def _advance(self, n: int) -> None:
        assert self.open, "advanced after the progress was closed"
        self.advanced.append(n)


def _files_bytes(store: Path) -> int:
    return sum(p.stat().st_size for p in store.rglob("*") if p.is_file())


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    """A CLONE_HOME with host clone notes:1 whose store holds a few files, one big."""
    data = tmp_path / "notes-data"
    data.mkdir()
    home = tmp_path / "home"
    files = {"data/0/login": "alice\n", "data/0/cache/big": "x" * BIG, "data/0/empty": ""}
    store = host_clone_holding(home, "notes:1", [data], files)
    assert _files_bytes(store) > BIG
    return home


def test_export_and_import_advance_to_the_total(tmp_path: Path, notes: Path) -> None:
    archive = tmp_path / "n.clone"
    store_bytes = _files_bytes(notes / "store" / "host" / "notes" / "1")

    exporting = Recorder()
    with Space(notes) as space:
        exported = space.export_clone("notes:1", archive, progress=exporting)
    assert exporting.opened == [("exporting notes:1", store_bytes)]
    assert sum(exporting.advanced) == store_bytes == exported.bytes
    assert max(exporting.advanced) < BIG  # the big file went out in chunks, each reported

    importing = Recorder()
    with Space(tmp_path / "two") as space:
        imported = space.import_clone(archive, as_name="memo:2", progress=importing)
    assert importing.opened == [("importing memo:2", store_bytes)]
    assert sum(importing.advanced) == store_bytes == imported.bytes
    assert len(importing.advanced) > 2  # the big file came in chunks, each reported
    assert _files_bytes(tmp_path / "two" / "store" / "host" / "memo" / "2") == store_bytes


@pytest.mark.parametrize("name", ["notes:0", "notes:9", "no such clone"])
def test_a_bad_name_opens_no_progress(tmp_path: Path, notes: Path, name: str) -> None:
    recorder = Recorder()
    with Space(notes) as space, pytest.raises(BadInput):
        space.export_clone(name, tmp_path / "x.clone", progress=recorder)
    assert recorder.opened == []
    assert not (tmp_path / "x.clone").exists()


def test_an_existing_archive_opens_no_progress(tmp_path: Path, notes: Path) -> None:
    taken = tmp_path / "x.clone"
    taken.write_bytes(b"kept")
    recorder = Recorder()
    with Space(notes) as space, pytest.raises(BadInput, match="exists"):
        space.export_clone("notes:1", taken, progress=recorder)
    assert recorder.opened == []
    assert taken.read_bytes() == b"kept"


def test_an_unexportable_store_opens_no_progress(tmp_path: Path, notes: Path) -> None:
    (notes / "store" / "host" / "notes" / "1" / "data" / "0" / "link").symlink_to("/etc/passwd")
    recorder = Recorder()
    with Space(notes) as space, pytest.raises(OperationFailed, match="symbolic link"):
        space.export_clone("notes:1", tmp_path / "x.clone", progress=recorder)
    assert recorder.opened == []


def test_a_bad_archive_opens_no_progress(tmp_path: Path) -> None:
    bad = tmp_path / "bad.clone"
    bad.write_bytes(b"not a gzip file")
    recorder = Recorder()
    with Space(tmp_path / "home") as space, pytest.raises(BadInput, match="not a clonespace"):
        space.import_clone(bad, progress=recorder)
    assert recorder.opened == []


def test_no_bar_when_stderr_is_not_a_terminal(tmp_path: Path, notes: Path) -> None:
    archive = tmp_path / "n.clone"
    exported = ok(clone_in(notes, "export", "notes:1", archive))
    assert exported.stderr == ""
    assert exported.stdout == f"exported notes:1 to {archive} (host, 3 files, {BIG + 6} bytes)\n"

    imported = ok(clone_in(tmp_path / "two", "import", archive))
    assert imported.stderr == ""
    assert imported.stdout == f"imported notes:1 from {archive} (host, 3 files, {BIG + 6} bytes)\n"


def _on_a_terminal(home: Path, *args: str | Path) -> tuple[int, str, str]:
    """The console script with stderr on a pty: exit code, stdout, what the pty showed."""
    master, slave = pty.openpty()
    with subprocess.Popen(
        [CLONE, *map(str, args)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
        env={**os.environ, "CLONE_HOME": str(home)},
    ) as proc:
        os.close(slave)
        shown = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError as e:  # EIO: the child closed the pty
                if e.errno != errno.EIO:
                    raise
                break
            if not chunk:
                break
            shown += chunk
        os.close(master)
        assert proc.stdout is not None
        out = proc.stdout.read().decode()
    return proc.returncode, out, shown.decode()


def test_a_bar_on_a_terminal(tmp_path: Path, notes: Path) -> None:
    archive = tmp_path / "n.clone"
    code, out, shown = _on_a_terminal(notes, "export", "notes:1", archive)
    assert code == 0, shown
    assert out == f"exported notes:1 to {archive} (host, 3 files, {BIG + 6} bytes)\n"
    assert "exporting notes:1" in shown and "100%" in shown

    code, out, shown = _on_a_terminal(tmp_path / "two", "import", archive)
    assert code == 0, shown
    assert out == f"imported notes:1 from {archive} (host, 3 files, {BIG + 6} bytes)\n"
    assert "importing notes:1" in shown and "100%" in shown
