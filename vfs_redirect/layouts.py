"""Per-backend storage layouts: which virtual paths a clone sees and where they really live.

**Android spellings.** An app reaches its storage under several names, and every one must
be redirected or a clone could read its sibling's files through the name we forgot:

- credential-encrypted data: ``/data/data/P`` and ``/data/user/U/P`` (one directory;
  ``/data/data`` is user 0's ``/data/user/0``);
- device-encrypted data: ``/data/user_de/U/P``;
- external app data and OBBs: ``X/Android/data/P`` and ``X/Android/obb/P`` for every
  spelling ``X`` of shared storage: ``/sdcard``, ``/storage/emulated/U``,
  ``/storage/self/primary``, ``/mnt/sdcard``.

**package backend** (``android_package_layout``): the clone is installed as its own package
``C`` with its own Linux UID, so Android already separates the data. The hooks only
make the original package's paths, which apps often build by hand, lead to the clone's own
directories: every spelling of ``P``'s storage -> ``C``'s. Reads of
``/sys/class/net/<if>/address`` (``wlan0``, ``eth0``) lead to
``/data/user_de/U/C/clonespace/net/<if>/address``, which the agent fills with the clone's
MAC.

**virtual backend** (``android_virtual_layout``): one installed package ``P`` runs one clone
at a time, and clone ``N`` keeps its files inside ``P``'s own directories::

    /data/user/U/P/clonespace/N/data            <- /data/data/P, /data/user/U/P
    /data/user_de/U/P/clonespace/N/data         <- /data/user_de/U/P
    /storage/emulated/U/Android/data/P/clonespace/N  <- X/Android/data/P (every X)
    /storage/emulated/U/Android/obb/P/clonespace/N   <- X/Android/obb/P (every X)

A real root lies under its own virtual prefix. The rewrite is applied once, and a path
already under the real root is left as it is (``table`` notes why: libc hands the rewritten
path back to the hooks), so a program asking for ``/data/data/P/clonespace/2`` gets
``…/clonespace/N/data/clonespace/2``, inside its own root, and
``/data/user/U/P/clonespace/N/data/x`` is that very file. ``P/lib`` (the link to the
APK's native libraries) keeps pointing at the installed package's own. Each
``…/P/clonespace`` directory is additionally denied except for ``…/clonespace/N``, so no
other spelling reaches a sibling's root. The network addresses are read from
``/data/user_de/U/P/clonespace/N/net/<if>/address``.

**host backend** (``host_layout``): the k-th ``--data PATH`` (counting from 0) lives at
``$CLONE_HOME/store/host/APP/N/data/<k>``; ``/etc/machine-id`` and
``/var/lib/dbus/machine-id`` read the clone's own ``…/APP/N/machine-id``; all of
``$CLONE_HOME`` is denied except ``store/host/APP/N``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from vfs_redirect.paths import is_under, parse_absolute, safe_join
from vfs_redirect.rules import DenyRule, RedirectRule, make_deny, make_redirect

CLONESPACE_DIR = "clonespace"
ANDROID_NET_INTERFACES = ("wlan0", "eth0")  # Wi-Fi; an emulator's or an Ethernet port
MACHINE_ID_FILE = "machine-id"
MACHINE_ID_PATHS = ("/etc/machine-id", "/var/lib/dbus/machine-id")


@dataclass(frozen=True)
class Layout:
    """The redirect and deny rules of one clone, plus the real roots it writes into."""

    redirects: tuple[RedirectRule, ...]
    deny: tuple[DenyRule, ...]
    roots: tuple[str, ...]


def shared_storage_spellings(user: int = 0) -> tuple[str, ...]:
    """Every name of user ``user``'s shared storage (``/sdcard`` and its aliases)."""
    _check_user(user)
    names = [f"/storage/emulated/{user}"]
    if user == 0:
        names += ["/sdcard", "/storage/self/primary", "/mnt/sdcard"]
    return tuple(names)


def ce_spellings(package: str, user: int = 0) -> tuple[str, ...]:
    """Every name of ``package``'s credential-encrypted data directory."""
    _check_user(user)
    names = [f"/data/user/{user}/{package}"]
    if user == 0:
        names.append(f"/data/data/{package}")
    return tuple(names)


def android_package_layout(source: str, clone: str, user: int = 0) -> Layout:
    """The package backend: every spelling of ``source``'s storage -> ``clone``'s."""
    _check_package(source)
    _check_package(clone)
    if source == clone:
        raise ValueError(f"bad clone package {clone!r}: it is the source package itself")
    roots = _android_roots(clone, user)
    net = _net_addresses(f"{roots['de']}/{CLONESPACE_DIR}/net")
    return Layout((*_android_redirects(source, user, roots), *net), (), tuple(roots.values()))


def android_virtual_layout(package: str, index: int, user: int = 0) -> Layout:
    """The virtual backend: clone ``index`` of ``package`` lives under ``…/P/clonespace/N``."""
    _check_package(package)
    if index < 1:
        raise ValueError(f"bad clone index {index!r}: counting starts at 1")
    own = _android_roots(package, user)
    spaces = {kind: f"{root}/{CLONESPACE_DIR}" for kind, root in own.items()}
    roots = {kind: f"{space}/{index}" for kind, space in spaces.items()}
    roots["ce"] += "/data"
    roots["de"] += "/data"
    deny = tuple(make_deny(spaces[k], [f"{spaces[k]}/{index}"]) for k in sorted(spaces))
    keep = [make_redirect(f"{v}/lib", f"{own['ce']}/lib") for v in ce_spellings(package, user)]
    net = _net_addresses(f"{spaces['de']}/{index}/net")
    redirects = (*_android_redirects(package, user, roots), *keep, *net)
    return Layout(redirects, deny, tuple(roots.values()))


def host_store(clone_home: str, app: str, index: int) -> str:
    """``$CLONE_HOME/store/host/APP/N``: everything clone ``APP:N`` owns on this machine."""
    if index < 1:
        raise ValueError(f"bad clone index {index!r}: counting starts at 1")
    return safe_join(parse_absolute(clone_home), f"store/host/{_check_name(app)}/{index}")


@dataclass(frozen=True)
class HostStore:
    """The one spelling of a host clone's store: ``root`` (``host_store``) holds
    ``data/<k>``, serving the clone's k-th ``--data`` path, and ``machine-id``, its own
    ``/etc/machine-id``. Nothing else belongs there."""

    root: str
    DATA: ClassVar[str] = "data"
    MACHINE_ID: ClassVar[str] = MACHINE_ID_FILE

    @classmethod
    def of(cls, clone_home: str, app: str, index: int) -> HostStore:
        return cls(host_store(clone_home, app, index))

    @property
    def data_root(self) -> str:
        return f"{self.root}/{self.DATA}"

    def data(self, k: int) -> str:
        return f"{self.data_root}/{k}"

    @property
    def machine_id(self) -> str:
        return f"{self.root}/{self.MACHINE_ID}"


def host_layout(
    clone_home: str,
    app: str,
    index: int,
    data: Sequence[str],
    *,
    extra_home_spellings: Iterable[str] = (),
    data_aliases: Iterable[tuple[int, str]] = (),
) -> Layout:
    """The host backend (see the module notes). ``data`` are absolute paths, in order.

    ``extra_home_spellings`` are other names of ``clone_home`` (e.g. its resolved form)
    that are denied the same way; ``data_aliases`` are (k, other name of ``data[k]``), e.g.
    its symlink-resolved form, redirected to the same ``data/<k>``.
    """
    store = HostStore.of(clone_home, app, index)
    paths = [parse_absolute(p) for p in data]
    if not paths:
        raise ValueError("no data paths: give at least one --data PATH")
    homes = [parse_absolute(clone_home), *(parse_absolute(h) for h in extra_home_spellings)]
    for path, text in zip(paths, data, strict=True):
        _check_data_path(path, text, homes, paths)
    redirects = [make_redirect(p, store.data(k)) for k, p in enumerate(paths)]
    for k, alias in data_aliases:
        if parse_absolute(alias) not in paths:
            _check_data_path(parse_absolute(alias), alias, homes, [])
            redirects.append(make_redirect(alias, store.data(k)))
    redirects += [make_redirect(m, store.machine_id) for m in MACHINE_ID_PATHS]
    deny = tuple(make_deny(h, [_respell(store.root, homes[0], h)]) for h in dict.fromkeys(homes))
    roots = tuple(store.data(k) for k in range(len(paths)))
    return Layout(tuple(redirects), deny, roots)


def _net_addresses(real_dir: str) -> list[RedirectRule]:
    """``/sys/class/net/<if>/address`` of the usual interfaces -> ``real_dir/<if>/address``,
    a file the agent fills with the clone's MAC (``identity.files`` says which)."""
    return [
        make_redirect(f"/sys/class/net/{i}/address", f"{real_dir}/{i}/address")
        for i in ANDROID_NET_INTERFACES
    ]


def _android_roots(package: str, user: int) -> dict[str, str]:
    storage = f"/storage/emulated/{user}/Android"
    return {
        "ce": f"/data/user/{user}/{package}",
        "de": f"/data/user_de/{user}/{package}",
        "ext": f"{storage}/data/{package}",
        "obb": f"{storage}/obb/{package}",
    }


def _android_redirects(package: str, user: int, roots: dict[str, str]) -> tuple[RedirectRule, ...]:
    rules = [make_redirect(v, roots["ce"]) for v in ce_spellings(package, user)]
    rules.append(make_redirect(f"/data/user_de/{user}/{package}", roots["de"]))
    for storage in shared_storage_spellings(user):
        rules.append(make_redirect(f"{storage}/Android/data/{package}", roots["ext"]))
        rules.append(make_redirect(f"{storage}/Android/obb/{package}", roots["obb"]))
    return tuple(rules)


def _check_data_path(path: str, text: str, homes: list[str], paths: list[str]) -> None:
    if path == "/":
        raise ValueError(f"bad data path {text!r}: the whole file system cannot be redirected")
    for home in homes:
        if is_under(path, home):
            raise ValueError(f"bad data path {text!r}: it lies inside CLONE_HOME {home!r}")
    if paths.count(path) > 1:
        raise ValueError(f"bad data path {text!r}: it is given twice")
    if any(is_under(path, m) or is_under(m, path) for m in MACHINE_ID_PATHS):
        raise ValueError(f"bad data path {text!r}: it overlaps the machine-id files")


def _respell(path: str, home: str, other: str) -> str:
    return other + path[len(home) :]


def _check_package(package: str) -> None:
    parts = package.split(".")
    if len(parts) < 2 or not all(p and (p[0].isalpha() or p[0] == "_") for p in parts):
        raise ValueError(f"bad package name {package!r}: expected e.g. com.example.app")
    if not all(c.isalnum() or c in "._" for c in package) or not package.isascii():
        raise ValueError(f"bad package name {package!r}: expected e.g. com.example.app")


def _check_name(app: str) -> str:
    if not app or "/" in app or app in (".", "..") or "\0" in app:
        raise ValueError(f"bad app name {app!r}")
    return app


def _check_user(user: int) -> None:
    if user < 0:
        raise ValueError(f"bad Android user {user!r}")
