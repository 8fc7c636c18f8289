"""The pytest plugin's ``clone_space`` leaves nothing behind: no clone, no store, no shared
supervisor."""

from __future__ import annotations

from pathlib import Path

import pytest

from clone.handle import Clone
from clone.pytest_plugin import remove_all
from clone.registry import Backend, CloneRecord
from clone.space import Space
from hooks.supervisor.reach import running
from tests.hooks.supervisor.supervisors import kill_supervisors


def _host(space: Space, n: int) -> Path:
    space.registry.add(CloneRecord("notes", n, Backend.HOST, source_package="notes"))
    store = space.home.store_dir / "host" / "notes" / str(n)
    (store / "data" / "0").mkdir(parents=True)
    (store / "data" / "0" / "login").write_text("alice\n")
    return store


def test_remove_all_forgets_clones_and_deletes_stores(tmp_path: Path) -> None:
    space = Space(home=tmp_path / "home")
    stores = [_host(space, n) for n in (1, 2)]
    remove_all(space)
    assert space.records() == []
    assert not any(store.exists() for store in stores)


def test_remove_all_reports_what_it_could_not_remove(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    space = Space(home=tmp_path / "home")
    for n in (1, 2):
        _host(space, n)
    real_remove = Clone.remove

    def remove(self: Clone) -> None:
        if self.name == "notes:1":
            raise OSError("device gone")
        real_remove(self)

    monkeypatch.setattr(Clone, "remove", remove)
    with pytest.raises(RuntimeError, match=r"notes:1: device gone"):
        remove_all(space)
    assert [r.name for r in space.records()] == ["notes:1"]  # the other one went all the same


pytest_plugins = ["pytester"]

_INNER = """
def test_a_host_run(clone_space, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    notes = clone_space.host_clone("notes", 1, data=[str(data)])
    assert notes.run(["true"]).returncode == 0
    assert [s.state for s in clone_space.supervisors()] == ["idle"]
    (tmp_path.parent.parent / "home.txt").write_text(str(clone_space.home.root))
"""


def test_clone_space_leaves_no_supervisor_behind(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # runs go to their home's shared supervisor by default; one left per test for its idle
    # minute would be one per test of a QA suite at once
    monkeypatch.delenv("CLONE_SUPERVISOR", raising=False)
    monkeypatch.setenv("CLONE_SUPERVISOR_IDLE_S", "600")
    pytester.makepyfile(_INNER)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    home = Path(next(pytester.path.rglob("home.txt")).read_text())
    try:
        assert running(home) == []
    finally:
        kill_supervisors(home)
