"""Landlock through ``syscall(2)``: the ABI version and a ruleset fd built from grants.

Only creating the ruleset happens here, in the runner's own process (creating and filling a
ruleset restricts no one); the child enters it (``enter.py``). Constants: the kernel's
``include/uapi/linux/landlock.h``.
"""

from __future__ import annotations

import ctypes
import functools
import os
import stat
from collections.abc import Iterable

from hooks.boundary.plan import Grant
from hooks.errors import BoundaryError

SYS_CREATE_RULESET = 444  # x86_64
SYS_ADD_RULE = 445
CREATE_RULESET_VERSION = 1 << 0
RULE_PATH_BENEATH = 1

EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_CHAR = 1 << 6
MAKE_DIR = 1 << 7
MAKE_REG = 1 << 8
MAKE_SOCK = 1 << 9
MAKE_FIFO = 1 << 10
MAKE_BLOCK = 1 << 11
MAKE_SYM = 1 << 12
REFER = 1 << 13  # ABI 2
TRUNCATE = 1 << 14  # ABI 3
IOCTL_DEV = 1 << 15  # ABI 5

SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1  # ABI 6

FILE_ACCESS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1}


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


@functools.lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def abi_version() -> int:
    """The kernel's Landlock ABI version; 0 if it has none (or has it disabled)."""
    version = int(_libc().syscall(SYS_CREATE_RULESET, None, 0, CREATE_RULESET_VERSION))
    return max(version, 0)


def handled_access(abi: int) -> int:
    """Every filesystem access right ABI ``abi`` knows."""
    return _BY_ABI.get(abi, (1 << 16) - 1)


def create_ruleset(grants: Iterable[Grant], abi: int) -> int:
    """A ruleset fd (close-on-exec) handling every filesystem right of ``abi`` (and, from
    ABI 6, scoping abstract sockets and signals to the domain), allowing exactly
    ``grants``. A granted path that vanished meanwhile is skipped."""
    handled = handled_access(abi)
    attr = _RulesetAttr(handled, 0, SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0)
    size = ctypes.sizeof(attr) if abi >= 6 else 8
    libc = _libc()
    fd = int(libc.syscall(SYS_CREATE_RULESET, ctypes.byref(attr), size, 0))
    if fd < 0:
        raise BoundaryError(f"landlock_create_ruleset: {os.strerror(ctypes.get_errno())}")
    try:
        for grant in grants:
            _add(libc, fd, grant, handled)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _add(libc: ctypes.CDLL, ruleset: int, grant: Grant, handled: int) -> None:
    try:
        target = os.open(grant.path, os.O_PATH | os.O_CLOEXEC | os.O_NOFOLLOW)
    except OSError:
        return  # gone since the plan was made (or a dangling name): nothing to grant
    try:
        access = grant.access & handled
        if not stat.S_ISDIR(os.fstat(target).st_mode):
            access &= FILE_ACCESS
        if not access:
            return
        rule = _PathBeneath(access, target)
        if libc.syscall(SYS_ADD_RULE, ruleset, RULE_PATH_BENEATH, ctypes.byref(rule), 0) != 0:
            error = ctypes.get_errno()
            raise BoundaryError(f"landlock_add_rule {grant.path}: {os.strerror(error)}")
    finally:
        os.close(target)
