"""The boundary's entry: ``python -I -S enter.py RULESET_FD FILTER_HEX -- ARGV...``.

Runs in the child the runner spawns, before the gate and so before the program's first
instruction: sets ``no_new_privs``, enters the Landlock domain of the ruleset fd (``-``:
none, the kernel lacks Landlock), loads the seccomp filter (hex of ``struct sock_filter``
entries), then execs ARGV. All three are inherited across fork and exec and cannot be
undone. Anything failing exits 125 with one stderr line: the program never runs unbounded.

Standard library only (it starts with ``-S``, so no site-packages), and kept tiny: it is
the one piece of the boundary that runs in the child.
"""

from __future__ import annotations

import ctypes
import os
import sys

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SYS_LANDLOCK_RESTRICT_SELF = 446  # x86_64


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _fail(what: str, errno: int) -> None:
    os.write(2, f"clonespace-boundary: {what}: {os.strerror(errno)}\n".encode())
    os._exit(125)


def enter(ruleset_fd: str, filter_hex: str, argv: list[str]) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        _fail("no_new_privs", ctypes.get_errno())
    if ruleset_fd != "-":
        fd = int(ruleset_fd)
        if libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, fd, 0) != 0:
            _fail("landlock_restrict_self", ctypes.get_errno())
        os.close(fd)
    code = bytes.fromhex(filter_hex)
    buffer = ctypes.create_string_buffer(code, len(code))
    prog = _SockFprog(len(code) // 8, ctypes.addressof(buffer))
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        _fail("seccomp", ctypes.get_errno())
    try:
        os.execv(argv[0], argv)
    except OSError as e:
        _fail(f"exec {argv[0]}", e.errno or 0)


if __name__ == "__main__":
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        os.write(2, b"usage: enter.py RULESET_FD FILTER_HEX -- ARGV...\n")
        os._exit(125)
    enter(sys.argv[1], sys.argv[2], sys.argv[4:])
