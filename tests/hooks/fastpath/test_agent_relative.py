"""The escape the native harness found, in a real program under the real agent.

With the cwd (or a dirfd) in the redirected data directory, the kernel's directory is the
clone's store. ``../../2/data/secret.txt`` was judged against the virtual directory (where
it names a harmless, missing file) but handed to the kernel as given, which took it from the
store into clone 2's. The fast path now hands the kernel the path it judged.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hooks.agent_fixtures import Layout, make_layout, run_captured

CLIMB = "../../2/data/secret.txt"  # from clone 1's store (…/ch/store/1/data) into clone 2's


@pytest.mark.parametrize("enter", ["chdir", "dirfd"])
def test_a_relative_climb_out_of_the_store_is_not_taken_from_the_real_directory(
    fsops: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str], enter: str
) -> None:
    layout: Layout = make_layout(tmp_path)
    assert (layout.store / CLIMB).resolve() == layout.other / "secret.txt"  # without hooks
    ops: list[str | Path] = [enter, layout.data, ":", "read", CLIMB]
    ops += [":", "write", "../../2/data/planted", "x"]
    ran = run_captured([fsops, *ops], layout.policy(), capfd)
    assert ran.results[0] == ("OK", enter, "")
    # judged (and done) where the program thinks it is: <data>/../../2/data does not exist
    assert ran.results[1:] == [("ERR", "read", "ENOENT"), ("ERR", "write", "ENOENT")]
    assert "clone 2's login" not in ran.stdout
    assert sorted(p.name for p in layout.other.iterdir()) == ["secret.txt"]
