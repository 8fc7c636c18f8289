"""The file hooks (CModule fast path) in a real program: fsops under hooks.runner.run.

Clone 1's data path is redirected into its store; clone 2's store is denied however spelled.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hooks.agent_fixtures import Layout, run_captured


def _fsops(
    fsops: Path, layout: Layout, capfd: pytest.CaptureFixture[str], *ops: str | Path
) -> list[tuple[str, str, str]]:
    ran = run_captured([fsops, *ops], layout.policy(), capfd)
    return ran.results


def _untouched(layout: Layout) -> None:
    assert sorted(p.name for p in layout.data.iterdir()) == ["original.txt"]
    assert (layout.other / "secret.txt").read_text() == "clone 2's login\n"


@pytest.mark.parametrize(
    "spelling",
    [
        "{data}/login.txt",
        "{data}//./login.txt",
        "{data}/../notes/login.txt",
        "/proc/self/root{data}/login.txt",
        "{data}/sub/../login.txt",
    ],
)
def test_write_lands_in_the_store(
    fsops: Path, layout: Layout, capfd: pytest.CaptureFixture[str], spelling: str
) -> None:
    (layout.store / "sub").mkdir()
    path = spelling.format(data=layout.data)
    results = _fsops(fsops, layout, capfd, "write", path, "alice", ":", "read", path)
    assert results == [("OK", "write", ""), ("OK", "read", "alice")]
    assert (layout.store / "login.txt").read_text() == "alice"
    _untouched(layout)


def test_paths_that_end_at_an_unmapped_page(
    fsops: Path, layout: Layout, capfd: pytest.CaptureFixture[str]
) -> None:
    """Short paths that share a rule's first characters, each ending at the last byte before
    an unmapped page (where argv and environ strings sit): the hooks must not read past their
    NUL (a memcmp over the rule's length once crashed ``sh`` at some temp-dir lengths)."""
    data, stores = str(layout.data), str(layout.root / "ch" / "store")
    cuts = [data[:2], data[:4], data[: len(data) // 2], data + "x", stores[:-1], stores + "/3"]
    ops = [arg for cut in cuts for arg in ("edgestat", cut, ":")]
    results = _fsops(fsops, layout, capfd, *ops, "edgestat", data)
    assert [op for _, op, _ in results] == ["edgestat"] * (len(cuts) + 1)  # none crashed
    assert results[-1] == ("OK", "edgestat", "")  # the data dir itself: the clone's store


def test_relative_paths_after_chdir(
    fsops: Path, layout: Layout, capfd: pytest.CaptureFixture[str]
) -> None:
    results = _fsops(
        fsops, layout, capfd, "chdir", layout.data, ":", "write", "rel.txt", "r", ":", "getcwd"
    )
    assert results[-1] == ("OK", "getcwd", str(layout.data))
    assert (layout.store / "rel.txt").read_text() == "r"
    _untouched(layout)


def test_openat_on_a_dirfd(fsops: Path, layout: Layout, capfd: pytest.CaptureFixture[str]) -> None:
    results = _fsops(fsops, layout, capfd, "dirfd", layout.data, ":", "write", "at.txt", "a")
    assert results[-1][0] == "OK"
    assert (layout.store / "at.txt").read_text() == "a"
    _untouched(layout)


def test_rename_stays_inside_the_store(
    fsops: Path, layout: Layout, capfd: pytest.CaptureFixture[str]
) -> None:
    a, b = layout.data / "a.txt", layout.data / "b.txt"
    results = _fsops(fsops, layout, capfd, "write", a, "x", ":", "rename", a, b)
    assert results[-1] == ("OK", "rename", "")
    assert (layout.store / "b.txt").read_text() == "x"
    assert not (layout.store / "a.txt").exists()
    _untouched(layout)


def test_paths_returned_are_virtual(
    fsops: Path, layout: Layout, capfd: pytest.CaptureFixture[str]
) -> None:
    f, link = layout.data / "f.txt", layout.data / "link"
    results = _fsops(
        fsops, layout, capfd,
        "write", f, "x", ":", "symlink", f, link, ":", "readlink", link, ":", "realpath", link,
    )  # fmt: skip
    assert results[-2:] == [("OK", "readlink", str(f)), ("OK", "realpath", str(f))]
    # on disk the link points at the real file, so it also works without the hooks
    assert (layout.store / "link").readlink() == layout.store / "f.txt"


@pytest.mark.parametrize(
    "ops",
    [
        ["read", "{other}/secret.txt"],
        ["stat", "{other}/secret.txt"],
        ["list", "{other}"],
        ["write", "{other}/secret.txt", "stolen"],
        ["read", "/proc/self/root{other}/secret.txt"],
        ["read", "{store}/../../2/data/secret.txt"],
        ["read", "{data}/../../../../../ch/store/2/data/secret.txt"],
        ["rename", "{other}/secret.txt", "{data}/got.txt"],
        ["link", "{other}/secret.txt", "{data}/got.txt"],
        ["symlink", "{other}/secret.txt", "{data}/got.txt"],
        ["symlink", "../../2/data/secret.txt", "{data}/got.txt"],
        ["chdir", "{other}"],
    ],
)
def test_other_clone_is_denied(
    fsops: Path, layout: Layout, capfd: pytest.CaptureFixture[str], ops: list[str]
) -> None:
    args = [op.format(other=layout.other, store=layout.store, data=layout.data) for op in ops]
    results = _fsops(fsops, layout, capfd, *args)
    assert results == [("ERR", ops[0], "EACCES")]
    _untouched(layout)
    assert not (layout.store / "got.txt").exists()


def test_relative_escape_after_chdir_is_denied(
    fsops: Path, layout: Layout, capfd: pytest.CaptureFixture[str]
) -> None:
    results = _fsops(
        fsops, layout, capfd, "chdir", layout.root, ":", "read", "ch/store/2/data/secret.txt"
    )
    assert results[-1] == ("ERR", "read", "EACCES")


def test_dirfd_escape_is_denied(
    fsops: Path, layout: Layout, capfd: pytest.CaptureFixture[str]
) -> None:
    results = _fsops(
        fsops, layout, capfd, "dirfd", layout.root, ":", "read", "ch/store/2/data/secret.txt"
    )
    assert results[-1] == ("ERR", "read", "EACCES")


def test_children_carry_the_policy(
    fsops: Path, layout: Layout, capfd: pytest.CaptureFixture[str]
) -> None:
    target = layout.data / "from-child.txt"
    results = _fsops(
        fsops, layout, capfd,
        "system", f"echo via-system > {target}", ":",
        "spawn", "/bin/sh", "-c", f"echo via-spawn >> {target}", ":",
        "spawn", "/bin/cat", str(layout.other / "secret.txt"),
    )  # fmt: skip
    assert results[0] == ("OK", "system", "0")
    assert results[1] == ("OK", "spawn", "0")
    assert results[2] == ("OK", "spawn", "1")  # cat was denied
    assert target.exists() is False
    assert (layout.store / "from-child.txt").read_text() == "via-system\nvia-spawn\n"


def test_exec_without_fork_is_instrumented(
    layout: Layout, capfd: pytest.CaptureFixture[str]
) -> None:
    target = layout.data / "exec.txt"
    ran = run_captured(
        ["/bin/sh", "-c", f"exec /bin/sh -c 'echo replaced > {target}'"], layout.policy(), capfd
    )
    assert ran.status == 0
    assert (layout.store / "exec.txt").read_text() == "replaced\n"
    assert not target.exists()


@pytest.mark.parametrize("how", ["rename", "link"])
def test_symlink_made_outside_cannot_be_moved_in(
    fsops: Path, layout: Layout, capfd: pytest.CaptureFixture[str], how: str
) -> None:
    # "../../2/data/…" is harmless next to home/u but leads to clone 2 from the store
    outside = layout.root / "home" / "u" / "l"
    text = "../../2/data/secret.txt"
    results = _fsops(
        fsops, layout, capfd, "symlink", text, outside, ":", how, outside, layout.data / "l"
    )
    assert results == [("OK", "symlink", ""), ("ERR", how, "EACCES")]
    assert not (layout.store / "l").is_symlink()
    _untouched(layout)
