"""The kernel-enforced boundary of a host run: the hooks redirect, the kernel enforces.

Every process of a run lives, from before the program's first instruction, in a mount
namespace where ``keep_out`` (``$CLONE_HOME`` and the real data paths) is covered by an
empty tmpfs with its own store bound back in (so not even a path Landlock does not check,
such as a named socket's, leads there) and where each ``served`` source is bound over its
real path (the clone's own data over a real data path: the kernel redirects what the
hooks never see), in a Landlock domain that keeps it out of the same trees, under a
seccomp filter for what Landlock does not cover (``seccomp.py``), with ``no_new_privs``;
all inherited across fork and exec and irrevocable. A redirect the hooks miss then lands
in the clone's own store where the kernel serves it, and fails closed (EACCES or EPERM)
everywhere else instead of reaching another clone.

The runner builds the ruleset in its own process (``prepare``) and starts the gate through
the entry (``command``: ``enter.c`` as built by ``make setup``, else the same in
``enter.py``), which enters the domain and execs the gate; Frida then attaches to the gate
from outside the domain, which Landlock and seccomp allow.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hooks.boundary import landlock, plan, seccomp
from hooks.errors import BoundaryUnavailable

ENTER = Path(__file__).resolve().with_name("enter.py")
ENTER_BUILT = ENTER.parent / "build" / "enter"  # enter.c, built by ``make setup``
_LOW_FDS = 10  # the ruleset fd is moved above the gate's fixed fds


@dataclass(frozen=True)
class Boundary:
    """What a run is kept out of and what it keeps: resolved absolute paths. ``served``
    are (source in an own tree, real path): the run's mount namespace binds each source
    over its real path (a kept-out data path, or a file such as ``/etc/machine-id``), so
    the kernel serves what the hooks redirect even to code the hooks never see."""

    keep_out: tuple[str, ...]
    own: tuple[str, ...]
    require_landlock: bool = False
    served: tuple[tuple[str, str], ...] = ()
    hostname: str = ""  # the run's UTS namespace's ("": the machine's, no namespace)


@dataclass(frozen=True)
class Prepared:
    """A boundary ready to be entered: the ruleset fd (None: no Landlock), the filter, the
    trees its mount namespace hides, the own ones it binds back into them, and the
    (source, real path) pairs it serves."""

    ruleset_fd: int | None
    filter_hex: str
    hidden: tuple[str, ...] = ()
    own: tuple[str, ...] = ()
    require_hidden: bool = False
    served: tuple[tuple[str, str], ...] = ()
    hostname: str = ""

    def command(
        self,
        fd_in_child: int,
        argv: Sequence[str],
        directory: str | None = None,
        *,
        pid_namespace: bool = False,
    ) -> list[str]:
        """The child's argv: the entry with the ruleset at ``fd_in_child``, then ``argv``,
        started in ``directory`` (changed to before anything is hidden); with
        ``pid_namespace``, in a PID namespace of its own too, its namespaces required."""
        fd = "-" if self.ruleset_fd is None else str(fd_in_child)
        trees = ["-C", directory] if directory is not None else []
        trees += [a for path in self.hidden for a in ("-h", path)]
        trees += [a for path in self.own for a in ("-o", path)] if self.hidden else []
        trees += [a for src, dst in self.served for a in ("-s", src, dst)]
        trees += ["-n", self.hostname] if self.hostname else []
        trees += ["-r"] if self.require_hidden and (self.hidden or self.served) else []
        trees += ["-p"] if pid_namespace else []
        return [*entry(), fd, self.filter_hex, *trees, "--", *argv]

    def close(self) -> None:
        if self.ruleset_fd is not None:
            os.close(self.ruleset_fd)


def entry() -> list[str]:
    """The entry's command: the C build where ``make setup`` made it, else ``enter.py``."""
    if os.access(ENTER_BUILT, os.X_OK):
        return [str(ENTER_BUILT)]
    return [sys.executable, "-I", "-S", str(ENTER)]


def landlock_abi() -> int:
    """The kernel's Landlock ABI version (0: none; the boundary is then seccomp only)."""
    return landlock.abi_version()


def prepare(boundary: Boundary) -> Prepared:
    """The ruleset and filter of ``boundary``; BoundaryUnavailable if Landlock is missing
    and required, BoundaryError if the kernel refused a rule."""
    abi = landlock.abi_version()
    hidden = tuple(plan.hidden(boundary.keep_out, boundary.own))
    own, required = tuple(boundary.own), boundary.require_landlock
    served = tuple(plan.servable(boundary.served, boundary.keep_out, boundary.own))
    hostname = boundary.hostname
    if abi == 0:
        if boundary.require_landlock:
            raise BoundaryUnavailable("this kernel has no Landlock: the boundary is required")
        return Prepared(None, seccomp.filter_hex(), hidden, own, required, served, hostname)
    # a served source is reached through its bind, whose root is the source itself and not
    # the own tree above it: Landlock needs the grant on the source too
    granted = (*boundary.own, *(src for src, _ in served))
    fd = landlock.create_ruleset(plan.grants(boundary.keep_out, granted), abi)
    if fd < _LOW_FDS:
        moved = _dup_high(fd)
        os.close(fd)
        fd = moved
    return Prepared(fd, seccomp.filter_hex(), hidden, own, required, served, hostname)


def _dup_high(fd: int) -> int:
    import fcntl

    return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, _LOW_FDS)
