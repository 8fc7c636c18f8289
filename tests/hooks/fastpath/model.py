"""What the fast path must do with one case, from the Python reference (vfs_redirect).

The decision is ``RedirectTable(policy).resolve(path, cwd)``. Where the C code legitimately
differs from the reference, the rule is spelled out here (``Model.check``), each with why:

- **the base directory** of a relative path is the real cwd (or the dirfd's directory)
  mapped back by ``map_back``, which is ``to_virtual`` -- except that a virtual path that
  would not fit CS_PMAX leaves the real path unchanged (``Model.map_back``);
- **untouched paths**: a PASS may hand the original the caller's own string; that is right
  only if the kernel, resolving it against the *real* cwd, reaches the judged path (checked);
  an empty path and an ``execvp`` name without ``/`` (searched in $PATH) are never looked at;
- **the text handed over** is the reference's ``Resolution.handed`` exactly: the judged path
  with the ``/`` or ``/.`` the given path ended in (``paths.directory_suffix``);
- **lengths**: the reference has none; the C refuses with ENAMETOOLONG when a joined or
  canonical path does not fit CS_PMAX, or the path it would hand over (suffix included)
  does not (``Model.too_long`` follows its arithmetic exactly);
- **readlink** may name a denied directory that is a proper ancestor of an allowed one (libc's
  realpath() walks through it); the C lets that through, the reference denies it.

Lengths are counted in bytes (UTF-8), as the C counts them.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass

from tests.hooks.fastpath.harness import Case, Observed
from vfs_redirect.paths import canonicalise
from vfs_redirect.rules import Policy
from vfs_redirect.table import Action, RedirectTable

CS_PMAX = 4096
PATH_OPS = ("open", "openat", "openat-cwd", "fopen", "execvp", "realpath", "realpath-buf")


def blen(s: str) -> int:
    return len(s.encode("utf-8", "surrogateescape"))


def is_clean(path: str) -> bool:
    """clean_len's test: absolute, canonical, not starting with "/p" (the /proc fast exit)."""
    return path.startswith("/") and not path.startswith("/p") and canonicalise(path) == path


def canon_overflows(path: str) -> bool:
    """Whether the C canon() of absolute ``path`` runs out of CS_PMAX on the way.

    canon() refuses a component of n bytes when out (o bytes so far) + n + 2 >= CS_PMAX;
    ".." climbs lexically (no symlinks in the harness) and /proc/{self,thread-self,N}/root
    restarts at "/" (the harness's readlink answers it, as the kernel does).
    """
    names: list[str] = []
    o = 1  # len(out): "/" or "/a/b"
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if names:
                o -= blen(names.pop()) + (1 if names else 0)
            continue
        if o + blen(part) + 2 >= CS_PMAX:
            return True
        o += blen(part) + (1 if names else 0)
        names.append(part)
        if len(names) == 3 and names[0] == "proc" and names[2] == "root":
            owner = names[1]
            if owner in ("self", "thread-self") or (owner.isascii() and owner.isdigit()):
                names.clear()
                o = 1
    return False


@dataclass(frozen=True)
class Verdict:
    """The reference's decision for a path case, as the C must reproduce it."""

    action: Action
    real: str  # the canonical path the kernel must reach
    handed: str  # the text the kernel must get when the path is not passed untouched
    base: str  # the virtual directory a relative path was taken against
    too_long: bool  # the C must refuse with ENAMETOOLONG (or pass an unrelated path untouched)


class Model:
    """The reference for one policy."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.table = RedirectTable(policy)
        self.allows = sorted({a for d in policy.deny for a in d.allow})

    def map_back(self, real: str) -> str:
        """C map_back of canonical ``real``: to_virtual, unless the result does not fit."""
        virtual = self.table.to_virtual(real)
        return real if blen(virtual) + 1 >= CS_PMAX else virtual

    def allow_ancestor(self, real: str) -> bool:
        """C allow_ancestor: ``real`` is a proper ancestor of an allow prefix.

        Mirrors has_prefix(al, real, n) && al[n] == '/', which is never true of "/".
        """
        n = len(real)
        return any(len(a) > n and a.startswith(real) and a[n] == "/" for a in self.allows)

    def verdict(self, case: Case) -> Verdict:
        base = self.map_back(case.cwd)
        res = self.table.resolve(case.path, base)
        action, real = res.action, res.real
        redirected = res.rule is not None
        reading_link = case.op.startswith("readlink")
        if action is Action.DENY and reading_link and self.allow_ancestor(real):
            action = Action.REDIRECT if redirected else Action.PASS
        too_long = self._too_long(case.path, base, redirected, real)
        # keep_dir, after the deny check: the handed text and its NUL must fit CS_PMAX
        too_long = too_long or (action is not Action.DENY and blen(res.handed) + 1 > CS_PMAX)
        return Verdict(action, real, res.handed, base, too_long)

    @staticmethod
    def _too_long(path: str, base: str, redirected: bool, real: str) -> bool:
        if not (is_clean(path) and blen(path) < CS_PMAX):
            if path.startswith("/"):
                joined = path
            elif blen(base) + blen(path) + 2 >= CS_PMAX:  # to_virtual's join
                return True
            else:
                joined = f"{base}/{path}"
            if canon_overflows(joined):
                return True
        # swap_prefix: tlen + rest + 1 >= CS_PMAX, i.e. the real path plus its NUL
        return redirected and blen(real) + 1 >= CS_PMAX

    def check(self, case: Case, got: Observed) -> str | None:
        """None if ``got`` is right for ``case``, else what is wrong."""
        if got.flags:
            return f"the caller's buffers were misused: {got.flags}"
        if case.op.startswith("getcwd"):
            return self._check_getcwd(case, got)
        if case.path == "" or (case.op == "execvp" and "/" not in case.path):
            return None if got.kind == "same" else "expected the path passed untouched"
        problem = self._check_call(case, got)
        if problem is None and got.kind != "err":
            problem = self._check_result(case, got)
        return problem

    def _check_call(self, case: Case, got: Observed) -> str | None:
        v = self.verdict(case)
        deny_errno = self.policy.deny_errno
        if got.kind == "err":
            e = int(got.value)
            if v.too_long:
                return None if e == errno.ENAMETOOLONG else "expected ENAMETOOLONG"
            if v.action is Action.DENY:
                return None if e == deny_errno else f"expected errno {deny_errno} (deny)"
            return f"refused, but the reference says {v.action.value} {v.real!r}"
        if v.too_long and not (got.kind == "same" and v.action is Action.PASS):
            # a path that cannot concern the policy goes through untouched, whatever its length
            return "expected ENAMETOOLONG"
        if v.action is Action.DENY:
            return f"let through, but the reference denies {v.real!r}"
        if got.kind == "same":
            # the kernel takes the caller's string against the *real* cwd or dirfd directory
            reached = canonicalise(case.path, case.cwd)
            if v.action is not Action.PASS:
                return f"passed untouched, but the reference redirects to {v.real!r}"
            if reached != v.real:
                return f"passed untouched: the kernel reaches {reached!r}, judged was {v.real!r}"
            return None
        if got.kind == "path":
            want = v.handed
            return None if got.value == want else f"expected the original to get {want!r}"
        return f"unexpected answer {got.raw!r}"

    def _check_result(self, case: Case, got: Observed) -> str | None:
        if case.op.startswith("realpath"):
            want = self.map_back(case.extra)
            return None if got.result == want else f"realpath gave {got.result!r}, want {want!r}"
        if case.op.startswith("readlink"):
            size = int(case.op.removeprefix("readlink"))
            text = self.map_back(case.extra) if case.extra.startswith("/") else case.extra
            want = text.encode("utf-8", "surrogateescape")[:size].decode("utf-8", "surrogateescape")
            return None if got.result == want else f"readlink gave {got.result!r}, want {want!r}"
        return None if got.result is None else f"unexpected result {got.result!r}"

    def _check_getcwd(self, case: Case, got: Observed) -> str | None:
        want = self.map_back(case.cwd)
        size = int(case.op.removeprefix("getcwd") or "0")
        if size != 0 and size < blen(want) + 1:
            ok = got.kind == "err" and int(got.value) == errno.ERANGE
            return None if ok else f"expected ERANGE for {want!r} in {size} bytes"
        return None if (got.kind, got.value) == ("cwd", want) else f"expected the cwd {want!r}"
