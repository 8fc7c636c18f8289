"""The boundary's seccomp filter: what Landlock does not cover, refused with EPERM.

Classic BPF over ``struct seccomp_data`` (x86_64). Refused: tracing (``ptrace`` itself, so
``PTRACE_TRACEME`` + ``execve`` cannot hand a child to a tracer of the program's choice; the
hooks' own tracer is outside the process and unaffected), mount and namespace changes
(``mount``, the new mount API, ``unshare``, ``setns``, ``chroot``, ``pivot_root``, ``clone``
with a ``CLONE_NEW*`` flag; ``clone3``, whose flags BPF cannot read, gets ENOSYS so libc
falls back to ``clone``), file handles (``open_by_handle_at`` skips every path check),
io_uring (its requests bypass both seccomp and the hooks), another process's fds
(``pidfd_getfd``), and what only root could do to the kernel (modules, kexec, bpf, I/O
ports, swap, reboot).
Another architecture's syscalls (i386 ``int 0x80``, x32) kill the process.

Left to Landlock: ``process_vm_readv``/``writev`` (Frida's agent reads its own memory with
them), whose use on another process is a ptrace access check that Landlock refuses
outside the caller's domain, as it refuses ``/proc/PID/{root,cwd,fd,map_files}``.
"""

from __future__ import annotations

import errno
import struct
from dataclasses import dataclass

AUDIT_ARCH_X86_64 = 0xC000003E
X32_SYSCALL_BIT = 0x40000000

RET_KILL_PROCESS = 0x80000000
RET_ERRNO = 0x00050000
RET_ALLOW = 0x7FFF0000

# BPF opcodes
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_JSET_K = 0x45
_RET_K = 0x06

_NR_OFFSET = 0
_ARCH_OFFSET = 4
_ARG0_OFFSET = 16  # low 32 bits of args[0] (little endian)

SYS_CLONE = 56
SYS_CLONE3 = 435

# CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET (CLONE_NEWTIME is
# 0x80, the exit signal's byte for clone(); it is an unshare/clone3 flag, both refused)
CLONE_NEW_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000
CLONE_NEW_FLAGS |= 0x10000000 | 0x20000000 | 0x40000000

REFUSED: dict[str, int] = {
    "ptrace": 101,
    "pidfd_getfd": 438,
    "mount": 165,
    "umount2": 166,
    "chroot": 161,
    "pivot_root": 155,
    "unshare": 272,
    "setns": 308,
    "open_tree": 428,
    "move_mount": 429,
    "fsopen": 430,
    "fsconfig": 431,
    "fsmount": 432,
    "fspick": 433,
    "mount_setattr": 442,
    "open_tree_attr": 467,
    "name_to_handle_at": 303,
    "open_by_handle_at": 304,
    "io_uring_setup": 425,
    "io_uring_enter": 426,
    "io_uring_register": 427,
    "init_module": 175,
    "finit_module": 313,
    "delete_module": 176,
    "kexec_load": 246,
    "kexec_file_load": 320,
    "bpf": 321,
    "iopl": 172,
    "ioperm": 173,
    "swapon": 167,
    "swapoff": 168,
    "reboot": 169,
    "acct": 163,
}


@dataclass(frozen=True)
class Insn:
    """One ``struct sock_filter``."""

    code: int
    jt: int
    jf: int
    k: int

    def pack(self) -> bytes:
        return struct.pack("<HBBI", self.code, self.jt, self.jf, self.k)


def _ret(value: int) -> Insn:
    return Insn(_RET_K, 0, 0, value)


def program() -> list[Insn]:
    """The filter, instruction by instruction: the architecture, then a binary search over
    the syscall numbers it treats specially (a few comparisons per syscall, not one per
    refused call), every other number allowed."""
    eperm = RET_ERRNO | errno.EPERM
    special: dict[int, list[Insn]] = {nr: [_ret(eperm)] for nr in REFUSED.values()}
    special[SYS_CLONE3] = [_ret(RET_ERRNO | errno.ENOSYS)]
    special[SYS_CLONE] = [
        Insn(_LD_W_ABS, 0, 0, _ARG0_OFFSET),
        Insn(_JSET_K, 0, 1, CLONE_NEW_FLAGS),
        _ret(eperm),
        _ret(RET_ALLOW),
    ]
    return [
        Insn(_LD_W_ABS, 0, 0, _ARCH_OFFSET),
        Insn(_JEQ_K, 1, 0, AUDIT_ARCH_X86_64),
        _ret(RET_KILL_PROCESS),
        Insn(_LD_W_ABS, 0, 0, _NR_OFFSET),
        Insn(_JGE_K, 0, 1, X32_SYSCALL_BIT),
        _ret(RET_KILL_PROCESS),
        *_search(sorted(special), special),
    ]


def _search(nrs: list[int], special: dict[int, list[Insn]]) -> list[Insn]:
    """Code that runs ``special[nr]`` (each ends in a return) for the syscall number in A
    if it is one of ``nrs`` (sorted), else allows it."""
    if len(nrs) <= 3:
        out: list[Insn] = []
        for nr in nrs:
            body = special[nr]
            out += [Insn(_JEQ_K, 0, len(body), nr), *body]
        return [*out, _ret(RET_ALLOW)]
    mid = len(nrs) // 2
    below = _search(nrs[:mid], special)
    if len(below) > 255:
        raise AssertionError("seccomp filter: a jump longer than BPF allows")
    return [Insn(_JGE_K, len(below), 0, nrs[mid]), *below, *_search(nrs[mid:], special)]


def filter_hex() -> str:
    """The filter as ``enter.py`` takes it: the packed instructions in hex."""
    return b"".join(i.pack() for i in program()).hex()
