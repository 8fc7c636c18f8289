"""Longest-prefix rewriting, deny with allow exceptions, and the reverse mapping."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vfs_redirect.layouts import android_virtual_layout
from vfs_redirect.paths import canonicalise, keep_directory
from vfs_redirect.rules import make_deny, make_policy, make_redirect
from vfs_redirect.table import Action, RedirectTable

HOME = "/ch"
ONE = "/ch/store/host/notes/1"
TWO = "/ch/store/host/notes/2"

TABLE = RedirectTable(
    make_policy(
        "notes:1",
        "linux",
        [
            make_redirect("/home/u/notes", f"{ONE}/data/0"),
            make_redirect("/home/u/notes/cache", f"{ONE}/data/1"),
            make_redirect("/data/app", "/r/app"),
            make_redirect("/etc/machine-id", f"{ONE}/machine-id"),
        ],
        [make_deny(HOME, [ONE])],
    )
)

CASES = [
    # (path as given, cwd, action, real)
    ("/home/u/notes", "/", Action.REDIRECT, f"{ONE}/data/0"),
    ("/home/u/notes/login", "/", Action.REDIRECT, f"{ONE}/data/0/login"),
    ("/home/u/notes/", "/", Action.REDIRECT, f"{ONE}/data/0"),
    ("/home/u/notes//./dir//./file", "/", Action.REDIRECT, f"{ONE}/data/0/dir/file"),
    ("/home/u/notes/cache/x", "/", Action.REDIRECT, f"{ONE}/data/1/x"),
    ("/home/u/notes/cachex", "/", Action.REDIRECT, f"{ONE}/data/0/cachex"),
    ("/home/u/notesx/login", "/", Action.PASS, "/home/u/notesx/login"),
    ("/home/u/note", "/", Action.PASS, "/home/u/note"),
    ("/home/u/x/../notes/a", "/", Action.REDIRECT, f"{ONE}/data/0/a"),
    ("/proc/self/root/home/u/notes/a", "/", Action.REDIRECT, f"{ONE}/data/0/a"),
    ("login", "/home/u/notes", Action.REDIRECT, f"{ONE}/data/0/login"),
    ("../notes/login", "/home/u/notes", Action.REDIRECT, f"{ONE}/data/0/login"),
    ("./sub/../login", "/home/u/notes", Action.REDIRECT, f"{ONE}/data/0/login"),
    ("/data/app/base.apk", "/", Action.REDIRECT, "/r/app/base.apk"),
    ("/data/apple", "/", Action.PASS, "/data/apple"),
    ("/etc/machine-id", "/", Action.REDIRECT, f"{ONE}/machine-id"),
    ("/etc/machine-idx", "/", Action.PASS, "/etc/machine-idx"),
    # escapes towards another clone's store or CLONE_HOME: denied however spelled
    (f"{TWO}/data/0/login", "/", Action.DENY, f"{TWO}/data/0/login"),
    ("/ch//store/host/notes/2/data/0/login", "/", Action.DENY, f"{TWO}/data/0/login"),
    (f"{ONE}/../2/data/0/login", "/", Action.DENY, f"{TWO}/data/0/login"),
    (f"/proc/self/root{TWO}/data/0", "/", Action.DENY, f"{TWO}/data/0"),
    (f"/proc/4242/root{TWO}", "/", Action.DENY, TWO),
    ("../../../../ch/store/host/notes/2", "/home/u/notes", Action.DENY, TWO),
    ("../2/data/0/login", ONE, Action.DENY, f"{TWO}/data/0/login"),
    ("/home/u/notes/../../../../ch/registry.sqlite", "/", Action.DENY, "/ch/registry.sqlite"),
    ("/ch", "/", Action.DENY, "/ch"),
    ("/ch/keys/signing.pem", "/", Action.DENY, "/ch/keys/signing.pem"),
    (f"{ONE}0/x", "/", Action.DENY, f"{ONE}0/x"),
    # the clone's own store is reachable by its real name too
    (f"{ONE}/data/0/login", "/", Action.PASS, f"{ONE}/data/0/login"),
    ("/chx/file", "/", Action.PASS, "/chx/file"),
]


@pytest.mark.parametrize(("path", "cwd", "action", "real"), CASES)
def test_resolve(path: str, cwd: str, action: Action, real: str) -> None:
    result = TABLE.resolve(path, cwd)
    assert (result.action, result.real) == (action, real)


@pytest.mark.parametrize(
    ("path", "cwd", "action", "handed"),
    [
        # the text handed over keeps the "/" or "/." the path ended in (decisions do not)
        ("/home/u/notes/login/", "/", Action.REDIRECT, f"{ONE}/data/0/login/"),
        ("/home/u/notes/login/.", "/", Action.REDIRECT, f"{ONE}/data/0/login/."),
        ("/home/u/notes/dir/sub/../", "/", Action.REDIRECT, f"{ONE}/data/0/dir/."),
        ("/home/u/notes/", "/", Action.REDIRECT, f"{ONE}/data/0/"),
        ("/home/u/notes/cache/..", "/", Action.REDIRECT, f"{ONE}/data/0/."),
        (".", "/home/u/notes", Action.REDIRECT, f"{ONE}/data/0/."),
        ("login/", "/home/u/notes", Action.REDIRECT, f"{ONE}/data/0/login/"),
        ("x/.", "/tmp", Action.PASS, "/tmp/x/."),
        ("..", "/tmp", Action.PASS, "/."),
        ("/", "/", Action.PASS, "/"),
        ("/home/u/notes/login", "/", Action.REDIRECT, f"{ONE}/data/0/login"),
        (f"{TWO}/data/0/", "/", Action.DENY, f"{TWO}/data/0/"),
    ],
)
def test_handed(path: str, cwd: str, action: Action, handed: str) -> None:
    result = TABLE.resolve(path, cwd)
    assert (result.action, result.handed) == (action, handed)


_part = st.sampled_from(["home", "u", "notes", "cache", "ch", "store", "x", ".", "..", ""])
_tail = st.sampled_from(["", "/", "/.", "/..", "//", "/./", "/../"])


@given(st.lists(_part, max_size=7), _tail, st.sampled_from(["/", "/home/u/notes", ONE]))
def test_the_end_of_a_path_changes_no_decision(parts: list[str], tail: str, cwd: str) -> None:
    """The same decision as for the canonical path; only the handed text differs."""
    path = "/".join(parts) + tail or "."
    result = TABLE.resolve(path, cwd)
    plain = TABLE.resolve(result.virtual)
    assert (result.action, result.rule, result.real) == (plain.action, plain.rule, plain.real)
    assert canonicalise(result.handed) == result.real
    assert result.handed == keep_directory(result.real, path)


@pytest.mark.parametrize(
    ("real", "virtual"),
    [
        (f"{ONE}/data/0", "/home/u/notes"),
        (f"{ONE}/data/0/dir/f", "/home/u/notes/dir/f"),
        (f"{ONE}/data/1/x", "/home/u/notes/cache/x"),
        (f"{ONE}/data/10/x", f"{ONE}/data/10/x"),
        (f"{ONE}/machine-id", "/etc/machine-id"),
        ("/r/app", "/data/app"),
        ("/usr/bin", "/usr/bin"),
        (f"{ONE}//data/./0/", "/home/u/notes"),
    ],
)
def test_to_virtual(real: str, virtual: str) -> None:
    assert TABLE.to_virtual(real) == virtual


@pytest.mark.parametrize(("path", "cwd"), [(c[0], c[1]) for c in CASES if c[2] is Action.REDIRECT])
def test_forward_then_back_is_the_canonical_virtual(path: str, cwd: str) -> None:
    result = TABLE.resolve(path, cwd)
    assert TABLE.to_virtual(result.real) == result.virtual


def test_deny_without_allow_blocks_everything_below() -> None:
    table = RedirectTable(make_policy("a:1", "linux", [], [make_deny("/secret")]))
    assert table.resolve("/secret/x").action is Action.DENY
    assert table.resolve("/secretive").action is Action.PASS


@pytest.mark.parametrize(
    ("target", "link", "cwd", "allowed"),
    [
        ("a/b/c", "/home/u/notes/s", "/", True),
        ("/usr/lib", "/home/u/notes/lib", "/", True),
        ("/home/u/notes/x", "/home/u/notes/s", "/", True),
        (f"{TWO}/data/0", "/home/u/notes/s", "/", False),
        ("../../../../ch/store/host/notes/2", "/home/u/notes/s", "/", False),
        # seen from the real side: …/notes/1/data/0/s -> ../../../2 is clone 2's store
        ("../../../2/data/0", "/home/u/notes/s", "/", False),
        ("/proc/self/cwd/../../../2/data/0", "/home/u/notes/s", "/", False),
        ("/dev/fd/3/../../../2/data/0", "/home/u/notes/s", "/", False),
        ("/proc/self/cwd", "/home/u/notes/s", "/", False),
        ("x", f"{TWO}/data/0/planted", "/", False),
        ("x", "s", "/home/u/notes", True),
    ],
)
def test_symlink_target_allowed(target: str, link: str, cwd: str, allowed: bool) -> None:
    assert TABLE.symlink_target_allowed(target, link, cwd) is allowed


# -- rewriting is idempotent (the virtual backend's roots lie under their virtual prefixes) --

VIRTUAL = android_virtual_layout("com.example.app", 1)
VIRTUAL_TABLE = RedirectTable(
    make_policy("com.example.app:1", "android", VIRTUAL.redirects, VIRTUAL.deny)
)
APP_DIRS = [
    "/data/data/com.example.app",
    "/data/user/0/com.example.app",
    "/data/user_de/0/com.example.app",
    "/sdcard/Android/data/com.example.app",
    "/storage/emulated/0/Android/obb/com.example.app",
]


@given(
    st.sampled_from(APP_DIRS),
    st.lists(st.sampled_from(["a", "clonespace", "1", "data", "lib"]), max_size=5),
)
def test_resolving_what_was_resolved_changes_nothing(base: str, names: list[str]) -> None:
    first = VIRTUAL_TABLE.resolve("/".join([base, *names]))
    again = VIRTUAL_TABLE.resolve(first.real)
    assert (again.action, again.real) == (
        first.action if first.action is Action.DENY else again.action,
        first.real,
    )


def test_the_real_root_of_a_virtual_clone_is_left_as_it_is() -> None:
    root = "/data/user/0/com.example.app/clonespace/1/data"
    done = VIRTUAL_TABLE.resolve(f"{root}/files/a")
    assert (done.action, done.real) == (Action.PASS, f"{root}/files/a")
    # the app's own spelling is still rewritten, into its root
    done = VIRTUAL_TABLE.resolve("/data/data/com.example.app/clonespace/1/data/x")
    assert done.real == f"{root}/clonespace/1/data/x"
