"""The kernel boundary's parts (hooks/boundary) and where the kernel lacks Landlock.

The boundary holding against real attacks is shown in test_escape.py (its second part).
"""

from __future__ import annotations

import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from clone.space import Space
from hooks import boundary
from hooks.boundary import Boundary, Prepared, landlock, plan, seccomp
from hooks.errors import BoundaryUnavailable
from tests.conftest import RunCli


def test_grants_keep_the_trees_out_and_the_own_store_in(tmp_path: Path) -> None:
    home, data = tmp_path / "home", tmp_path / "u" / ".notes"
    for d in (home / "store" / "1", home / "store" / "2", data, tmp_path / "u" / "other"):
        d.mkdir(parents=True)
    (tmp_path / "sibling").write_text("x")
    own = home / "store" / "1"
    granted = {g.path: g.access for g in plan.grants([str(home), str(data)], [str(own)])}
    assert granted[str(own)] == plan.EVERYTHING
    assert granted[str(tmp_path / "sibling")] == plan.EVERYTHING
    assert granted[str(tmp_path / "u" / "other")] == plan.EVERYTHING
    for kept in (home, home / "store", home / "store" / "2", data, tmp_path, tmp_path / "u"):
        assert str(kept) not in granted  # nor anything on the way to the kept-out trees
    assert "/" not in granted
    assert not any(p.startswith(str(home / "store" / "2")) for p in granted)


def test_grants_never_give_device_nodes_or_raw_devices(tmp_path: Path) -> None:
    granted = plan.grants([str(tmp_path / "home")], [])
    assert all(g.access & (plan.MAKE_CHAR | plan.MAKE_BLOCK) == 0 for g in granted)
    dev = {g.path for g in granted if g.path.startswith("/dev/")}
    assert dev <= {f"/dev/{n}" for n in plan.DEV_ENTRIES}
    assert "/dev/null" in dev


def test_a_data_path_not_made_yet_cannot_be_made(tmp_path: Path) -> None:
    granted = {g.path for g in plan.grants([str(tmp_path / "u" / ".notes")], [])}
    assert str(tmp_path) not in granted  # its nearest existing ancestor: no rights


def test_hidden_trees_are_the_outermost_kept_out_ones_outside_the_own() -> None:
    keep_out = ["/h/clone-home", "/d/notes", "/d", "/h/clone-home/store/x", "/o/own/in"]
    own = ["/h/clone-home/store/host/notes/1", "/o/own"]
    assert plan.hidden(keep_out, own) == ["/d", "/h/clone-home"]


def test_the_filter_checks_the_architecture_first_and_allows_the_rest() -> None:
    code = bytes.fromhex(seccomp.filter_hex())
    insns = [struct.unpack("<HBBI", code[i : i + 8]) for i in range(0, len(code), 8)]
    assert insns[0] == (0x20, 0, 0, 4)  # ld arch
    assert insns[1][3] == seccomp.AUDIT_ARCH_X86_64
    assert insns[-1] == (0x06, 0, 0, seccomp.RET_ALLOW)
    assert "process_vm_readv" not in seccomp.REFUSED  # Frida's agent reads itself with it


def _run_filter(arch: int, nr: int, arg0: int = 0) -> int:
    """What the filter returns for one syscall: a tiny classic-BPF interpreter."""
    insns = seccomp.program()
    data = struct.pack("<iI", nr, arch) + struct.pack("<Q", 0) + struct.pack("<Q", arg0)
    pc, acc = 0, 0
    while True:
        i = insns[pc]
        if i.code == 0x20:
            acc = struct.unpack_from("<I", data, i.k)[0]
        elif i.code == 0x06:
            return i.k
        elif i.code in (0x15, 0x35, 0x45):
            hit = {0x15: acc == i.k, 0x35: acc >= i.k, 0x45: bool(acc & i.k)}[i.code]
            pc += i.jt if hit else i.jf
        else:
            raise AssertionError(f"unknown instruction {i}")
        pc += 1


def test_the_filter_refuses_exactly_its_list() -> None:
    x86_64, eperm = seccomp.AUDIT_ARCH_X86_64, seccomp.RET_ERRNO | 1
    refused = set(seccomp.REFUSED.values())
    for nr in range(0, 600):
        want = eperm if nr in refused else seccomp.RET_ALLOW
        if nr == seccomp.SYS_CLONE3:
            want = seccomp.RET_ERRNO | 38  # ENOSYS
        assert _run_filter(x86_64, nr) == want, nr
    assert _run_filter(x86_64, seccomp.SYS_CLONE, 0x11) == seccomp.RET_ALLOW  # fork-like
    assert _run_filter(x86_64, seccomp.SYS_CLONE, 0x10000000 | 0x11) == eperm  # NEWUSER
    assert _run_filter(x86_64, 0x40000000 | 2) == seccomp.RET_KILL_PROCESS  # x32
    assert _run_filter(0x40000003, 5) == seccomp.RET_KILL_PROCESS  # i386


def test_prepare_makes_a_ruleset_above_the_low_fds(tmp_path: Path) -> None:
    if landlock.abi_version() == 0:
        pytest.skip("this kernel has no Landlock")
    prepared = boundary.prepare(Boundary((str(tmp_path / "home"),), ()))
    try:
        assert prepared.ruleset_fd is not None and prepared.ruleset_fd >= 10
        assert not os.get_inheritable(prepared.ruleset_fd)
        argv = prepared.command(4, ["/bin/true"])
        assert argv[-2:] == ["--", "/bin/true"] and argv[len(boundary.entry())] == "4"
        home = str(tmp_path / "home")
        assert argv[len(boundary.entry()) + 2 : -2] == ["-h", home]  # nothing own to bind
    finally:
        prepared.close()


def test_without_landlock_prepare_is_seccomp_only_or_refuses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(landlock, "abi_version", lambda: 0)
    prepared = boundary.prepare(Boundary(("/nonexistent",), ()))
    command = prepared.command(4, ["x"])
    assert prepared.ruleset_fd is None and command[len(boundary.entry())] == "-"
    with pytest.raises(BoundaryUnavailable):
        boundary.prepare(Boundary(("/nonexistent",), (), require_landlock=True))


@pytest.mark.slow
def test_no_landlock_warns_once_and_require_boundary_exits_1(
    run_cli: RunCli, clone_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(landlock, "abi_version", lambda: 0)
    data = tmp_path / "d"
    base = ["host", "run", "--app", "notes", "--clone", "1", "--data", str(data)]
    refused = run_cli(*base, "--require-boundary", "--", "true")
    assert refused.exit_code == 1
    assert refused.stderr.startswith("clone: error: ") and "Landlock" in refused.stderr
    with Space(clone_home) as space:
        assert space.records() == []  # nothing registered
    warned = run_cli(*base, "--", "true")
    assert warned.exit_code == 0, warned.stderr
    assert [ln for ln in warned.stderr.splitlines() if "Landlock" in ln] == [
        "clone: warning: this kernel has no Landlock; the clone is held by the hooks and "
        "seccomp only, not by a filesystem boundary (--require-boundary makes this an error)"
    ]


def test_a_space_can_require_the_boundary(
    clone_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clone.errors import BoundaryMissing

    monkeypatch.setattr(landlock, "abi_version", lambda: 0)
    with Space(clone_home, require_boundary=True) as space, pytest.raises(BoundaryMissing):
        space.run_host("notes", 1, [tmp_path / "d"], ["true"])


def _entries() -> list[list[str]]:
    found = [[sys.executable, "-I", "-S", str(boundary.ENTER)]]
    if os.access(boundary.ENTER_BUILT, os.X_OK):
        found.append([str(boundary.ENTER_BUILT)])
    return found


@pytest.mark.parametrize("entry", _entries(), ids=lambda e: Path(e[-1]).name)
def test_the_entry_enters_the_boundary_then_execs(entry: list[str], tmp_path: Path) -> None:
    """Without the hooks at all: the kept-out file is refused by the kernel, the own store
    is not, and the filter is in place (an unshare fails)."""
    if landlock.abi_version() == 0:
        pytest.skip("this kernel has no Landlock")
    home = tmp_path / "home"
    (home / "own").mkdir(parents=True)
    (home / "secret").write_text("s")
    prepared = boundary.prepare(Boundary((str(home),), (str(home / "own"),)))
    assert prepared.ruleset_fd is not None
    script = f"cat {home}/secret; echo mine > {home}/own/f && echo wrote; unshare -m true"
    argv = [*entry, str(prepared.ruleset_fd), prepared.filter_hex, "--", "/bin/sh", "-c", script]
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=30, pass_fds=[prepared.ruleset_fd]
        )
    finally:
        prepared.close()
    assert done.stdout == "wrote\n", done.stderr
    assert "Permission denied" in done.stderr and "Operation not permitted" in done.stderr


def _as_nobody() -> list[str]:
    setpriv = shutil.which("setpriv")
    if setpriv is None or os.geteuid() != 0:
        return []
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


@pytest.mark.parametrize("user", ["self", "nobody"])
@pytest.mark.parametrize("entry", _entries(), ids=lambda e: Path(e[-1]).name)
def test_the_entry_hides_the_kept_out_trees_but_the_own(entry: list[str], user: str) -> None:
    """In the run's mount namespace, another store is not there at all (what Landlock does
    not check, like a named socket's path, finds nothing), the own one is, and writes to
    it land in the real store; outside the run nothing changed. As root the namespace is
    its own; another user gets it inside a user namespace keeping its ids."""
    prefix = _as_nobody() if user == "nobody" else []
    if user == "nobody" and not prefix:
        pytest.skip("needs root and setpriv to run as another user")
    with tempfile.TemporaryDirectory(dir="/tmp") as where:  # pytest's tmp_path is 0700
        _hides(prefix, entry, Path(where))


def _hides(prefix: list[str], entry: list[str], tmp_path: Path) -> None:
    home = tmp_path / "home"
    for d in (home / "store" / "1", home / "store" / "2"):
        d.mkdir(parents=True)
    (home / "store" / "2" / "secret").write_text("s")
    for d in (tmp_path, home, home / "store", home / "store" / "1", home / "store" / "2"):
        d.chmod(0o777)
    prepared = Prepared(None, seccomp.filter_hex(), (str(home),), (str(home / "store" / "1"),))
    script = (
        f"id -u; ls {home}/store; cat {home}/store/2/secret; echo mine > {home}/store/1/f"
        f" && echo wrote; touch {home}/planted"
    )
    argv = [
        *prefix,
        *entry,
        *prepared.command(4, ["/bin/sh", "-c", script])[len(boundary.entry()) :],
    ]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    uid = "65534" if prefix else str(os.geteuid())
    assert done.stdout == f"{uid}\n1\nwrote\n", done.stderr
    assert "No such file or directory" in done.stderr and "Read-only" in done.stderr
    assert (home / "store" / "1" / "f").read_text() == "mine\n"
    assert sorted(p.name for p in home.iterdir()) == ["store"]
    assert (home / "store" / "2" / "secret").read_text() == "s"


@pytest.mark.parametrize("user", ["self", "nobody"])
@pytest.mark.parametrize("entry", _entries(), ids=lambda e: Path(e[-1]).name)
def test_the_entry_serves_the_own_data_at_the_real_path(entry: list[str], user: str) -> None:
    """A served (source, real path): the real data path is not covered but shows the own
    store's data, so writes by any means land there, and a run started there works in
    that view; a served file (machine-id) shows the store's copy; a target that is not
    there is left alone; outside, nothing changed."""
    prefix = _as_nobody() if user == "nobody" else []
    if user == "nobody" and not prefix:
        pytest.skip("needs root and setpriv to run as another user")
    with tempfile.TemporaryDirectory(dir="/tmp") as where:
        _serves(prefix, entry, Path(where))


def _serves(prefix: list[str], entry: list[str], tmp: Path) -> None:
    home, data = tmp / "home", tmp / "data"
    own = home / "store" / "1"
    (own / "data" / "0").mkdir(parents=True)
    data.mkdir()
    (data / "f").write_text("real\n")
    (own / "data" / "0" / "f").write_text("mine\n")
    (tmp / "id").write_text("real-id\n")
    (own / "id").write_text("own-id\n")
    for d in (tmp, home, home / "store", own, own / "data", own / "data" / "0", data):
        d.chmod(0o777)
    served = (
        (str(own / "data" / "0"), str(data)),
        (str(own / "id"), str(tmp / "id")),
        (str(own / "data" / "0"), str(tmp / "absent")),
    )
    prepared = Prepared(
        None, seccomp.filter_hex(), (str(home), str(data)), (str(own),), False, served
    )
    # started in the data path: it works in the served view of it
    script = f"cat f {tmp}/id; echo new > {data}/g && echo wrote; ls {tmp}/absent"
    argv = [
        *prefix,
        *entry,
        *prepared.command(4, ["/bin/sh", "-c", script], str(data))[len(boundary.entry()) :],
    ]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    assert done.stdout == "mine\nown-id\nwrote\n", done.stderr
    assert "No such file or directory" in done.stderr
    assert (own / "data" / "0" / "g").read_text() == "new\n"
    assert sorted(p.name for p in data.iterdir()) == ["f"]
    assert (data / "f").read_text() == "real\n" and (tmp / "id").read_text() == "real-id\n"
    assert not (tmp / "absent").exists()


def test_a_served_path_holding_another_kept_out_tree_stays_covered() -> None:
    """A ``$CLONE_HOME`` inside the data path: binding the data over it would shadow the
    own store the hooks redirect into, so that data path is not served."""
    served = [("/d/home/store/1/data/0", "/d"), ("/h/home/store/1/data/1", "/e")]
    keep_out, own = ["/d/home", "/d", "/e"], ["/d/home/store/1"]
    assert plan.servable(served, keep_out, own) == [("/h/home/store/1/data/1", "/e")]
    assert plan.servable(served[1:], ["/h/home", "/e"], ["/h/home/store/1"]) == served[1:]


def test_prepare_grants_a_served_source_its_own_rule(tmp_path: Path) -> None:
    """Through its bind, a served source is reached without passing the own tree above it:
    with Landlock it needs a rule of its own, or the real data path would be refused."""
    if landlock.abi_version() == 0:
        pytest.skip("this kernel has no Landlock")
    home, data = tmp_path / "home", tmp_path / "data"
    source = home / "store" / "1" / "data" / "0"
    source.mkdir(parents=True)
    data.mkdir()
    (source / "f").write_text("mine")
    served = ((str(source), str(data)),)
    prepared = boundary.prepare(
        Boundary((str(home), str(data)), (str(home / "store" / "1"),), False, served)
    )
    assert prepared.served == served
    argv = prepared.command(prepared.ruleset_fd or 0, ["/bin/cat", str(data / "f")])
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=30, pass_fds=[prepared.ruleset_fd or 0]
        )
    finally:
        prepared.close()
    assert (done.returncode, done.stdout) == (0, "mine"), done.stderr


@pytest.mark.parametrize("entry", _entries(), ids=lambda e: Path(e[-1]).name)
def test_with_p_the_program_is_alone_in_a_pid_namespace(entry: list[str]) -> None:
    """``-p``: the program is pid 2 under an init of its own (pid 1); its exit status is
    the entry's, and a background job it left is gone once the entry has exited."""
    marker = "58.321"
    script = f"echo $$; sleep {marker} & exit 4"
    argv = [*entry, "-", seccomp.filter_hex(), "-p", "--", "/bin/sh", "-c", script]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout) == (4, "2\n"), done.stderr
    left = subprocess.run(["pgrep", "-f", f"sleep {marker}"], capture_output=True, text=True)
    assert left.stdout == ""


@pytest.mark.parametrize("entry", _entries(), ids=lambda e: Path(e[-1]).name)
def test_with_p_sigterm_to_the_entry_reaches_the_program(entry: list[str]) -> None:
    """SIGTERM sent to the entry (as ``clone`` passes it on) is relayed through the init
    to the program, whose status is then the entry's."""
    script = 'trap "echo got; exit 5" TERM; echo ready; while :; do sleep 0.05; done'
    argv = [*entry, "-", seccomp.filter_hex(), "-p", "--", "/bin/sh", "-c", script]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "ready\n"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 5
        assert proc.stdout.read() == "got\n"


@pytest.mark.parametrize("entry", _entries(), ids=lambda e: Path(e[-1]).name)
def test_with_p_the_program_ends_with_a_killed_entry(entry: list[str]) -> None:
    """The entry killed with SIGKILL (as ``clone`` may be): its init goes with it, and the
    namespace with the init, so the program does not run on unwatched."""
    marker = "57.654"
    script = f"echo ready; sleep {marker}"
    argv = [*entry, "-", seccomp.filter_hex(), "-p", "--", "/bin/sh", "-c", script]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "ready\n"
        proc.kill()
        proc.wait(timeout=30)
        deadline = time.monotonic() + 10  # SIGKILL down the chain lands at once; not 57 s
        while _pgrep(f"sleep {marker}") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _pgrep(f"sleep {marker}") == ""


def _pgrep(pattern: str) -> str:
    return subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout


@pytest.mark.parametrize("entry", _entries(), ids=lambda e: Path(e[-1]).name)
def test_without_a_mount_namespace_the_entry_warns_or_refuses(
    entry: list[str], tmp_path: Path
) -> None:
    """Inside another run's boundary (its filter refuses unshare) no namespace can be made:
    one warning line and the program runs, or with -r (--require-boundary) exit 125."""
    (tmp_path / "home" / "own").mkdir(parents=True)
    filter_hex = seccomp.filter_hex()
    hide = ["-h", str(tmp_path / "home"), "-o", str(tmp_path / "home" / "own")]
    outer = [*entry, "-", filter_hex, "--", *entry, "-", filter_hex, *hide]
    program = ["--", "/bin/sh", "-c", "echo ran"]
    warned = subprocess.run([*outer, *program], capture_output=True, text=True, timeout=30)
    assert (warned.returncode, warned.stdout) == (0, "ran\n"), warned.stderr
    assert warned.stderr == (
        "clone: warning: other clones' stores are not hidden (unshare: Operation not "
        "permitted): their named sockets stay reachable (--require-boundary makes this an "
        "error)\n"
    )
    refused = subprocess.run([*outer, "-r", *program], capture_output=True, text=True, timeout=30)
    assert (refused.returncode, refused.stdout) == (125, "")
    assert refused.stderr == "clonespace-boundary: unshare: Operation not permitted\n"
