"""The boundary's entry: ``python -I -S enter.py RULESET_FD FILTER_HEX [-C DIR]
[-h HIDDEN]... [-o OWN]... [-s SRC DST]... [-n HOSTNAME] [-r] [-p] -- ARGV...`` (the same
as ``enter.c``, where that is not built).

Runs in the child the runner spawns, before the gate and so before the program's first
instruction: changes to DIR (before anything is hidden: a working directory inside a
hidden tree stays one, as without the boundary); in a mount namespace of its own (inside
a user namespace where it is not root), covers each HIDDEN tree with an empty read-only
tmpfs and binds each OWN tree back, then binds each SRC over its DST (a hidden tree, left
uncovered, or a file): the kernel serves the clone's own data at the real paths, for what
the hooks never see, and with ``-n`` a UTS namespace named HOSTNAME comes with it (where
no namespace can be made: one warning, or with ``-r`` exit 125); sets ``no_new_privs``,
enters the Landlock domain of the ruleset fd (``-``: none, the kernel lacks Landlock),
loads the seccomp filter (hex of ``struct sock_filter`` entries), then execs ARGV (with
``-p``, implying ``-r``, in a new PID namespace too, as the only child of its init:
``run_in_pid_namespace``). All are inherited across fork and exec
and cannot be undone. Anything else failing exits 125 with one stderr line: the program
never runs unbounded.

Standard library only (it starts with ``-S``, so no site-packages), and kept tiny: it is
the one piece of the boundary that runs in the child.
"""

from __future__ import annotations

import ctypes
import os
import sys

PR_SET_NO_NEW_PRIVS = 38
PR_SET_PDEATHSIG = 1
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SYS_LANDLOCK_RESTRICT_SELF = 446  # x86_64
CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID = 0x00020000, 0x10000000, 0x20000000
CLONE_NEWUTS = 0x04000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_RDONLY = 2, 4, 8, 1
MS_REMOUNT, MS_BIND, MS_REC, MS_SLAVE = 32, 4096, 16384, 1 << 19
HIDDEN_FLAGS = MS_NOSUID | MS_NODEV | MS_NOEXEC
NOT_HIDDEN = (
    "clone: warning: other clones' stores are not hidden ({}): their named sockets stay "
    "reachable (--require-boundary makes this an error)\n"
)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _fail(what: str, errno: int) -> None:
    os.write(2, f"clonespace-boundary: {what}: {os.strerror(errno)}\n".encode())
    os._exit(125)


class _Failed(Exception):
    def __init__(self, what: str, errno: int) -> None:
        super().__init__(what, errno)
        self.what, self.errno = what, errno


def _own_mount_namespace(libc: ctypes.CDLL, more: int = 0) -> None:
    """A mount namespace this process may mount in: its own as root, else inside a user
    namespace mapping only its uid and gid; ``more`` namespaces (CLONE_NEWPID) with it."""
    if libc.unshare(CLONE_NEWNS | more) == 0:
        return
    uid, gid = os.geteuid(), os.getegid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | more) != 0:
        raise _Failed("unshare", ctypes.get_errno())
    for name, text in (("uid_map", f"{uid} {uid} 1\n"), ("setgroups", "deny")):
        _write(f"/proc/self/{name}", text)
    _write("/proc/self/gid_map", f"{gid} {gid} 1\n")


def _write(path: str, text: str) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
        try:
            os.write(fd, text.encode())
        finally:
            os.close(fd)
    except OSError as e:
        raise _Failed("unshare", e.errno or 0) from e


def _mount(libc: ctypes.CDLL, what: str, *args: object) -> None:
    encoded = [a.encode() if isinstance(a, str) else a for a in args]
    if libc.mount(*encoded) != 0:
        raise _Failed(what, ctypes.get_errno())


def hide(
    libc: ctypes.CDLL,
    hidden: list[str],
    own: list[str],
    served: list[tuple[str, str]] | None = None,
    more: int = 0,
    hostname: str | None = None,
) -> None:
    """Covers ``hidden`` with empty read-only tmpfs mounts, ``own`` bound back, and each
    (source, target) of ``served`` bound over its target, in a mount namespace of its own
    (``more`` namespaces with it; a UTS one named ``hostname``); _Failed naming the step."""
    served = served or []
    _own_mount_namespace(libc, more | (CLONE_NEWUTS if hostname else 0))
    if hostname and libc.sethostname(hostname.encode(), len(hostname.encode())) != 0:
        raise _Failed("sethostname", ctypes.get_errno())
    try:  # in the new namespace: a bind takes its source from there only
        fds = [os.open(p, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC) for p in own]
        sources = [os.open(src, os.O_PATH | os.O_CLOEXEC) for src, _ in served]
    except OSError as e:
        raise _Failed("open", e.errno or 0) from e
    _mount(libc, "mount", None, "/", None, MS_REC | MS_SLAVE, None)
    targets = {dst for _, dst in served}  # served below, not covered
    mounted = [p for p in hidden if p not in targets and os.path.isdir(p)]
    for path in mounted:
        _mount(
            libc, "mount", "clonespace-hidden", path, "tmpfs", HIDDEN_FLAGS, "mode=0755,size=64k"
        )
    for path, fd in zip(own, fds, strict=True):
        try:
            os.makedirs(path, 0o755, exist_ok=True)
        except OSError as e:
            raise _Failed("mkdir", e.errno or 0) from e
        _mount(libc, "bind", f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC, None)
        os.close(fd)
    for (_, dst), fd in zip(served, sources, strict=True):
        if _same_kind(fd, dst):
            _mount(libc, "serve", f"/proc/self/fd/{fd}", dst, None, MS_BIND | MS_REC, None)
        os.close(fd)
    for path in mounted:
        _mount(libc, "remount", None, path, None, MS_REMOUNT | MS_RDONLY | HIDDEN_FLAGS, None)


def _same_kind(fd: int, target: str) -> bool:
    """Whether ``target`` exists and is what the source open at ``fd`` is (a directory or
    not): only then is it served (a target not there is left to the hooks)."""
    return os.path.exists(target) and os.path.isdir(target) == os.path.isdir(f"/proc/self/fd/{fd}")


def _into_served_view(directory: str | None, served: list[tuple[str, str]]) -> None:
    """Started in a served tree: the working directory moves to the served view of the
    same path (where that has no such directory it stays the real one, kept out)."""
    if directory is None:
        return
    for _, dst in served:
        if directory == dst or directory.startswith(dst.rstrip("/") + "/"):
            try:  # noqa: SIM105 (the entry imports as little as it can)
                os.chdir(directory)
            except OSError:
                pass
            return


def _status(status: int) -> int:
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


def _relayed() -> set[int]:
    import signal

    return {signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2}


def _relay_signals(to: int) -> None:
    """Passes on what is sent to this process alone (SIGINT and SIGQUIT come from the
    terminal to the whole process group, the program included: not passed twice). They
    were blocked across the fork (none lost, none killing this process meanwhile)."""
    import signal

    for signum in _relayed():
        signal.signal(signum, lambda n, _frame: os.kill(to, n))
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _relayed())


def _die_with_parent(libc: ctypes.CDLL) -> None:
    import signal

    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        _fail("pdeathsig", ctypes.get_errno())


def run_in_pid_namespace(libc: ctypes.CDLL, argv: list[str], parent: int) -> None:
    """``-p``: ``argv`` as the only child of the init of the new PID namespace (this
    process's first child). When it exits, the init exits with its status and the kernel
    kills whatever it left in the namespace: the run ends, nothing outlives it. The entry
    and its init each end with their parent, even one killed with SIGKILL."""
    import select
    import signal

    _die_with_parent(libc)
    if os.getppid() != parent:  # gone already
        os._exit(125)
    alive_r, alive_w = os.pipe()  # the init's view of its parent (no pid in its namespace)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGQUIT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, _relayed())
    init = os.fork()
    if init > 0:
        os.close(alive_r)
        _relay_signals(init)
        os._exit(_status(os.waitpid(init, 0)[1]))
    os.close(alive_w)
    _die_with_parent(libc)
    if select.select([alive_r], [], [], 0)[0]:  # the entry's end closed: it is gone
        os._exit(125)
    os.close(alive_r)
    child = os.fork()
    if child == 0:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGQUIT, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _relayed())
        try:
            os.execv(argv[0], argv)
        except OSError as e:
            os.write(2, f"clonespace-boundary: {argv[0]}: {e.strerror}\n".encode())
            os._exit(127 if isinstance(e, FileNotFoundError) else 126)
    _relay_signals(child)
    while True:
        done, status = os.wait()
        if done == child:
            os._exit(_status(status))


def enter(
    ruleset_fd: str,
    filter_hex: str,
    argv: list[str],
    hidden: list[str] | None = None,
    own: list[str] | None = None,
    required: bool = False,
    directory: str | None = None,
    served: list[tuple[str, str]] | None = None,
    pid_namespace: bool = False,
    hostname: str | None = None,
) -> None:
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    required = required or pid_namespace
    if directory is not None:
        try:
            os.chdir(directory)
        except OSError as e:
            os.write(2, f"clonespace-boundary: cd {directory}: {e.strerror}\n".encode())
            os._exit(126)
    if hidden or served or pid_namespace or hostname:
        try:
            more = CLONE_NEWPID if pid_namespace else 0
            hide(libc, hidden or [], own or [], served, more, hostname)
        except _Failed as e:
            if required or e.what != "unshare":  # half-made: never run
                _fail(e.what, e.errno)
            os.write(2, NOT_HIDDEN.format(f"{e.what}: {os.strerror(e.errno)}").encode())
        else:
            _into_served_view(directory, served or [])
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
    if pid_namespace:
        run_in_pid_namespace(libc, argv, parent)
    try:
        os.execv(argv[0], argv)
    except OSError as e:
        _fail(f"exec {argv[0]}", e.errno or 0)


def main(args: list[str]) -> None:
    hidden: list[str] = []
    own: list[str] = []
    served: list[tuple[str, str]] = []
    directory: str | None = None
    required, pid_namespace, i = False, False, 2
    hostname: str | None = None
    while i < len(args) and args[i] != "--":
        if args[i] == "-r":
            required = True
        elif args[i] == "-p":
            pid_namespace = True
        elif args[i] == "-n" and i + 1 < len(args):
            hostname = args[i + 1]
            i += 1
        elif args[i] == "-C" and i + 1 < len(args):
            directory = args[i + 1]
            i += 1
        elif args[i] in ("-h", "-o") and i + 1 < len(args):
            (hidden if args[i] == "-h" else own).append(args[i + 1])
            i += 1
        elif args[i] == "-s" and i + 2 < len(args):
            served.append((args[i + 1], args[i + 2]))
            i += 2
        else:
            break
        i += 1
    if len(args) < 4 or i + 1 >= len(args) or args[i] != "--":
        os.write(
            2,
            b"usage: enter.py RULESET_FD FILTER_HEX [-C DIR] [-h DIR]... [-o DIR]..."
            b" [-s SRC DST]... [-n HOSTNAME] [-r] [-p] -- ...\n",
        )
        os._exit(125)
    enter(
        args[0],
        args[1],
        args[i + 1 :],
        hidden,
        own,
        required,
        directory,
        served,
        pid_namespace,
        hostname,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
