"""Longest-prefix matching: the Python reference of what the agent's CModule does per call.

``resolve(path, cwd)`` canonicalises a path as the program gave it, rewrites the longest
matching ``virtual`` prefix (component boundary) to its ``real`` and decides whether the
real path is denied. ``to_virtual(real)`` maps a path the kernel returns (``getcwd``,
``readlink``, ``realpath``) back by the longest ``real`` prefix. The agent tests check
the C code against this module.

The kernel must then be handed ``Resolution.handed`` -- the canonical path that was judged,
with the ``/`` or ``/.`` the program's text ended in (``paths.directory_suffix``) --
never the string the program gave: otherwise ``..`` after a symlink, or after a magic link
(``/dev/fd/N``, ``/proc/self/cwd``), walks somewhere the check never saw. The suffix changes
no decision; it keeps ``open("file/")`` failing with ENOTDIR and ``rmdir("dir/.")`` with
EINVAL, as without the rewrite.

Rewriting is idempotent: a path already under a real root is not rewritten again (unless a
longer virtual prefix claims it). A real root may lie under its own virtual prefix (the
virtual backend's ``/data/user/0/P/clonespace/N/data`` under ``/data/user/0/P``), and the
rewritten path comes back to the hooks whenever one hooked libc function calls another
(bionic's ``fopen`` and ``opendir`` call ``open``; glibc's ``scandir`` calls ``opendir``, its
``realpath`` ``readlink``) or the kernel names it (``/proc/self/fd/N``); rewriting it again
nested the clone's root inside itself.
``symlink_target_allowed`` is the rule for the text of a new symlink, which the kernel reads
again every time the link is followed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from vfs_redirect.paths import (
    canonicalise,
    directory_suffix,
    is_under,
    replace_prefix,
    through_magic_link,
    with_directory_suffix,
)
from vfs_redirect.rules import Policy, RedirectRule


class Action(enum.StrEnum):
    """What happens to one path argument."""

    PASS = "pass"
    REDIRECT = "redirect"
    DENY = "deny"


@dataclass(frozen=True)
class Resolution:
    """The outcome for one path: the canonical virtual path, the real one, the action, and
    the ``directory_suffix`` of the path as given."""

    virtual: str
    real: str
    action: Action
    rule: RedirectRule | None = None
    suffix: str = ""

    @property
    def handed(self) -> str:
        """The text the kernel gets: ``real`` with the suffix (as ``paths.keep_directory``)."""
        return with_directory_suffix(self.real, self.suffix)


class RedirectTable:
    """A policy compiled for matching (rules already sorted longest first)."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._forward = policy.redirects
        self._backward = tuple(
            sorted(policy.redirects, key=lambda r: (-len(r.real), policy.redirects.index(r)))
        )
        self._deny = [(d.prefix, d.allow) for d in policy.deny]

    def match(self, virtual: str) -> RedirectRule | None:
        """The rule with the longest ``virtual`` prefix of canonical ``virtual``, if any --
        unless ``virtual`` already lies under a ``real`` root at least as long as that
        prefix: then it is what a rewrite made, and is left as it is (rewriting is
        idempotent; see the module notes)."""
        for rule in self._forward:
            if is_under(virtual, rule.virtual):
                already = any(
                    len(r.real) >= len(rule.virtual) and is_under(virtual, r.real)
                    for r in self._forward
                )
                return None if already else rule
        return None

    def is_denied(self, real: str) -> bool:
        """Whether canonical ``real`` lies under a deny prefix and under none of its allows."""
        for prefix, allow in self._deny:
            if is_under(real, prefix) and not any(is_under(real, a) for a in allow):
                return True
        return False

    def resolve(self, path: str, cwd: str = "/") -> Resolution:
        """Canonicalise ``path`` (relative to the virtual ``cwd``), rewrite it, judge it."""
        virtual = canonicalise(path, cwd)
        rule = self.match(virtual)
        real = replace_prefix(virtual, rule.virtual, rule.real) if rule else virtual
        suffix = directory_suffix(path)
        if self.is_denied(real):
            return Resolution(virtual, real, Action.DENY, rule, suffix)
        return Resolution(virtual, real, Action.REDIRECT if rule else Action.PASS, rule, suffix)

    def to_virtual(self, real: str) -> str:
        """Map a real path back to the virtual path the program expects (longest ``real``)."""
        real = canonicalise(real)
        for rule in self._backward:
            if is_under(real, rule.real):
                return replace_prefix(real, rule.real, rule.virtual)
        return real

    def symlink_target_allowed(self, target: str, link: str, cwd: str = "/") -> bool:
        """Whether a symlink at ``link`` (as given) may hold the text ``target``.

        Refused: text that leads, seen from the link's virtual or real directory, to a denied
        path, and text through a magic link (its meaning changes with the reader's state).
        """
        where = self.resolve(link, cwd)
        if where.action is Action.DENY:
            return False
        for base in (where.virtual, where.real):
            directory = base.rsplit("/", 1)[0] or "/"
            if through_magic_link(target, directory):
                return False
            if self.resolve(target, directory).action is Action.DENY:
                return False
        return True
