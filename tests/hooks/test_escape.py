"""Must show 2: clone 1 tries every way out into clone 2's store; every attempt is held.

The second part (below) is the attack suite of the kernel boundary (issue #12): programs
that go past the hooks altogether, held by Landlock and seccomp.

Each case is one spelling of the victim's paths (how the attacker names them) times one
operation (what it tries). Every case runs ``clone host run`` with the ``fsops`` C program
as clone 1 and asserts: the operation failed with the deny errno (or ENOENT, where the way
in was refused earlier), the victim's store is byte-for-byte and inode-for-inode unchanged,
and the secret never reached clone 1 (not in its output, not in its store).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from clone.space import Space
from tests.hooks.programs import CLONE, HostRun, build, host_run, ops

pytestmark = pytest.mark.slow

SECRET = "victim-secret-4711"
HELD = {"EACCES", "ENOENT"}


@dataclass(frozen=True)
class World:
    fsops: Path
    home: Path  # CLONE_HOME
    data: Path  # the app's data path (virtual, the same for both clones)
    victim: Path  # clone 2's data root (real), holding "login"


@pytest.fixture
def world(fsops: Path, tmp_path: Path, clone_home: Path) -> World:
    """Clone 2 (the victim) registered, with its secret login in its store; clone 1 not yet."""
    data = tmp_path / "home" / "u" / ".notes"
    data.mkdir(parents=True)
    with Space(clone_home) as space:
        victim = space.host_clone("notes", 2, data=[data]).store / "data" / "0"
    victim.mkdir(parents=True)
    (victim / "login").write_text(SECRET)
    return World(fsops, clone_home, data, victim)


# -- spellings: (prefix operations, how a victim path is spelled) ------------------------

Spell = Callable[[World, Path], tuple[list[list[str]], str]]


def _direct(w: World, target: Path) -> tuple[list[list[str]], str]:
    return [], str(target)


def _dotdot_from_data(w: World, target: Path) -> tuple[list[list[str]], str]:
    up = "/".join([".."] * len(w.data.parts[1:]))
    return [], f"{w.data}/{up}{target}"


def _dotdot_from_own_store(w: World, target: Path) -> tuple[list[list[str]], str]:
    own = w.home / "store" / "host" / "notes" / "1" / "data" / "0"
    return [], f"{own}/../../../2/{target.relative_to(w.victim.parent.parent)}"


def _double_slash(w: World, target: Path) -> tuple[list[list[str]], str]:
    return [], "/" + str(target).replace("/", "//") + "//"


def _proc_self_root(w: World, target: Path) -> tuple[list[list[str]], str]:
    return [], f"/proc/self/root/./{target}"


def _proc_self_root_dotdot(w: World, target: Path) -> tuple[list[list[str]], str]:
    # the kernel takes /proc/self/root to "/" and ".." of "/" is "/": this is the target
    return [], f"/proc/self/root/..{target}"


def _own_real_data(w: World) -> Path:
    return w.home / "store" / "host" / "notes" / "1" / "data" / "0"


def _proc_self_cwd(w: World, target: Path) -> tuple[list[list[str]], str]:
    # /proc/self/cwd is a magic link to the *real* cwd (clone 1's store): ".." walks there
    return [["chdir", str(w.data)]], f"/proc/self/cwd/{os.path.relpath(target, _own_real_data(w))}"


def _proc_self_fd(w: World, target: Path) -> tuple[list[list[str]], str]:
    # the same through the magic link of a directory fd
    rest = os.path.relpath(target, _own_real_data(w))
    return [["dirfd", str(w.data)], ["nodirfd"]], f"/proc/self/fd/{{fd}}/{rest}"


def _dev_fd(w: World, target: Path) -> tuple[list[list[str]], str]:
    # /dev/fd is a symlink to /proc/self/fd
    rest = os.path.relpath(target, _own_real_data(w))
    return [["dirfd", str(w.data)], ["nodirfd"]], f"/dev/fd/{{fd}}/{rest}"


DEEP = ("a", "b", "c", "d", "e", "f", "g", "h")


def _dotdot_through_a_deep_symlink(w: World, target: Path) -> tuple[list[list[str]], str]:
    # s -> a/b/…/h inside clone 1: ".." after "s" climbs 8 levels for the kernel but only 1
    # for a lexical reading, so the path looks like it leaves CLONE_HOME altogether
    own = _own_real_data(w)
    made = [["mkdir", str(w.data.joinpath(*DEEP[: i + 1]))] for i in range(len(DEEP))]
    made.append(["symlink", "/".join(DEEP), str(w.data / "s")])
    common = w.victim.parent.parent.parent  # …/store/host/notes
    ups = len(own.parts) + len(DEEP) - len(common.parts)
    return made, f"{own}/s/{'../' * ups}{target.relative_to(common)}"


def _symlink_to_a_magic_link(w: World, target: Path) -> tuple[list[list[str]], str]:
    # the link's text is read by the kernel when it is followed, never by the hooks
    up = os.path.relpath(w.victim, _own_real_data(w))
    link = w.data / "magic"
    rest = target.relative_to(w.victim)
    # made while the cwd is elsewhere; its meaning changes with the later chdir
    made = [["symlink", f"/proc/self/cwd/{up}", str(link)], ["chdir", str(w.data)]]
    return made, str(link / rest) if rest.parts else str(link)


def _symlink_to_dev_fd(w: World, target: Path) -> tuple[list[list[str]], str]:
    up = os.path.relpath(w.victim, _own_real_data(w))
    link = w.data / "magic-fd"
    rest = target.relative_to(w.victim)
    made = [["dirfd", str(w.data)], ["nodirfd"], ["symlink", f"/dev/fd/{{fd}}/{up}", str(link)]]
    return made, str(link / rest) if rest.parts else str(link)


def _moved_in(how: str) -> Spell:
    """A symlink made outside the clone's data (where its text is harmless), moved in."""

    def spell(w: World, target: Path) -> tuple[list[list[str]], str]:
        text = os.path.relpath(w.victim, _own_real_data(w))
        outside = w.data.parent / "outside"  # not redirected, not denied: harmless there
        inside = w.data / f"moved-{how}"
        rest = target.relative_to(w.victim)
        made = [["mkdir", str(outside)]]
        if how == "directory":  # a whole directory holding the link, renamed in
            made += [["mkdir", f"{outside}/d"], ["symlink", f"../{text}", f"{outside}/d/l"]]
            made += [["rename", f"{outside}/d", str(inside)]]
            link = inside / "l"
        else:
            made += [["symlink", text, f"{outside}/l"], [how, f"{outside}/l", str(inside)]]
            link = inside
        return made, str(link / rest) if rest.parts else str(link)

    return spell


def _relative_after_chdir(w: World, target: Path) -> tuple[list[list[str]], str]:
    return [["chdir", str(w.data)]], os.path.relpath(target, w.data)


def _openat_dirfd(w: World, target: Path) -> tuple[list[list[str]], str]:
    return [["dirfd", str(w.data)]], os.path.relpath(target, w.data)


def _openat_root_dirfd(w: World, target: Path) -> tuple[list[list[str]], str]:
    return [["dirfd", "/"]], str(target).lstrip("/")


def _symlink_inside(w: World, target: Path) -> tuple[list[list[str]], str]:
    link = w.data / "way-out"
    rest = target.relative_to(w.victim)
    return [["symlink", str(w.victim), str(link)]], str(link / rest) if rest.parts else str(link)


def _relative_symlink_inside(w: World, target: Path) -> tuple[list[list[str]], str]:
    link = w.data / "rel-way-out"
    rest = target.relative_to(w.victim)
    relative = os.path.relpath(w.victim, w.data)
    return [["symlink", relative, str(link)]], str(link / rest) if rest.parts else str(link)


def _hard_link(w: World, target: Path) -> tuple[list[list[str]], str]:
    assert target.name == "login", "no hard links to directories (see _cases)"
    return [["link", str(target), str(w.data / "hard")]], str(w.data / "hard")


SPELLINGS: dict[str, Spell] = {
    "direct": _direct,
    "dotdot from the data path": _dotdot_from_data,
    "dotdot from the own store": _dotdot_from_own_store,
    "double slashes": _double_slash,
    "/proc/self/root": _proc_self_root,
    "/proc/self/root/..": _proc_self_root_dotdot,
    "/proc/self/cwd after chdir": _proc_self_cwd,
    "/proc/self/fd/N of a dirfd": _proc_self_fd,
    "/dev/fd/N of a dirfd": _dev_fd,
    "dotdot through an own deep symlink": _dotdot_through_a_deep_symlink,
    "symlink made inside to /proc/self/cwd": _symlink_to_a_magic_link,
    "symlink made inside to /dev/fd/N": _symlink_to_dev_fd,
    "symlink made outside, renamed in": _moved_in("rename"),
    "symlink made outside, hard-linked in": _moved_in("link"),
    "directory with a symlink renamed in": _moved_in("directory"),
    "relative after chdir": _relative_after_chdir,
    "openat on a dirfd": _openat_dirfd,
    "openat on a dirfd of /": _openat_root_dirfd,
    "symlink made inside pointing out": _symlink_inside,
    "relative symlink made inside": _relative_symlink_inside,
    "hard link": _hard_link,
}


# -- operations: what the attacker does with the spelled victim path ----------------------

# (setup of clone 1's own files, the attempted operation); {v} = the victim's "login",
# {vd} = the victim's data directory, {own} = a file of clone 1
OPERATIONS: dict[str, tuple[list[list[str]], list[str]]] = {
    "open for reading": ([], ["read", "{v}"]),
    "fopen": ([], ["fopen", "{v}"]),
    "open for writing": ([], ["write", "{v}", "pwned"]),
    "append": ([], ["append", "{v}", "pwned"]),
    "truncate": ([], ["truncate", "{v}"]),
    "chmod": ([], ["chmod", "{v}"]),
    "list": ([], ["list", "{vd}"]),
    "stat": ([], ["stat", "{v}"]),
    "lstat": ([], ["lstat", "{v}"]),
    "access": ([], ["access", "{v}"]),
    "unlink": ([], ["unlink", "{v}"]),
    "rename out of the store": ([], ["rename", "{v}", "{data}/stolen"]),
    "rename into the store": ([["write", "{own}", "x"]], ["rename", "{own}", "{vd}/planted"]),
    "hard link out of the store": ([], ["link", "{v}", "{data}/stolen"]),
    "hard link into the store": ([["write", "{own}", "x"]], ["link", "{own}", "{vd}/planted"]),
    "symlink into the store": ([], ["symlink", "{data}", "{vd}/planted"]),
    "mkdir in the store": ([], ["mkdir", "{vd}/planted"]),
}

ON_DIRECTORY = {"list", "rename into the store", "hard link into the store"}
ON_DIRECTORY |= {"symlink into the store", "mkdir in the store"}


# Every spelling is tried with these; the other operations with the plainer spellings.
CORE = {"open for reading", "open for writing", "list", "stat"}
CORE |= {"rename out of the store", "rename into the store"}
CORE |= {"hard link out of the store", "hard link into the store", "symlink into the store"}
PLAIN = {"direct", "dotdot from the data path", "relative after chdir", "openat on a dirfd"}
PLAIN |= {"symlink made inside pointing out"}
IN_A_CHILD = {"direct", "relative after chdir"}


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for spelling in SPELLINGS:
        for operation in OPERATIONS:
            if spelling == "hard link" and operation in ON_DIRECTORY:
                continue  # no hard links to directories
            if operation in CORE or spelling in PLAIN:
                cases.append((spelling, operation, ""))
            if operation in CORE and spelling in IN_A_CHILD:
                cases.append((spelling, operation, "child"))
    return cases


def _attempt(w: World, spelling: str, operation: str, child: bool) -> list[list[str]]:
    setup, attempt = OPERATIONS[operation]
    prefix_ops: list[list[str]] = []
    spelled: dict[str, str] = {}
    for key, target in (("{v}", w.victim / "login"), ("{vd}", w.victim)):
        if any(key in part for part in attempt):
            prefix, spelled[key] = SPELLINGS[spelling](w, target)
            prefix_ops += [p for p in prefix if p not in prefix_ops]
    spelled["{data}"] = str(w.data)
    spelled["{own}"] = str(w.data / "mine")

    def fill(group: list[str]) -> list[str]:
        out = []
        for part in group:
            for key in ("{vd}", "{v}", "{data}", "{own}"):  # {vd} before {v}
                part = part.replace(key, spelled.get(key, key))
            out.append(part)
        return out

    final = fill(attempt)
    if child:
        final = ["spawn", str(w.fsops), *final]
    return [*[fill(g) for g in setup], *prefix_ops, final]


def _state(root: Path) -> dict[str, tuple[object, ...]]:
    state: dict[str, tuple[object, ...]] = {}
    for p in sorted(root.rglob("*")):
        st = p.lstat()
        content = p.read_bytes() if p.is_file() and not p.is_symlink() else b""
        state[str(p.relative_to(root))] = (
            content,
            st.st_mode,
            st.st_nlink,
            st.st_ino,
            st.st_mtime_ns,
        )
    return state


@pytest.mark.parametrize(("spelling", "operation", "child"), _cases())
def test_escape_is_held(world: World, spelling: str, operation: str, child: str) -> None:
    argv = _attempt(world, spelling, operation, bool(child))
    victim_store = world.victim.parent
    before = _state(victim_store)
    result = host_run(world.home, "notes", 1, [world.data], [world.fsops, *ops(*argv)])
    assert result.returncode in (0, 1), result.stderr
    status, _, errno_name = result.results[-2] if child else result.last()
    if spelling == "hard link" and result.results[0][:2] == ("ERR", "link"):
        # the way in was refused; the operation then only met a file of clone 1's own
        status, _, errno_name = result.results[0]
    assert (status, errno_name in HELD) == ("ERR", True), result.stdout
    assert _state(victim_store) == before
    assert SECRET not in result.stdout + result.stderr
    own = world.home / "store" / "host" / "notes" / "1"
    for p in own.rglob("*"):
        if p.is_file() and not p.is_symlink():
            assert SECRET not in p.read_text(errors="replace"), p


def test_the_victim_still_reads_its_own_login(world: World) -> None:
    argv: list[str | Path] = [world.fsops, *ops(["read", world.data / "login"])]
    result = host_run(world.home, "notes", 2, [world.data], argv)
    assert result.results == [("OK", "read", SECRET)]


def test_clone_home_itself_is_out_of_reach(world: World) -> None:
    argv: list[str | Path] = [
        world.fsops,
        *ops(
            ["read", world.home / "registry.sqlite"],
            ["list", world.home],
            ["list", world.home / "store" / "host" / "notes"],
            ["write", world.home / "keys" / "planted", "x"],
        ),
    ]
    result = host_run(world.home, "notes", 1, [world.data], argv)
    assert [r[0] for r in result.results] == ["ERR"] * 4, result.stdout
    assert not (world.home / "keys" / "planted").exists()


# -- the kernel boundary: ways past the hooks (tests/hooks/programs/escape.c) -------------
#
# Each class of the issue (#12) is one run of ``escape`` (or its static build, or the
# ``preload`` library) as clone 1: every attempt line it prints must be an ERR (held or
# failed closed: the hooks, Landlock or seccomp refused), nothing of the victim may reach
# clone 1, neither the victim's store nor the real data directory may change, and the run
# must end within its timeout (``host_run`` raises TimeoutExpired otherwise).

ATTACK_TIMEOUT_S = 60


@dataclass(frozen=True)
class Programs:
    escape: Path
    static: Path
    preload: Path
    race: Path
    unpatch: Path


@pytest.fixture(scope="session")
def programs(tmp_path_factory: pytest.TempPathFactory) -> Programs:
    out = tmp_path_factory.getbasetemp() / "programs"
    return Programs(
        build("escape", out),
        build("escape", out, kind="static"),
        build("preload", out, kind="shared"),
        build("race", out),
        build("unpatch", out),
    )


@dataclass(frozen=True)
class Attack:
    """``argv(programs, world)`` of one run, and the attempts it must print as ERR; an
    attack on the real ``--data`` is instead *served*: the run's mount namespace shows
    clone 1's own store there, so those attempts get through (OK) and ``lands`` (a name)
    must then be in clone 1's store, the real data path untouched."""

    argv: Callable[[Programs, World], list[str | Path]]
    attempts: tuple[str, ...]
    served: tuple[str, ...] = ()
    lands: str = ""


def _login(w: World) -> Path:
    return w.victim / "login"


ATTACKS: dict[str, Attack] = {
    "raw syscall openat, reading the victim": Attack(
        lambda p, w: [p.escape, "raw-read", _login(w)], ("raw-read",)
    ),
    "raw syscall openat, creating in the real --data": Attack(
        lambda p, w: [p.escape, "raw-create", w.data / "planted"], (), ("raw-create",), "planted"
    ),
    "inline syscall instruction": Attack(
        lambda p, w: [p.escape, "inline-read", _login(w)], ("inline-read",)
    ),
    "io_uring": Attack(lambda p, w: [p.escape, "io_uring"], ("io_uring_setup",)),
    "openat2": Attack(lambda p, w: [p.escape, "openat2", _login(w)], ("openat2",)),
    "open_by_handle_at": Attack(
        lambda p, w: [p.escape, "handle", _login(w)], ("name_to_handle_at", "open_by_handle_at")
    ),
    "/proc/self/task/<tid>/root": Attack(
        lambda p, w: [p.escape, "task-root", _login(w)], ("task-root",)
    ),
    "dlmopen of a second libc": Attack(
        lambda p, w: [p.escape, "dlmopen", _login(w)], ("dlmopen-read",)
    ),
    "posix_spawn file actions, reading": Attack(
        lambda p, w: [p.escape, "spawn-read", _login(w)], ("spawn-read",)
    ),
    "posix_spawn file actions, creating": Attack(
        lambda p, w: [p.escape, "spawn-create", w.victim / "planted"], ("spawn-create",)
    ),
    "LD_PRELOAD constructor": Attack(
        lambda p, w: [
            "/usr/bin/env",
            f"LD_PRELOAD={p.preload}",
            f"ESCAPE_READ={_login(w)}",
            f"ESCAPE_CREATE={w.data / 'planted'}",
            "/bin/true",
        ],
        ("preload-read",),
        ("preload-create",),
        "planted",
    ),
    "PTRACE_TRACEME then execve": Attack(
        lambda p, w: [p.escape, "traceme", _login(w)], ("traceme", "read")
    ),
    "raw execve (an unhooked image)": Attack(
        lambda p, w: [p.escape, "raw-execve", _login(w)], ("read",)
    ),
    "chroot into the victim's store": Attack(
        lambda p, w: [p.escape, "chroot", w.victim, "/login"], ("chroot",)
    ),
    "unshare + bind mount": Attack(
        lambda p, w: [p.escape, "unshare-bind", w.victim, w.data],
        ("unshare-user", "unshare-ns", "bind-mount", "bind-read"),
    ),
    "AF_UNIX bind under --data": Attack(
        lambda p, w: [p.escape, "bind-unix", w.data / "sock"], (), ("bind-unix",), "sock"
    ),
    "AF_UNIX bind in the victim's store": Attack(
        lambda p, w: [p.escape, "bind-unix", w.victim / "sock"], ("bind-unix",)
    ),
}


def _assert_held(w: World, result: HostRun, attack: Attack) -> None:
    assert SECRET not in result.stdout + result.stderr
    lines = result.results
    assert [r[1] for r in lines if r[0] == "OK"] == list(attack.served), result.stdout
    tried = set(attack.attempts) | set(attack.served)
    assert {r[1] for r in lines} >= tried, (result.stdout, result.stderr)


@pytest.mark.parametrize("name", list(ATTACKS))
def test_kernel_boundary_holds(world: World, programs: Programs, name: str) -> None:
    attack = ATTACKS[name]
    victim_before, data_before = _state(world.victim.parent), _state(world.data)
    argv = attack.argv(programs, world)
    result = host_run(world.home, "notes", 1, [world.data], argv, timeout=ATTACK_TIMEOUT_S)
    _assert_held(world, result, attack)
    assert _state(world.victim.parent) == victim_before
    assert _state(world.data) == data_before
    if attack.lands:
        assert (_own_real_data(world) / attack.lands).exists(), result.stdout


UNHOOKED_READS = {
    "raw syscall openat": "raw-read",
    "inline syscall instruction": "inline-read",
    "openat2": "openat2",
}


@pytest.mark.parametrize("how", list(UNHOOKED_READS))
def test_code_the_hooks_never_see_still_reads_its_own_clones_data(
    world: World, programs: Programs, how: str
) -> None:
    """The stretch of #12 for the data paths: the run's mount namespace binds the clone's
    ``data/0`` over the real ``--data`` path, so a raw syscall reads what the hooks would
    have redirected it to (clone 1's copy), not the real file nor the victim's."""
    (world.data / "notes.txt").write_text("the real one")
    with Space(world.home) as space:  # registered first: a new clone starts with no data
        own = space.host_clone("notes", 1, data=[world.data]).store / "data" / "0"
    own.mkdir(parents=True)
    (own / "notes.txt").write_text("clone-1-notes")
    mode = UNHOOKED_READS[how]
    argv: list[str | Path] = [programs.escape, mode, world.data / "notes.txt"]
    result = host_run(world.home, "notes", 1, [world.data], argv, timeout=ATTACK_TIMEOUT_S)
    assert (mode, "clone-1-notes") in [(r[1], r[2]) for r in result.results if r[0] == "OK"], (
        result.stdout,
        result.stderr,
    )


def test_started_in_its_data_path_code_the_hooks_never_see_writes_its_own_data(
    world: World, programs: Programs
) -> None:
    """A run started in the real ``--data`` path works in the served view of it: a raw
    create of a relative name lands in clone 1's store, as the hooks would have put it."""
    argv: list[str | Path] = [programs.escape, "raw-create", "planted"]
    result = host_run(
        world.home, "notes", 1, [world.data], argv, cwd=world.data, timeout=ATTACK_TIMEOUT_S
    )
    assert [r[:2] for r in result.results] == [("OK", "raw-create")], (
        result.stdout,
        result.stderr,
    )
    assert (_own_real_data(world) / "planted").read_text() == "pwned\n"
    assert not (world.data / "planted").exists()


def test_code_the_hooks_never_see_reads_its_clones_machine_id(
    world: World, programs: Programs
) -> None:
    """The store's ``machine-id`` is bound over ``/etc/machine-id`` too: a raw read gets
    the clone's, which the hooks give to ``open`` (``clone identity``)."""
    if not os.path.isfile("/etc/machine-id"):
        pytest.skip("this machine has no /etc/machine-id to serve")
    argv: list[str | Path] = [programs.escape, "raw-read", "/etc/machine-id"]
    result = host_run(world.home, "notes", 1, [world.data], argv, timeout=ATTACK_TIMEOUT_S)
    own = (world.home / "store" / "host" / "notes" / "1" / "machine-id").read_text().strip()
    real = Path("/etc/machine-id").read_text().strip()
    assert own != real
    assert ("raw-read", own) in [(r[1], r[2]) for r in result.results if r[0] == "OK"], (
        result.stdout,
        result.stderr,
    )


def test_proc_of_another_clones_process_is_out_of_reach(world: World, programs: Programs) -> None:
    """Clone 2 runs (its cwd in its store, its login open and mapped); clone 1 tries its
    /proc/PID/{cwd,task/TID/cwd,root,task/TID/root,fd/N,task/TID/fd/N,map_files}."""
    cmd = [str(CLONE), "host", "run", "--app", "notes", "--clone", "2", "--data", str(world.data)]
    cmd += ["--", str(programs.escape), "hold", str(world.data / "login")]
    env = {**os.environ, "CLONE_HOME": str(world.home)}
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env) as victim:
        try:
            assert victim.stdout is not None
            line = victim.stdout.readline()  # "HOLD PID" once it holds (it sleeps 60 s)
            assert line.startswith("HOLD "), line
            argv: list[str | Path] = [programs.escape, "proc-other", line.split()[1]]
            argv.append(_login(world))
            result = host_run(world.home, "notes", 1, [world.data], argv, timeout=ATTACK_TIMEOUT_S)
        finally:
            victim.terminate()
            victim.wait(timeout=ATTACK_TIMEOUT_S)
    attempts: tuple[str, ...] = (
        "proc-cwd",
        "proc-task-cwd",
        "proc-root",
        "proc-task-root",
        "proc-fd",
    )
    attempts = (*attempts, "proc-task-fd", "proc-map-files")
    _assert_held(world, result, Attack(lambda p, w: [], attempts))


def test_another_clones_unix_sockets_are_out_of_reach(world: World, programs: Programs) -> None:
    """Clone 2 listens on pathname sockets in its own store (a stream socket that hands out
    its secret, a datagram one); clone 1 connects to and sends to them by path, also after
    trying to unmount what hides them, and by a relative path from a run started in clone
    2's store. Landlock (ABI 7) has no right for connecting to a named socket: the path
    must not resolve."""
    cmd = [str(CLONE), "host", "run", "--app", "notes", "--clone", "2", "--data", str(world.data)]
    cmd += ["--", str(programs.escape), "serve-unix", str(world.victim), SECRET]
    env = {**os.environ, "CLONE_HOME": str(world.home)}
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env) as victim:
        try:
            assert victim.stdout is not None
            line = victim.stdout.readline()  # "SERVE PID" once it listens (for 60 s)
            assert line.startswith("SERVE "), line
            assert (world.victim / "sock").is_socket()
            attacks: list[list[str | Path]] = [
                [programs.escape, "connect-unix", world.victim / "sock"],
                [programs.escape, "sendto-unix", world.victim / "dgram"],
                [programs.escape, "umount-connect", world.home, world.victim / "sock"],
            ]
            results = [
                host_run(world.home, "notes", 1, [world.data], a, timeout=ATTACK_TIMEOUT_S)
                for a in attacks
            ]
            relative: list[str | Path] = [programs.escape, "connect-unix", "sock"]
            started_there = host_run(
                world.home, "notes", 1, [world.data], relative, cwd=world.victim, timeout=60
            )
        finally:
            victim.terminate()
            served, _ = victim.communicate(timeout=ATTACK_TIMEOUT_S)
    tried = [("connect-unix",), ("sendto-unix",), ("umount", "connect-unix")]
    for result, attempts in zip(results, tried, strict=True):
        _assert_held(world, result, Attack(lambda p, w: [], attempts))
    # started in clone 2's store, its working directory would have stayed there: refused
    assert (started_there.returncode, started_there.stdout) == (126, "")
    assert started_there.stderr.startswith("clone: error: cannot run notes:1 from ")
    assert "inside $CLONE_HOME" in started_there.stderr
    assert "GOT" not in served, served


# -- races and self-repair: the hooks beaten on purpose, the kernel must still hold -------
#
# Each attack first beats the hooks (the test checks it did, from what the program saw),
# then tries clone 2's login or a file in the real --data through what it won: the login
# is refused (the trees are not there in the run's mount namespace, or Landlock refuses
# them); the file is served: the namespace shows clone 1's own data at the real path, so
# it lands there, as the hooks would have sent it, and the real --data stays untouched.

KERNEL_HELD = {"EACCES", "EPERM", "ENOENT", "EROFS"}
RACE_TARGETS: dict[str, Callable[[World], Path]] = {
    "read": _login,
    "create": lambda w: w.data / "planted",
}


def _climbing(w: World, target: Path, moved: Path) -> tuple[str, int]:
    """The text of a symlink standing in ``moved`` (real, in clone 1's store) that leads
    to ``target``, and how many levels it climbs."""
    text = os.path.relpath(target, moved)
    return text, text.split("/").count("..")


def _tried(result: HostRun, what: str) -> int:
    found = [ln.split()[2] for ln in result.stdout.splitlines() if ln.startswith(f"TRIED {what} ")]
    assert len(found) == 1, (result.stdout, result.stderr)
    return int(found[0])


def _assert_kernel_held(w: World, result: HostRun, what: str) -> None:
    assert SECRET not in result.stdout + result.stderr
    assert not (w.data / "planted").exists()
    if what.endswith("-create"):  # served: into clone 1's own data
        assert result.results and all(r[0] == "OK" for r in result.results), result.stdout
        assert (_own_real_data(w) / "planted").exists(), result.stdout
        return
    assert result.results and all(r[0] == "ERR" for r in result.results), result.stdout
    assert {r[2] for r in result.results if r[1] == what} <= KERNEL_HELD, result.stdout


@pytest.mark.parametrize("mode", list(RACE_TARGETS))
def test_a_rename_racing_a_symlink_made_in_it(world: World, programs: Programs, mode: str) -> None:
    """Two threads make ``DEEP/l`` through a dirfd (the text harmless there) while a third
    renames DEEP up to SHALLOW, where the text leads to the target: the hooks judged the
    link where it was, the kernel made it where the directory is now."""
    own = _own_real_data(world)
    text, ups = _climbing(world, RACE_TARGETS[mode](world), own / "x")
    deep = world.data.joinpath(*(f"p{i}" for i in range(ups)), "x")  # text stays inside
    victim_before, data_before = _state(world.victim.parent), _state(world.data)
    argv: list[str | Path] = [programs.race, "rename-race", mode, text, deep, world.data / "x"]
    result = host_run(world.home, "notes", 1, [world.data], [*argv, "20"], timeout=60)
    _assert_kernel_held(world, result, f"race-{mode}")
    assert _tried(result, f"race-{mode}") >= 1  # the race was won against the hooks
    assert _state(world.victim.parent) == victim_before
    assert _state(world.data) == data_before


@pytest.mark.parametrize("mode", list(RACE_TARGETS))
def test_a_relative_symlink_deeper_than_the_scan_moved_up(
    world: World, programs: Programs, mode: str
) -> None:
    """A symlink eight levels into a tree (the hooks scan a moved tree six deep), harmless
    where it was made; the tree is then renamed up, where the text leads to the target."""
    own = _own_real_data(world)
    levels = [str(i) for i in range(1, 9)]
    text, ups = _climbing(world, RACE_TARGETS[mode](world), own.joinpath("t", *levels))
    tree = world.data.joinpath(*(f"q{i}" for i in range(max(1, ups - 9))), "t")
    victim_before, data_before = _state(world.victim.parent), _state(world.data)
    argv: list[str | Path] = [programs.race, "deep-move", mode, text, tree]
    argv += [tree.joinpath(*levels), world.data / "t"]
    result = host_run(world.home, "notes", 1, [world.data], argv, timeout=ATTACK_TIMEOUT_S)
    _assert_kernel_held(world, result, f"deep-{mode}")
    assert _tried(result, f"deep-{mode}") == 1  # the moved link was there: the hooks let it
    assert _state(world.victim.parent) == victim_before
    assert _state(world.data) == data_before


def test_libcs_bytes_copied_over_the_hooks(world: World, programs: Programs) -> None:
    """The program restores libc's open functions from the file on disk (the hooks are
    gone: the same create that went to its store first now goes to the real path, where
    the run's namespace serves the same store; the victim's login stays out of reach)."""
    victim_before, data_before = _state(world.victim.parent), _state(world.data)
    argv: list[str | Path] = [programs.unpatch, _login(world), world.data / "planted"]
    result = host_run(world.home, "notes", 1, [world.data], argv, timeout=ATTACK_TIMEOUT_S)
    assert SECRET not in result.stdout + result.stderr
    lines = result.results
    assert lines[0][:2] == ("OK", "hooked-create"), result.stdout  # redirected: the hooks ran
    assert lines[1][:2] == ("OK", "unpatched") and int(lines[1][2]) >= 1, result.stdout
    assert [(r[0], r[1]) for r in lines[2:]] == [
        ("ERR", "unhooked-read"),
        ("OK", "unhooked-create"),
    ]
    assert lines[2][2] in KERNEL_HELD, result.stdout
    assert (_own_real_data(world) / "planted").exists()
    assert _state(world.victim.parent) == victim_before
    assert _state(world.data) == data_before


# -- a run always ends: what the hooks cannot follow is killed, with one line -------------

END_TIMEOUT_S = 90  # a process never handed over is killed after 30 s


@dataclass(frozen=True)
class Unfollowable:
    """``argv(programs, world)`` of one run, its exit status, the one stderr line's gist
    (None: no line), and the fsops lines it must print."""

    argv: Callable[[Programs, World], list[str | Path]]
    status: int
    says: str | None
    prints: tuple[tuple[str, str, str], ...]


UNFOLLOWABLE: dict[str, Unfollowable] = {
    "a raw clone() child that execs": Unfollowable(
        lambda p, w: [p.escape, "clone-exec", "raw", p.escape, "read", _login(w)],
        125,
        "was not handed over to the hooks within 30 s",
        (("OK", "clone-exec", "9"),),  # the child: killed by SIGKILL before it read
    ),
    "a clone3() child that execs": Unfollowable(
        lambda p, w: [p.escape, "clone-exec", "clone3", p.escape, "read", _login(w)],
        0,
        None,
        (("ERR", "clone-exec", "ENOSYS"),),  # seccomp: clone3 is not there (libc falls back)
    ),
    "a hooked program execs a static binary": Unfollowable(
        lambda p, w: [p.escape, "exec", p.static, "read", _login(w)],
        125,
        "which is statically linked: the hooks cannot follow it, so it was killed",
        (),
    ),
}


@pytest.mark.parametrize("name", list(UNFOLLOWABLE))
def test_a_run_always_ends(world: World, programs: Programs, name: str, supervisor: str) -> None:
    """What the hooks cannot follow inside a hooked run never hangs the run and never runs
    unhooked: it is killed with one clear line, or refused (``host_run`` raises
    TimeoutExpired if the run does not end). The same with a shared supervisor."""
    case = UNFOLLOWABLE[name]
    victim_before, data_before = _state(world.victim.parent), _state(world.data)
    argv = case.argv(programs, world)
    result = host_run(world.home, "notes", 1, [world.data], argv, timeout=END_TIMEOUT_S)
    assert result.returncode == case.status, result.stderr
    lines = result.stderr.splitlines()
    if case.says is None:
        assert lines == []
    else:
        assert len(lines) == 1 and lines[0].startswith("clone: error: "), lines
        assert case.says in lines[0], lines
    assert result.results == list(case.prints), result.stdout
    assert SECRET not in result.stdout + result.stderr
    assert _state(world.victim.parent) == victim_before
    assert _state(world.data) == data_before


# -- a static program: the kernel boundary alone (hooks/kernel_run.py) --------------------

STATIC_NOTE = "clone: note: {} is statically linked, so the hooks cannot follow it"


def test_a_static_program_runs_in_the_kernel_boundary_alone(
    world: World, programs: Programs
) -> None:
    """Run as the program itself, a static binary is not refused: one note line, then it
    runs with the kernel serving its clone's --data (its create lands in clone 1's store,
    the real --data untouched) and holding the rest (the victim's login is refused)."""
    victim_before, data_before = _state(world.victim.parent), _state(world.data)
    created = host_run(
        world.home, "notes", 1, [world.data], [programs.static, "create", world.data / "planted"]
    )
    stolen = host_run(
        world.home, "notes", 1, [world.data], [programs.static, "read", _login(world)]
    )
    for result in (created, stolen):
        assert result.stderr.splitlines() == [
            STATIC_NOTE.format(programs.static)
            + ": it runs in the kernel boundary alone, which serves it the clone's --data, "
            "machine-id and hostname (no trace, no accounts)"
        ]
    assert (created.returncode, created.results) == (0, [("OK", "create", "")]), created.stdout
    assert (_own_real_data(world) / "planted").read_text() == "pwned\n"
    assert [r[:2] for r in stolen.results] == [("ERR", "read")], stolen.stdout
    assert stolen.results[0][2] in KERNEL_HELD
    assert SECRET not in stolen.stdout
    assert _state(world.victim.parent) == victim_before
    assert _state(world.data) == data_before


def test_a_static_program_gets_its_clones_hostname(world: World, programs: Programs) -> None:
    """The kernel-only run's UTS namespace carries the clone's hostname (what ``uname``
    and /proc/sys/kernel/hostname say), not the machine's."""
    name = "/proc/sys/kernel/hostname"
    static = host_run(world.home, "notes", 1, [world.data], [programs.static, "read", name])
    with Space(world.home) as space:
        hostname = space.identity("notes:1").hostname
    assert static.results and static.results[0][:2] == ("OK", "read"), static.stdout
    assert static.results[0][2] == hostname != socket.gethostname()


def _running(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_what_a_static_program_leaves_ends_with_it(world: World, programs: Programs) -> None:
    """The static program is the only child of the init of a PID namespace of its own: its
    exit status is the run's, and what it left running (here a shell's background sleep)
    is killed with the namespace when it exits, so the run ends and nothing outlives it."""
    marker = "59.123"
    script = f"sleep {marker} & echo started; exit 7"
    argv: list[str | Path] = [programs.static, "exec", "/bin/sh", "-c", script]
    result = host_run(world.home, "notes", 1, [world.data], argv, timeout=ATTACK_TIMEOUT_S)
    assert (result.returncode, result.stdout) == (7, "started\n"), result.stderr
    deadline = time.monotonic() + 10  # the kernel's kill is asynchronous; it lands at once
    while _running(f"sleep\0{marker}") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _running(f"sleep\0{marker}") == []
