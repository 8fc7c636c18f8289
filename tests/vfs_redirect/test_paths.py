"""Canonicalisation, component-boundary prefixes and safe joins (traversal tables)."""

from __future__ import annotations

import errno
import os
import posixpath
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vfs_redirect.paths import (
    canonicalise,
    directory_suffix,
    is_under,
    keep_directory,
    parse_absolute,
    replace_prefix,
    safe_join,
    through_magic_link,
)

CANONICAL = [
    # (path, cwd, expected)
    ("/", "/", "/"),
    ("//", "/", "/"),
    ("///etc///passwd", "/", "/etc/passwd"),
    ("/etc/", "/", "/etc"),
    ("/etc/.", "/", "/etc"),
    ("/./etc/./passwd/.", "/", "/etc/passwd"),
    ("/etc/..", "/", "/"),
    ("/..", "/", "/"),
    ("/../../..", "/", "/"),
    ("/../etc", "/", "/etc"),
    ("/a/b/../../../c", "/", "/c"),
    ("/a/b/../c/./d//", "/", "/a/c/d"),
    ("/data/data/p/../q", "/", "/data/data/q"),
    ("/home/u/dir//./file", "/", "/home/u/dir/file"),
    ("/home/u/..a/b", "/", "/home/u/..a/b"),
    ("/home/u/...", "/", "/home/u/..."),
    ("/home/u/.hidden/../x", "/", "/home/u/x"),
    ("file", "/home/u", "/home/u/file"),
    ("./file", "/home/u", "/home/u/file"),
    ("../file", "/home/u", "/home/file"),
    ("../../../../file", "/home/u", "/file"),
    ("a//b/../c/", "/x", "/x/a/c"),
    (".", "/x/y", "/x/y"),
    ("..", "/", "/"),
    ("x", "/home/u/", "/home/u/x"),
    ("x", "/home/./u/../v", "/home/v/x"),
    # /proc/<self|thread-self|pid>/root is the root itself
    ("/proc/self/root", "/", "/"),
    ("/proc/self/root/", "/", "/"),
    ("/proc/self/root/etc/passwd", "/", "/etc/passwd"),
    ("/proc/self/root/../etc", "/", "/etc"),
    ("/proc/self/root/proc/self/root/etc", "/", "/etc"),
    ("/proc/thread-self/root/etc", "/", "/etc"),
    ("/proc/1234/root/etc", "/", "/etc"),
    ("/proc/./self/root/etc", "/", "/etc"),
    ("/proc//self//root//etc", "/", "/etc"),
    ("/proc/x/../self/root/etc", "/", "/etc"),
    ("proc/self/root/etc", "/", "/etc"),
    ("self/root/etc", "/proc", "/etc"),
    ("root/etc", "/proc/self", "/etc"),
    ("/a/proc/self/root/etc", "/", "/a/proc/self/root/etc"),
    ("/proc/self/rootfs/etc", "/", "/proc/self/rootfs/etc"),
    ("/proc/self/cwd/etc", "/", "/proc/self/cwd/etc"),
    ("/proc/12a/root/etc", "/", "/proc/12a/root/etc"),
    ("/proc/self", "/", "/proc/self"),
]


@pytest.mark.parametrize(("path", "cwd", "expected"), CANONICAL)
def test_canonicalise(path: str, cwd: str, expected: str) -> None:
    assert canonicalise(path, cwd) == expected


@pytest.mark.parametrize(
    ("path", "cwd", "expected"),
    [c for c in CANONICAL if "proc" not in c[0] + c[1] and "root" not in c[0]],
)
def test_canonicalise_agrees_with_posixpath_without_symlinks(
    path: str, cwd: str, expected: str
) -> None:
    oracle = posixpath.normpath(posixpath.join(cwd, path))
    oracle = "/" + oracle.lstrip("/")  # normpath keeps a leading '//' (POSIX allows it)
    assert expected == oracle


SUFFIXES = [
    # (path, cwd, directory_suffix, keep_directory of its canonical form)
    ("/a/file", "/", "", "/a/file"),
    ("/a/file/", "/", "/", "/a/file/"),
    ("/a/file//", "/", "/", "/a/file/"),
    ("/a/file/.", "/", "/.", "/a/file/."),
    ("/a/file/./", "/", "/.", "/a/file/."),
    ("/a/file/.//", "/", "/.", "/a/file/."),
    ("/a/dir/sub/..", "/", "/.", "/a/dir/."),
    ("/a/dir/sub/../", "/", "/.", "/a/dir/."),
    ("/a/.x", "/", "", "/a/.x"),
    ("/a/..x/", "/", "/", "/a/..x/"),
    ("/a/...", "/", "", "/a/..."),
    ("/a/x.", "/", "", "/a/x."),
    ("/a/x..", "/", "", "/a/x.."),
    (".", "/c", "/.", "/c/."),
    ("..", "/c/d", "/.", "/c/."),
    ("./", "/c", "/.", "/c/."),
    ("file/", "/c", "/", "/c/file/"),
    ("x/..", "/c", "/.", "/c/."),
    # the root: "/" stays "/", "/." is "/."
    ("/", "/", "/", "/"),
    ("//", "/", "/", "/"),
    ("/.", "/", "/.", "/."),
    ("/..", "/", "/.", "/."),
    ("..", "/", "/.", "/."),
    ("/proc/self/root/", "/", "/", "/"),
    ("/proc/self/root/.", "/", "/.", "/."),
]


@pytest.mark.parametrize(("path", "cwd", "suffix", "kept"), SUFFIXES)
def test_directory_suffix(path: str, cwd: str, suffix: str, kept: str) -> None:
    assert directory_suffix(path) == suffix
    assert keep_directory(canonicalise(path, cwd), path) == kept


@pytest.mark.parametrize(("path", "cwd", "suffix", "kept"), SUFFIXES)
def test_the_kept_suffix_means_what_the_path_meant(
    tmp_path: Path, path: str, cwd: str, suffix: str, kept: str
) -> None:
    """What the kernel makes of the kept text: the same as of the path (no symlinks, ``..``
    over directories): a regular file where the path ends in ``/``, ``/.`` or ``/..`` is
    ENOTDIR, a directory is found; ``mkdir`` of a last ``.`` fails, of ``new/`` works.
    (``file/..`` is not here: the kernel's ENOTDIR there is about ``file``, which the
    lexical ``..`` drops, not about the end.)"""
    if cwd != "/" or path.startswith("/proc") or kept in ("/", "/."):
        return  # (about the paths below the temporary directory)
    base = tmp_path / "t"
    for name in ("a/file", "a/.x", "a/...", "a/x.", "a/x.."):
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_text("f")
    (base / "a/dir/sub").mkdir(parents=True)
    (base / "a/..x").mkdir()
    given, handed = f"{base}{path}", f"{base}{kept}"
    assert _outcome(os.stat, given) == _outcome(os.stat, handed)
    assert _outcome(os.mkdir, given) == _outcome(os.mkdir, handed)


def _outcome(call: Callable[[str], object], path: str) -> str:
    try:
        call(path)
    except OSError as e:
        return errno.errorcode.get(e.errno or 0, str(e))
    if call is os.mkdir:
        os.rmdir(path)
    return "ok"


@given(st.lists(st.sampled_from(["a", ".", "..", "", "x.", ".y", "..z"]), max_size=6))
def test_the_kept_text_canonicalises_back(parts: list[str]) -> None:
    path = "/" + "/".join(parts)
    canonical = canonicalise(path)
    kept = keep_directory(canonical, path)
    assert canonicalise(kept) == canonical
    assert kept == canonical or kept.removeprefix(canonical.rstrip("/")) in ("/", "/.")


@pytest.mark.parametrize(
    ("path", "cwd"), [("", "/"), ("/a\0b", "/"), ("rel", "also-rel"), ("rel", "")]
)
def test_canonicalise_refuses(path: str, cwd: str) -> None:
    with pytest.raises(ValueError, match="bad"):
        canonicalise(path, cwd)


@pytest.mark.parametrize(
    ("text", "offending"),
    [("relative/path", "relative/path"), ("", "''"), ("~/x", "~/x"), ("/a\0", "/a")],
)
def test_parse_absolute_names_the_value(text: str, offending: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_absolute(text)
    assert offending.strip("'") in str(info.value)


PREFIX = [
    ("/data/app", "/data/app", True),
    ("/data/app/x", "/data/app", True),
    ("/data/apple", "/data/app", False),
    ("/data/app-lib/x", "/data/app", False),
    ("/data", "/data/app", False),
    ("/anything", "/", True),
    ("/", "/", True),
    ("/ch/store/host/a/1", "/ch/store/host/a/1", True),
    ("/ch/store/host/a/10", "/ch/store/host/a/1", False),
    ("/ch/store/host/a/1x/f", "/ch/store/host/a/1", False),
]


@pytest.mark.parametrize(("path", "prefix", "expected"), PREFIX)
def test_is_under_only_at_component_boundaries(path: str, prefix: str, expected: bool) -> None:
    assert is_under(path, prefix) is expected


@pytest.mark.parametrize(
    ("path", "old", "new", "expected"),
    [
        ("/a/b/c", "/a/b", "/x", "/x/c"),
        ("/a/b", "/a/b", "/x/y", "/x/y"),
        ("/a/b/c", "/", "/r", "/r/a/b/c"),
        ("/a/b/c", "/a", "/", "/b/c"),
    ],
)
def test_replace_prefix(path: str, old: str, new: str, expected: str) -> None:
    assert replace_prefix(path, old, new) == expected


def test_replace_prefix_refuses_a_non_prefix() -> None:
    with pytest.raises(ValueError, match="/data/apple"):
        replace_prefix("/data/apple", "/data/app", "/x")


SAFE = [
    ("/store", "file", "/store/file"),
    ("/store", "a/b/c", "/store/a/b/c"),
    ("/store", "a/../b", "/store/b"),
    ("/store", "./a//b/", "/store/a/b"),
    ("/store", "..foo", "/store/..foo"),
    ("/store", "a/b/../../c", "/store/c"),
    ("/store/", "x", "/store/x"),
]
UNSAFE = [
    ("/store", ".."),
    ("/store", "../store2/x"),
    ("/store", "a/../../x"),
    ("/store", "a/../../store/x"),  # leaves and re-enters: refused anyway
    ("/store", "/etc/passwd"),
    ("/store", "//etc/passwd"),
    ("/store", ""),
    ("/store", "a\0b"),
    ("/proc", "self/root/etc"),  # re-rooted by the magic link
]


@pytest.mark.parametrize(("base", "relative", "expected"), SAFE)
def test_safe_join(base: str, relative: str, expected: str) -> None:
    assert safe_join(base, relative) == expected


@pytest.mark.parametrize(("base", "relative"), UNSAFE)
def test_safe_join_refuses_traversal(base: str, relative: str) -> None:
    with pytest.raises(ValueError, match="bad"):
        safe_join(base, relative)


_segment = st.sampled_from(["a", "b", ".", "..", "", "proc", "self", "root", "1", "x.y"])


@given(st.lists(_segment, max_size=12), st.lists(_segment, max_size=6))
def test_canonical_form_is_a_fixed_point(parts: list[str], cwd_parts: list[str]) -> None:
    cwd = canonicalise("/" + "/".join(cwd_parts))
    once = canonicalise("/".join(parts) or ".", cwd)
    assert canonicalise(once) == once
    assert once.startswith("/")
    assert once == "/" or not once.endswith("/")
    assert "//" not in once
    assert all(p not in (".", "..") for p in once.split("/"))


def test_canonicalise_matches_the_kernel_for_proc_self_root() -> None:
    here = os.getcwd()
    assert os.path.samefile(f"/proc/self/root{here}/..", canonicalise(f"/proc/self/root{here}/.."))


MAGIC = [
    ("/proc/self/cwd", "/", True),
    ("/proc/self/cwd/../../../x", "/", True),
    ("/proc/thread-self/fd/3/..", "/", True),
    ("/proc/123/cwd", "/", True),
    ("/proc/self/task/7/cwd", "/", True),
    ("/proc/self/exe", "/", True),
    ("/dev/fd/5/../x", "/", True),
    ("/dev/stdin", "/", True),
    ("/dev/./fd/0", "/", True),
    ("fd/4/x", "/dev", True),
    ("cwd/..", "/proc/self", True),
    ("/proc/self/root/proc/self/cwd", "/", True),
    ("/proc/self/root/x", "/", False),  # the root is "/", handled by canonicalise
    ("/proc/self/status", "/", False),
    ("/proc/cpuinfo", "/", False),
    ("/proc/self", "/", False),
    ("/dev/null", "/", False),
    ("/dev/fdx/1", "/", False),
    ("/home/u/proc/self/cwd", "/", False),
    ("../../x", "/a/b", False),
]


@pytest.mark.parametrize(("path", "cwd", "expected"), MAGIC)
def test_through_magic_link(path: str, cwd: str, expected: bool) -> None:
    assert through_magic_link(path, cwd) is expected
