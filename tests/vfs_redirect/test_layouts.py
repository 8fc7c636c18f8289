"""Per-backend layouts: every Android spelling is redirected; host stores stay apart."""

from __future__ import annotations

import pytest

from vfs_redirect.layouts import (
    HostStore,
    Layout,
    android_package_layout,
    android_virtual_layout,
    host_layout,
    host_store,
)
from vfs_redirect.rules import make_policy
from vfs_redirect.table import Action, RedirectTable

P = "com.example.notes"


def _table(layout_redirects: object, deny: object = ()) -> RedirectTable:
    return RedirectTable(make_policy("x:1", "android", layout_redirects, deny))  # type: ignore[arg-type]


ANDROID_SPELLINGS = [
    (f"/data/data/{P}/files/login", "ce", "files/login"),
    (f"/data/user/0/{P}/files/login", "ce", "files/login"),
    (f"/data/user_de/0/{P}/shared_prefs/a.xml", "de", "shared_prefs/a.xml"),
    (f"/sdcard/Android/data/{P}/files/x", "ext", "files/x"),
    (f"/storage/emulated/0/Android/data/{P}/files/x", "ext", "files/x"),
    (f"/storage/self/primary/Android/data/{P}/files/x", "ext", "files/x"),
    (f"/mnt/sdcard/Android/data/{P}/files/x", "ext", "files/x"),
    (f"/sdcard/Android/obb/{P}/main.obb", "obb", "main.obb"),
    (f"/storage/emulated/0/Android/obb/{P}/main.obb", "obb", "main.obb"),
    (f"/proc/self/root/data/data/{P}/f", "ce", "f"),
    (f"/data/data/x/../{P}/f", "ce", "f"),
]

PACKAGE_ROOTS = {
    "ce": f"/data/user/0/{P}.clone2",
    "de": f"/data/user_de/0/{P}.clone2",
    "ext": f"/storage/emulated/0/Android/data/{P}.clone2",
    "obb": f"/storage/emulated/0/Android/obb/{P}.clone2",
}
VIRTUAL_ROOTS = {
    "ce": f"/data/user/0/{P}/clonespace/3/data",
    "de": f"/data/user_de/0/{P}/clonespace/3/data",
    "ext": f"/storage/emulated/0/Android/data/{P}/clonespace/3",
    "obb": f"/storage/emulated/0/Android/obb/{P}/clonespace/3",
}


@pytest.mark.parametrize(("path", "kind", "rest"), ANDROID_SPELLINGS)
def test_package_layout_sends_every_spelling_to_the_clone(path: str, kind: str, rest: str) -> None:
    layout = android_package_layout(P, f"{P}.clone2")
    result = _table(layout.redirects).resolve(path)
    assert (result.action, result.real) == (Action.REDIRECT, f"{PACKAGE_ROOTS[kind]}/{rest}")


@pytest.mark.parametrize(("path", "kind", "rest"), ANDROID_SPELLINGS)
def test_virtual_layout_sends_every_spelling_to_clone_n(path: str, kind: str, rest: str) -> None:
    layout = android_virtual_layout(P, 3)
    result = _table(layout.redirects, layout.deny).resolve(path)
    assert (result.action, result.real) == (Action.REDIRECT, f"{VIRTUAL_ROOTS[kind]}/{rest}")


@pytest.mark.parametrize(
    "path",
    [
        f"/data/app/{P}-1/base.apk",
        f"/data/data/{P}x/files",
        f"/data/data/{P}.clone2/files",
        "/sdcard/DCIM/photo.jpg",
        f"/sdcard/Android/data/{P}.other/x",
        "/system/lib64/libc.so",
    ],
)
def test_android_layouts_leave_other_paths_alone(path: str) -> None:
    for layout in (android_package_layout(P, f"{P}.clone2"), android_virtual_layout(P, 3)):
        assert _table(layout.redirects, layout.deny).resolve(path).action is Action.PASS


@pytest.mark.parametrize(
    ("layout", "real_dir"),
    [
        (android_package_layout(P, f"{P}.clone2"), f"/data/user_de/0/{P}.clone2/clonespace/net"),
        (android_virtual_layout(P, 3), f"/data/user_de/0/{P}/clonespace/3/net"),
    ],
)
@pytest.mark.parametrize("ifname", ["wlan0", "eth0"])
def test_android_layouts_serve_network_addresses_from_the_clones_storage(
    layout: Layout, real_dir: str, ifname: str
) -> None:
    """The agent fills these files with the clone's MAC (identity.files): a read of the
    device's own address is one of the clone's files, never a sibling's."""
    table = _table(layout.redirects, layout.deny)
    done = table.resolve(f"/sys/class/net/{ifname}/address")
    assert (done.action, done.real) == (Action.REDIRECT, f"{real_dir}/{ifname}/address")
    assert table.resolve(done.real).action is Action.PASS  # not denied, and left as it is
    assert table.resolve("/sys/class/net/lo/address").action is Action.PASS


def test_virtual_layout_keeps_native_libraries() -> None:
    layout = android_virtual_layout(P, 3)
    result = _table(layout.redirects, layout.deny).resolve(f"/data/data/{P}/lib/libx.so")
    assert result.real == f"/data/user/0/{P}/lib/libx.so"


@pytest.mark.parametrize(
    "path",
    [
        f"/storage/emulated/0/Android/data/{P}/clonespace/2/secret",
        f"/proc/self/root/storage/emulated/0/Android/obb/{P}/clonespace/1",
        f"/data/user/0/{P}/clonespace/../clonespace/4/data/x",
    ],
)
def test_virtual_layout_denies_siblings_by_real_name(path: str) -> None:
    layout = android_virtual_layout(P, 3)
    assert _table(layout.redirects, layout.deny).resolve(path).action in (
        Action.DENY,
        Action.REDIRECT,  # via a virtual spelling: lands inside clone 3's own root
    )
    result = _table(layout.redirects, layout.deny).resolve(path)
    if result.action is Action.REDIRECT:
        assert "/clonespace/3" in result.real


def test_virtual_layout_denies_the_sibling_ce_root_by_its_real_spelling() -> None:
    layout = android_virtual_layout(P, 3)
    table = _table(layout.redirects, layout.deny)
    # /storage/emulated/0/Android/data/P is a virtual prefix itself, so the only real
    # spelling left is one no rule rewrites; deny must catch it.
    assert table.is_denied(f"/data/user/0/{P}/clonespace/2/data/f")
    assert table.is_denied(f"/storage/emulated/0/Android/obb/{P}/clonespace/1/x")
    assert not table.is_denied(f"/data/user/0/{P}/clonespace/3/data/f")


@pytest.mark.parametrize(
    ("args", "offending"),
    [
        ((P, P), P),
        (("notes", f"{P}.c"), "notes"),
        ((P, "com..x"), "com..x"),
        ((P, "com.x/../y"), "com.x/../y"),
    ],
)
def test_package_layout_refuses(args: tuple[str, str], offending: str) -> None:
    with pytest.raises(ValueError) as info:
        android_package_layout(*args)
    assert offending in str(info.value)


def test_other_android_users() -> None:
    layout = android_virtual_layout(P, 1, user=10)
    table = _table(layout.redirects, layout.deny)
    assert table.resolve(f"/data/user/10/{P}/f").real == f"/data/user/10/{P}/clonespace/1/data/f"
    assert table.resolve(f"/data/data/{P}/f").action is Action.PASS  # user 0's, not ours
    assert table.resolve(f"/sdcard/Android/data/{P}").action is Action.PASS


CH = "/ch"


def test_host_layout() -> None:
    layout = host_layout(CH, "notes", 1, ["/home/u/.notes", "/var/tmp/notes/"])
    store = "/ch/store/host/notes/1"
    assert host_store(CH, "notes", 1) == store
    assert {(r.virtual, r.real) for r in layout.redirects} == {
        ("/home/u/.notes", f"{store}/data/0"),
        ("/var/tmp/notes", f"{store}/data/1"),
        ("/etc/machine-id", f"{store}/machine-id"),
        ("/var/lib/dbus/machine-id", f"{store}/machine-id"),
    }
    assert [(d.prefix, d.allow) for d in layout.deny] == [(CH, (store,))]
    assert layout.roots == (f"{store}/data/0", f"{store}/data/1")


def test_host_layout_denies_every_spelling_of_clone_home() -> None:
    layout = host_layout(CH, "notes", 1, ["/d"], extra_home_spellings=["/real/ch", "/ch/"])
    assert [(d.prefix, d.allow) for d in layout.deny] == [
        ("/ch", ("/ch/store/host/notes/1",)),
        ("/real/ch", ("/real/ch/store/host/notes/1",)),
    ]


def test_two_host_clones_cannot_reach_each_other() -> None:
    one = host_layout(CH, "notes", 1, ["/home/u/.notes"])
    two = host_layout(CH, "notes", 2, ["/home/u/.notes"])
    t1 = RedirectTable(make_policy("notes:1", "linux", one.redirects, one.deny))
    for root in two.roots:
        assert t1.resolve(root + "/login").action is Action.DENY
    assert t1.resolve("/home/u/.notes/login").real == one.roots[0] + "/login"


@pytest.mark.parametrize(
    ("data", "offending"),
    [
        ([], "--data"),
        (["relative"], "relative"),
        (["/"], "'/'"),
        (["/a/.."], "'/a/..'"),
        (["/ch/store/x"], "/ch/store/x"),
        (["/ch"], "'/ch'"),
        (["/d", "/d/"], "given twice"),
        (["/etc"], "/etc"),
        (["/var/lib/dbus/machine-id"], "machine-id"),
    ],
)
def test_host_layout_refuses(data: list[str], offending: str) -> None:
    with pytest.raises(ValueError) as info:
        host_layout(CH, "notes", 1, data)
    assert offending in str(info.value)


@pytest.mark.parametrize(("app", "index"), [("../x", 1), ("a/b", 1), ("..", 1), ("notes", 0)])
def test_host_store_refuses_odd_names(app: str, index: int) -> None:
    with pytest.raises(ValueError, match="bad"):
        host_store(CH, app, index)


def test_host_layout_redirects_other_names_of_a_data_path() -> None:
    layout = host_layout(CH, "notes", 1, ["/home/u/.notes"], data_aliases=[(0, "/data/u/.notes")])
    table = RedirectTable(make_policy("notes:1", "linux", layout.redirects, layout.deny))
    for spelling in ("/home/u/.notes/login", "/data/u/.notes/login"):
        assert table.resolve(spelling).real == "/ch/store/host/notes/1/data/0/login"
    with pytest.raises(ValueError, match="CLONE_HOME"):
        host_layout(CH, "notes", 1, ["/home/u/.notes"], data_aliases=[(0, "/ch/x")])


def test_the_host_store_layout_is_spelled_once() -> None:
    store = HostStore.of("/home/u/.clone", "notes", 2)
    assert store.root == host_store("/home/u/.clone", "notes", 2)
    assert (store.data(1), store.machine_id) == (
        "/home/u/.clone/store/host/notes/2/data/1",
        "/home/u/.clone/store/host/notes/2/machine-id",
    )
    layout = host_layout("/home/u/.clone", "notes", 2, ["/a", "/b"])
    assert layout.roots == (store.data(0), store.data(1))
    assert {r.real for r in layout.redirects} == {store.data(0), store.data(1), store.machine_id}
