"""A path whose text says "this must be a directory" keeps saying it after the rewrite.

``file/``, ``file/.``, ``dir/sub/..``, ``.``: the kernel insists that what the last component
names (or what ``.``/``..`` step out of) is a directory, so ``open("file/")`` and
``stat("file/.")`` fail with ENOTDIR. The hooks canonicalise the path before handing it
over; a trailing ``/`` was put back, but ``/.`` and ``/..`` were not (``<store>/file``):
under the hooks ``stat("file/.")`` succeeded. The fast path now hands the kernel ``<real>/``
for a trailing slash and ``<real>/.`` for a last component ``.`` or ``..`` (which also keeps
``mkdir("new/.")``, ``rmdir("dir/.")`` and ``rename("dir/.", …)`` failing as they do without
hooks, instead of creating, removing or moving ``dir``).

Each test runs the same fsops operations twice on identical trees: without hooks on a plain
copy, and under the agent on a path that is redirected into the clone's store (or, for
relative paths, on a directory no rule concerns: a relative path that passes is handed over
as the absolute path that was judged). Results and the trees afterwards must be the same.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.hooks.agent_fixtures import Layout, run_captured
from tests.hooks.programs import fsops_results

# reading and inspecting: (op, path relative to the directory under test, ...)
PROBES: list[tuple[str, ...]] = [
    *[("read", p) for p in ("file/", "file/.", "file//", "file/./", "dir/.", "dir/sub/..")],
    *[("stat", p) for p in ("file/", "file/.", "file/./", "dir/", "dir/.", "dir/sub/..")],
    *[("stat", p) for p in ("lfile/", "lfile/.", "ldir/", "ldir/.", ".", "..", "./", "../")],
    *[("lstat", p) for p in ("file/", "file/.", "lfile/", "ldir/", "ldir/.", "ldir")],
    *[("readlink", p) for p in ("lfile", "lfile/", "ldir/", "ldir/.", "ldir")],
    *[("access", p) for p in ("file/", "file/.", "dir/.")],
    *[("list", p) for p in ("file/", "file/.", "dir/.", "dir/sub/..")],
    ("realpath", "file/."),
    ("realpath", "dir/sub/.."),
    ("chmod", "file/."),
]
# changing the tree, in this order
CHANGES: list[tuple[str, ...]] = [
    ("mkdir", "new/"),  # the kernel takes a trailing slash on a directory
    ("stat", "new/."),
    ("rmdir", "new/"),
    ("mkdir", "new/."),  # ENOENT: "." in a directory that does not exist
    ("mkdir", "dir/."),  # EEXIST
    ("rmdir", "dir/."),  # EINVAL, and dir stays
    ("rmdir", "dir/sub/./"),
    ("rename", "dir/", "moved/"),
    ("rename", "moved/.", "gone"),  # EBUSY, and moved stays
    ("rename", "moved/", "dir/"),
    ("rename", "file/", "file2"),  # ENOTDIR
    ("rename", "file", "file2/"),  # ENOTDIR
    ("write", "nf/", "x"),  # EISDIR
    ("write", "nf/.", "x"),  # ENOENT
    ("write", "file/.", "x"),  # ENOTDIR
    ("write", "dir/.", "x"),  # EISDIR
    ("unlink", "file/"),
    ("unlink", "file/."),
    ("unlink", "dir/."),
    ("symlink", "file", "ln/"),
    ("link", "file", "ln/"),
    ("link", "file", "dir/."),
    ("chdir", "file/."),
    ("chdir", "dir/sub/.."),
    ("stat", "."),
]


def _populate(d: Path) -> None:
    d.mkdir(parents=True, exist_ok=True)
    (d / "file").write_text("f\n")
    (d / "dir" / "sub").mkdir(parents=True)
    (d / "dir" / "sub" / "keep").write_text("k\n")
    (d / "lfile").symlink_to("file")
    (d / "ldir").symlink_to("dir")


def _snapshot(d: Path) -> list[tuple[str, str]]:
    """The tree below ``d``: (relative path, what it is)."""
    out = []
    for p in sorted(d.rglob("*")):
        rel = str(p.relative_to(d))
        if p.is_symlink():
            out.append((rel, f"-> {os.readlink(p)}"))
        elif p.is_dir():
            out.append((rel, "dir"))
        else:
            out.append((rel, f"file {p.read_text()!r}"))
    return out


def _argv(base: Path, spelling: str, ops: Sequence[tuple[str, ...]]) -> list[str]:
    """fsops arguments for ``ops`` on ``base``: absolute paths, or relative after a chdir or
    with a dirfd on it. (Link targets, the first argument of symlink, stay as written.)"""
    argv: list[str] = []
    if spelling != "absolute":
        argv += ["chdir" if spelling == "chdir" else "dirfd", str(base), ":"]
    for op, *args in ops:
        if spelling == "absolute":
            first = 1 if op == "symlink" else 0
            args = [a if i < first else f"{base}/{a}" for i, a in enumerate(args)]
        argv += [op, *args, ":"]
    return argv[:-1]


def _normalised(results: list[tuple[str, str, str]], base: Path) -> list[tuple[str, str, str]]:
    """Results with the directory under test spelled ``{base}`` and without the sizes stat
    reports (a directory's depends on the file system's bookkeeping)."""
    out = []
    for status, op, value in results:
        if op in ("stat", "lstat") and status == "OK":
            value = ""
        out.append((status, op, value.replace(str(base), "{base}")))
    return out


def _compare(
    fsops: Path,
    layout: Layout,
    capfd: pytest.CaptureFixture[str],
    where: str,
    spelling: str,
    ops: Sequence[tuple[str, ...]],
) -> list[tuple[str, str, str]]:
    """Runs ``ops`` without hooks on a plain tree and under the agent on the one ``where``
    says; asserts that both gave the same results and left the same tree; returns them."""
    plain = layout.root / "plain"
    _populate(plain)
    # both start in root (where the calls that take no dirfd, realpath and chdir, look then)
    argv: list[str | Path] = [fsops, *_argv(plain, spelling, ops)]
    ran = subprocess.run(argv, capture_output=True, text=True, cwd=layout.root, check=False)
    want = _normalised(fsops_results(ran.stdout), plain)
    if where == "redirected":
        hooked, tree = layout.data, layout.store  # the program names data, the store is used
    else:
        hooked = tree = layout.root / "elsewhere"  # no rule concerns it: the paths pass
    _populate(tree)
    argv = [fsops, *_argv(hooked, spelling, ops)]
    got = run_captured(argv, layout.policy(), capfd, cwd=layout.root).results
    assert _normalised(got, hooked) == want
    assert _snapshot(tree) == _snapshot(plain)
    assert sorted(p.name for p in layout.data.iterdir()) == ["original.txt"]
    return want


WHERE = [
    ("redirected", "absolute"),
    ("redirected", "chdir"),
    ("redirected", "dirfd"),
    ("passed", "chdir"),
    ("passed", "dirfd"),
]


@pytest.mark.parametrize(("where", "spelling"), WHERE)
def test_a_path_that_must_name_a_directory_fails_as_without_hooks(
    fsops: Path,
    layout: Layout,
    capfd: pytest.CaptureFixture[str],
    where: str,
    spelling: str,
) -> None:
    want = _compare(fsops, layout, capfd, where, spelling, PROBES)
    skip = 0 if spelling == "absolute" else 1  # the chdir or dirfd
    assert want[skip : skip + 4] == [("ERR", "read", "ENOTDIR")] * 4  # the kernel's answer
    assert want[skip + 6 : skip + 9] == [("ERR", "stat", "ENOTDIR")] * 3


@pytest.mark.parametrize(("where", "spelling"), WHERE)
def test_directory_operations_with_trailing_slashes_and_dots_do_as_without_hooks(
    fsops: Path,
    layout: Layout,
    capfd: pytest.CaptureFixture[str],
    where: str,
    spelling: str,
) -> None:
    want = _compare(fsops, layout, capfd, where, spelling, CHANGES)
    done = {(op, status) for status, op, _ in want}
    assert {("mkdir", "OK"), ("rmdir", "OK"), ("rename", "OK")} <= done
    assert ("ERR", "rmdir", "EINVAL") in want  # rmdir("dir/.") removes nothing


def test_rmdir_of_dotdot_still_fails(
    fsops: Path, layout: Layout, capfd: pytest.CaptureFixture[str]
) -> None:
    """``rmdir("dir/sub/..")`` fails with ENOTEMPTY in the kernel. Handed over as
    ``<store>/dir/.`` it fails with EINVAL: another errno, but dir stays (``<store>/dir/``
    would have removed an empty dir)."""
    _populate(layout.store)
    (layout.store / "dir" / "sub" / "keep").unlink()
    ran = run_captured([fsops, "rmdir", layout.data / "dir/sub/.."], layout.policy(), capfd)
    assert ran.results == [("ERR", "rmdir", "EINVAL")]
    assert (layout.store / "dir" / "sub").is_dir()


def test_a_symlink_text_rewritten_into_the_store_keeps_its_trailing_slash(
    fsops: Path, layout: Layout, capfd: pytest.CaptureFixture[str]
) -> None:
    """The text of a new symlink is handed to the kernel too (and read again on every
    follow): ``{data}/file/`` rewritten to ``<store>/file`` made a link to a file work."""
    _populate(layout.store)
    target, link = f"{layout.data}/file/", layout.data / "ln"
    ops: list[str | Path] = ["symlink", target, link, ":", "readlink", link]
    ops += [":", "stat", link, ":", "read", link]
    ran = run_captured([fsops, *ops], layout.policy(), capfd)
    assert ran.results == [
        ("OK", "symlink", ""),
        ("OK", "readlink", target),  # mapped back: the program reads what it wrote
        ("ERR", "stat", "ENOTDIR"),
        ("ERR", "read", "ENOTDIR"),
    ]
    assert os.readlink(layout.store / "ln") == f"{layout.store}/file/"
