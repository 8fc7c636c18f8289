"""A path the hooks already rewrote comes back to them: bionic's ``opendir`` and ``fopen``
call the exported, hooked ``open`` with it (``opendir`` here has that very original, see
harness.c). The virtual backend's real roots lie under their own virtual prefixes, so a
second rewrite nested the clone's root inside itself (``…/clonespace/1/data/clonespace/1/
data/…``). The C must rewrite once, through both calls, as the reference does.
"""

from __future__ import annotations

import pytest

from tests.hooks.fastpath.harness import Case, Harness
from vfs_redirect.layouts import android_virtual_layout
from vfs_redirect.rules import make_policy

APP = "com.example.app"
ROOT = f"/data/user/0/{APP}/clonespace/1/data"
EXT = f"/storage/emulated/0/Android/data/{APP}/clonespace/1"
LAYOUT = android_virtual_layout(APP, 1)
POLICY = make_policy(f"{APP}:1", "android", LAYOUT.redirects, LAYOUT.deny)

REWRITTEN = [
    # (path as the app gives it, the real path the kernel must get)
    (f"/data/data/{APP}/files/notes.txt", f"{ROOT}/files/notes.txt"),
    (f"/data/user/0/{APP}/shared_prefs", f"{ROOT}/shared_prefs"),
    (f"/sdcard/Android/data/{APP}/cache/a", f"{EXT}/cache/a"),
    (f"/data/data/{APP}/clonespace/2", f"{ROOT}/clonespace/2"),  # inside its own root
]


@pytest.mark.parametrize("op", ["open", "opendir"])
@pytest.mark.parametrize(("path", "real"), REWRITTEN)
def test_a_rewritten_path_is_not_rewritten_again(
    harness: Harness, op: str, path: str, real: str
) -> None:
    [got] = harness.run(POLICY, [Case(op, "/", path)])
    assert (got.kind, got.value) == ("path", real), got.raw


@pytest.mark.parametrize("op", ["open", "opendir"])
@pytest.mark.parametrize("path", [f"{ROOT}/files/notes.txt", ROOT, f"{EXT}/cache/a"])
def test_a_path_under_the_clones_real_root_is_that_file(
    harness: Harness, op: str, path: str
) -> None:
    """What /proc/self/fd/N, an nftw callback or a libc original hands back: left as it is."""
    [got] = harness.run(POLICY, [Case(op, "/", path)])
    assert got.kind == "same", got.raw


@pytest.mark.parametrize("op", ["open", "opendir"])
def test_a_relative_path_in_the_data_directory_is_rewritten_once(harness: Harness, op: str) -> None:
    [got] = harness.run(POLICY, [Case(op, f"{ROOT}/files", "notes.txt")])
    assert (got.kind, got.value) == ("path", f"{ROOT}/files/notes.txt"), got.raw


@pytest.mark.parametrize("op", ["open", "opendir"])
def test_a_siblings_real_root_is_not_a_fixed_point(harness: Harness, op: str) -> None:
    """Only the clone's own real roots are left as they are: clone 2's root, spelt out, still
    lands inside clone 1's own."""
    sibling = f"/data/user/0/{APP}/clonespace/2/data/files/notes.txt"
    [got] = harness.run(POLICY, [Case(op, "/", sibling)])
    assert (got.kind, got.value) == ("path", f"{ROOT}/clonespace/2/data/files/notes.txt"), got.raw
