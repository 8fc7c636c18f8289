"""The rule model: redirect rules, deny rules with allow exceptions, and the clone policy.

Values are frozen dataclasses built by pure parse functions that raise ``ValueError`` naming
the offending value. ``Policy.to_agent_json()`` is the object the agent's ``init(policy)``
receives (the contract in the team notes): canonical absolute paths without a trailing
slash, redirects sorted longest ``virtual`` first.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vfs_redirect.paths import is_under, parse_absolute

POLICY_VERSION = 1
PLATFORMS = ("linux", "android")
DENY_ERRNOS = (errno.EACCES, errno.ENOENT)
_CLONE_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*:[1-9][0-9]*$")


@dataclass(frozen=True)
class RedirectRule:
    """Paths at or below ``virtual`` are served from ``real`` (both canonical absolute)."""

    virtual: str
    real: str


@dataclass(frozen=True)
class DenyRule:
    """Real paths at or below ``prefix`` are refused, except those below an ``allow`` entry."""

    prefix: str
    allow: tuple[str, ...] = ()


@dataclass(frozen=True)
class AndroidNames:
    """A renamed Android clone: the original app's names and certificates, and each of its
    own names (provider authorities, declared permissions, intent actions) as the clone's
    manifest renamed it, so the hooks can map the app's code to the clone."""

    original_package: str
    clone_package: str
    original_signatures: tuple[str, ...] = ()  # hex DER certificates
    authorities: Mapping[str, str] = field(default_factory=dict)
    permissions: Mapping[str, str] = field(default_factory=dict)
    actions: Mapping[str, str] = field(default_factory=dict)

    def to_agent_json(self) -> dict[str, Any]:
        return {
            "original_package": self.original_package,
            "clone_package": self.clone_package,
            "original_signatures": list(self.original_signatures),
            "authorities": dict(self.authorities),
            "permissions": dict(self.permissions),
            "actions": dict(self.actions),
        }


@dataclass(frozen=True)
class HostLink:
    """The host process that runs a Linux clone (``clone host run``): the agent ends the
    clone's processes if it dies. ``start`` tells a reused pid (/proc/PID/stat field 22)."""

    pid: int
    start: int


@dataclass(frozen=True)
class Policy:
    """Everything the agent needs for one clone: every backend fills this one type."""

    clone: str
    platform: str
    redirects: tuple[RedirectRule, ...]
    deny: tuple[DenyRule, ...] = ()
    deny_errno: int = errno.EACCES
    identity: Mapping[str, Any] = field(default_factory=dict)
    accounts: tuple[Mapping[str, Any], ...] = ()
    trace: bool = False
    android: AndroidNames | None = None
    host: HostLink | None = None

    def to_agent_json(self) -> dict[str, Any]:
        """The JSON object of the policy contract, exactly."""
        return {
            "version": POLICY_VERSION,
            "clone": self.clone,
            "platform": self.platform,
            "redirects": [{"virtual": r.virtual, "real": r.real} for r in self.redirects],
            "deny": [d.prefix for d in self.deny],
            "allow": sorted({a for d in self.deny for a in d.allow}, key=_longest_first),
            "deny_errno": self.deny_errno,
            "identity": dict(self.identity),
            "accounts": [dict(a) for a in self.accounts],
            "trace": self.trace,
            **(self.android.to_agent_json() if self.android is not None else {}),
            **({"host": {"pid": self.host.pid, "start": self.host.start}} if self.host else {}),
        }


def parse_redirect(text: str) -> RedirectRule:
    """``VIRTUAL=REAL`` -> RedirectRule; both sides absolute paths."""
    virtual, sep, real = text.partition("=")
    if not sep:
        raise ValueError(f"bad redirect {text!r}: expected VIRTUAL=REAL")
    return make_redirect(virtual, real)


def make_redirect(virtual: str, real: str) -> RedirectRule:
    """A RedirectRule from two absolute paths; ``/`` may not be redirected."""
    v, r = parse_absolute(virtual), parse_absolute(real)
    if v == "/":
        raise ValueError(f"bad redirect {virtual!r}: the root cannot be redirected")
    return RedirectRule(v, r)


def make_deny(prefix: str, allow: Iterable[str] = ()) -> DenyRule:
    """A DenyRule; each ``allow`` path must lie strictly below ``prefix``."""
    p = parse_absolute(prefix)
    exceptions = tuple(sorted({parse_absolute(a) for a in allow}, key=_longest_first))
    for a in exceptions:
        if a == p or not is_under(a, p):
            raise ValueError(f"bad allow path {a!r}: it must lie below the denied {p!r}")
    return DenyRule(p, exceptions)


def make_policy(
    clone: str,
    platform: str,
    redirects: Iterable[RedirectRule],
    deny: Iterable[DenyRule] = (),
    *,
    deny_errno: int = errno.EACCES,
    identity: Mapping[str, Any] | None = None,
    accounts: Sequence[Mapping[str, Any]] = (),
    trace: bool = False,
    android: AndroidNames | None = None,
    host: HostLink | None = None,
) -> Policy:
    """A checked Policy: known platform and errno, ``APP:N`` name, one rule per virtual."""
    if not _CLONE_RE.match(clone):
        raise ValueError(f"bad clone name {clone!r}: expected APP:N")
    if platform not in PLATFORMS:
        raise ValueError(f"bad platform {platform!r}: expected one of {', '.join(PLATFORMS)}")
    if deny_errno not in DENY_ERRNOS:
        raise ValueError(f"bad deny errno {deny_errno!r}: use EACCES (13) or ENOENT (2)")
    rules = sorted(redirects, key=lambda r: _longest_first(r.virtual))
    seen: dict[str, str] = {}
    for rule in rules:
        if seen.setdefault(rule.virtual, rule.real) != rule.real:
            raise ValueError(f"bad redirects: {rule.virtual!r} is mapped twice")
    unique = tuple(dict.fromkeys(rules))
    denies = tuple(sorted(dict.fromkeys(deny), key=lambda d: _longest_first(d.prefix)))
    _check_allows_stay_with_their_deny(denies)
    return Policy(
        clone=clone,
        platform=platform,
        redirects=unique,
        deny=denies,
        deny_errno=deny_errno,
        identity=dict(identity or {}),
        accounts=tuple(dict(a) for a in accounts),
        trace=trace,
        android=android,
        host=host,
    )


def _check_allows_stay_with_their_deny(denies: Sequence[DenyRule]) -> None:
    """The agent holds one list of deny prefixes and one of allow prefixes (a path is refused
    when its longest deny match is at least as long as its longest allow match). That means
    what the per-deny allows here mean only if an allow inside another deny prefix is also
    allowed by that one; refuse a policy where the flat lists would let more through."""
    for owner in denies:
        for allowed in owner.allow:
            for other in denies:
                if other is owner or allowed == other.prefix or not is_under(allowed, other.prefix):
                    continue  # (an allow equal to another deny prefix changes nothing)
                if not any(is_under(allowed, a) for a in other.allow):
                    raise ValueError(
                        f"bad allow path {allowed!r}: it lies inside the denied "
                        f"{other.prefix!r} too, which does not allow it"
                    )


def policy_from_json(data: Mapping[str, Any]) -> Policy:
    """The inverse of ``Policy.to_agent_json`` (checked the same way)."""
    if data.get("version") != POLICY_VERSION:
        raise ValueError(f"bad policy version {data.get('version')!r}: expected 1")
    allow = [parse_absolute(a) for a in data.get("allow", [])]
    denies = []
    for prefix in data.get("deny", []):
        p = parse_absolute(prefix)
        denies.append(make_deny(p, [a for a in allow if a != p and is_under(a, p)]))
    return make_policy(
        str(data.get("clone")),
        str(data.get("platform")),
        [make_redirect(r["virtual"], r["real"]) for r in data.get("redirects", [])],
        denies,
        deny_errno=int(data.get("deny_errno", errno.EACCES)),
        identity=data.get("identity") or {},
        accounts=data.get("accounts") or [],
        trace=bool(data.get("trace", False)),
        android=_android_from_json(data),
        host=HostLink(int(data["host"]["pid"]), int(data["host"]["start"]))
        if data.get("host")
        else None,
    )


def _android_from_json(data: Mapping[str, Any]) -> AndroidNames | None:
    if "original_package" not in data:
        return None
    return AndroidNames(
        str(data["original_package"]),
        str(data["clone_package"]),
        tuple(str(s) for s in data.get("original_signatures", [])),
        dict(data.get("authorities", {})),
        dict(data.get("permissions", {})),
        dict(data.get("actions", {})),
    )


def _longest_first(path: str) -> tuple[int, str]:
    return (-len(path), path)
