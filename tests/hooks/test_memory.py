"""hooks.memory: a file's read-only, never-written pages are unmapped and come back intact
from the file; written pages are left alone; Frida keeps working after its core library's
pages are released, and a run releases them."""

from __future__ import annotations

import mmap
from pathlib import Path

import pytest

from hooks import memory, runner
from hooks.agent_bundle import load_agent
from hooks.rpc import AgentRpc
from tests.hooks.agent_fixtures import INERT_POLICY, Layout, sleeping_process

_PAGES = 64


def _file(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(bytes(range(256)) * (_PAGES * mmap.PAGESIZE // 256))
    return path


def _rss_kb(path: Path) -> int:
    return sum(m.rss_kb for m in memory.mappings(path.name))


def test_read_only_pages_are_released_and_read_again_from_the_file(tmp_path: Path) -> None:
    path = _file(tmp_path, "read-once.bin")
    with path.open("rb") as f:
        view = mmap.mmap(f.fileno(), 0, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ)
    try:
        before = bytes(view)  # every page read: mapped
        (found,) = memory.mappings(path.name)
        assert found.perms == "r--p" and memory.read_once(found)
        assert found.end - found.start == _PAGES * mmap.PAGESIZE
        assert _rss_kb(path) == _PAGES * mmap.PAGESIZE // 1024
        assert memory.release_read_once_pages(path.name) == _PAGES * mmap.PAGESIZE // 1024
        assert _rss_kb(path) == 0
        assert bytes(view) == before == path.read_bytes()
    finally:
        view.close()


def test_written_and_writable_pages_are_left_alone(tmp_path: Path) -> None:
    path = _file(tmp_path, "written.bin")
    with path.open("r+b") as f:
        view = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)  # private, writable
    try:
        view[:5] = b"local"  # this process's copy only: the file keeps its bytes
        (found,) = memory.mappings(path.name)
        assert found.perms == "rw-p" and found.anonymous_kb > 0
        assert not memory.read_once(found)
        assert memory.release_read_once_pages(path.name) == 0
        assert view[:5] == b"local" and path.read_bytes()[:5] != b"local"
    finally:
        view.close()


@pytest.mark.parametrize(
    ("perms", "anonymous_kb", "expected"),
    [
        ("r-xp", 0, True),
        ("r--p", 0, True),
        ("r--p", 4, False),  # relocated once (RELRO), then made read-only: ours alone
        ("rw-p", 0, False),
        ("r--s", 0, False),  # shared: what a write there did is in the file, but keep off
    ],
)
def test_only_private_unwritten_read_only_mappings_are_read_once(
    perms: str, anonymous_kb: int, expected: bool
) -> None:
    mapping = memory.Mapping(0x1000, 0x2000, perms, "/lib/x.so", 4, anonymous_kb)
    assert memory.read_once(mapping) is expected


def test_a_missing_process_or_file_has_no_mappings() -> None:
    assert memory.mappings(memory.FRIDA_CORE, pid=2**22 + 1) == []
    assert memory.mappings("no-such-library.so") == []
    assert memory.release_read_once_pages("no-such-library.so") == 0


def test_frida_instruments_processes_after_its_core_pages_are_released() -> None:
    with sleeping_process() as (_, session):
        load_agent(session).unload()  # the embedded agent has been written out and read
        core = memory.mappings(memory.FRIDA_CORE)
        assert core and any(memory.read_once(m) for m in core)
        assert any(not memory.read_once(m) for m in core)  # its relocated data is kept
        assert memory.release_read_once_pages() > 0
        assert sum(m.rss_kb for m in memory.mappings(memory.FRIDA_CORE) if memory.read_once(m)) < (
            sum(m.rss_kb for m in core if memory.read_once(m))
        )
    with sleeping_process() as (pid, session):
        rpc = AgentRpc(load_agent(session))
        rpc.init(INERT_POLICY)
        assert rpc.policy() is not None and rpc.stats()["pid"] == pid


def test_a_run_releases_fridas_read_once_pages(
    layout: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    released: list[int] = []
    release = memory.release_read_once_pages
    monkeypatch.setattr(memory, "release_read_once_pages", lambda: released.append(release()))
    assert runner.run(["/bin/sh", "-c", "/bin/true; exit 3"], layout.policy()) == 3
    assert len(released) == 1 and released[0] > 0
