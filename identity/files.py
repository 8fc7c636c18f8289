"""Files that carry a machine's identity, and what a clone's copies of them contain.

A host clone's redirect table points each of these paths at a file of the clone's own
(the agent also fills those files from the policy, see ``hooks/agent/src/identity/files.ts``;
both use the same rules).
"""

from __future__ import annotations

import os
import re

from identity.model import Identity

MACHINE_ID_PATHS = ("/etc/machine-id", "/var/lib/dbus/machine-id")
HOSTNAME_PATHS = ("/etc/hostname", "/proc/sys/kernel/hostname")
_NET_ADDRESS = re.compile(r"^/sys/(?:class/net|devices/(?:[^/]+/)*net)/([^/]+)/address$")


def net_address_path(ifname: str) -> str:
    return f"/sys/class/net/{ifname}/address"


def net_interfaces(root: str = "/sys/class/net") -> list[str]:
    """Interfaces of this machine whose address a clone answers (all but loopback/dummy)."""
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return []
    return [n for n in names if not _is_virtual_only(n)]


def _is_virtual_only(ifname: str) -> bool:
    return ifname == "lo" or ifname.startswith("dummy")


def identity_file_text(ident: Identity, path: str) -> str | None:
    """What a read of ``path`` answers in clone ``ident``; None if it carries no identity."""
    if path in MACHINE_ID_PATHS:
        return ident.machine_id + "\n"
    if path in HOSTNAME_PATHS:
        return ident.hostname + "\n"
    match = _NET_ADDRESS.match(path)
    if match is None or _is_virtual_only(match[1]):
        return None
    mac = ident.bt_mac if match[1].startswith("bt") else ident.wifi_mac
    return mac + "\n"


def identity_files(ident: Identity, interfaces: list[str] | None = None) -> dict[str, str]:
    """Virtual path -> contents of every identity file of a host clone."""
    paths = [*MACHINE_ID_PATHS, *HOSTNAME_PATHS]
    paths += [net_address_path(i) for i in (net_interfaces() if interfaces is None else interfaces)]
    out: dict[str, str] = {}
    for path in paths:
        text = identity_file_text(ident, path)
        if text is not None:
            out[path] = text
    return out
