"""Must show 1: two clones of one app, real C programs under the real hooks.

Each test runs ``clone host run`` (the console script) in a subprocess, so the whole path is
covered: the CLI, registration, the policy, the Frida agent and its CModule.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.hooks.programs import CLONE, HostRun, host_run, ops

pytestmark = pytest.mark.slow


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """The app's real data directory, with a file the clones must neither see nor touch."""
    real = tmp_path / "home" / ".local" / "share" / "notes"
    real.mkdir(parents=True)
    (real / "original.txt").write_text("the real user's notes\n")
    return real


def _snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(root)): (p.read_bytes() if p.is_file() else b"", p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
    }


def _store(clone_home: Path, index: int) -> Path:
    return clone_home / "store" / "host" / "notes" / str(index) / "data" / "0"


def _run(home: Path, index: int, data: Path, *argv: str | Path, **kw: object) -> HostRun:
    result = host_run(home, "notes", index, [data], [str(a) for a in argv], **kw)  # type: ignore[arg-type]
    assert result.returncode in (0, 1), result.stderr
    return result


def test_a_login_of_clone_1_is_never_seen_by_clone_2(
    fsops: Path, data: Path, clone_home: Path
) -> None:
    before = _snapshot(data)
    one = _run(clone_home, 1, data, fsops, *ops(["write", data / "login", "alice"]))
    assert one.results == [("OK", "write", "")]

    two = _run(clone_home, 2, data, fsops, *ops(["read", data / "login"], ["list", data]))
    assert two.results == [("ERR", "read", "ENOENT"), ("OK", "list", "")]

    again = _run(clone_home, 1, data, fsops, *ops(["read", data / "login"], ["list", data]))
    assert again.results == [("OK", "read", "alice"), ("OK", "list", "login")]

    assert (_store(clone_home, 1) / "login").read_text() == "alice"
    assert not (_store(clone_home, 2) / "login").exists()
    assert _snapshot(data) == before


WRITES = {
    "open": (["write", "{d}/by-open", "x"],),
    "openat on a dirfd": (["dirfd", "{d}"], ["write", "by-openat", "x"]),
    "relative after chdir": (["chdir", "{d}"], ["write", "by-chdir", "x"]),
    "rename": (["write", "{d}/tmp", "x"], ["rename", "{d}/tmp", "{d}/by-rename"]),
    "renameat on a dirfd": (
        ["dirfd", "{d}"],
        ["write", "t2", "x"],
        ["rename", "t2", "by-renameat"],
    ),
    "odd spelling": (["mkdir", "{d}//dir"], ["write", "{d}/dir//./by-odd", "x"]),
    "dotdot inside": (["mkdir", "{d}/a"], ["write", "{d}/a/../by-dotdot", "x"]),
    "proc self root": (["write", "/proc/self/root{d}/by-proc", "x"],),
    "creat": (["creat", "{d}/by-creat", "x"],),
    "child sh -c": (["spawn", "sh", "-c", "echo x > {d}/by-child"],),
    "system()": (["system", "echo x > '{d}/by-system'"],),
    "relative child after chdir": (["chdir", "{d}"], ["spawn", "sh", "-c", "echo x > by-sh-rel"]),
}
WHERE = {
    "open": "by-open",
    "openat on a dirfd": "by-openat",
    "relative after chdir": "by-chdir",
    "rename": "by-rename",
    "renameat on a dirfd": "by-renameat",
    "odd spelling": "dir/by-odd",
    "dotdot inside": "by-dotdot",
    "proc self root": "by-proc",
    "creat": "by-creat",
    "child sh -c": "by-child",
    "system()": "by-system",
    "relative child after chdir": "by-sh-rel",
}


@pytest.mark.parametrize("how", sorted(WRITES))
def test_writes_land_in_the_clone_store(
    how: str, fsops: Path, data: Path, clone_home: Path
) -> None:
    before = _snapshot(data)
    groups = [[part.replace("{d}", str(data)) for part in group] for group in WRITES[how]]
    result = _run(clone_home, 1, data, fsops, *ops(*groups))
    assert all(status == "OK" for status, _, _ in result.results), result.stdout
    landed = _store(clone_home, 1) / WHERE[how]
    assert landed.read_text().strip() == "x"
    assert _snapshot(data) == before  # the real data directory is untouched
    check = _run(clone_home, 1, data, fsops, *ops(["read", data / WHERE[how]]))
    assert check.results == [("OK", "read", "x")]


def test_getcwd_and_realpath_show_the_path_asked_for(
    fsops: Path, data: Path, clone_home: Path
) -> None:
    result = _run(
        clone_home,
        1,
        data,
        fsops,
        *ops(
            ["mkdir", data / "sub"],
            ["chdir", data / "sub"],
            ["getcwd"],
            ["realpath", "."],
            ["chdir", ".."],
            ["getcwd"],
        ),
    )
    assert result.results == [
        ("OK", "mkdir", ""),
        ("OK", "chdir", ""),
        ("OK", "getcwd", str(data / "sub")),
        ("OK", "realpath", str(data / "sub")),
        ("OK", "chdir", ""),
        ("OK", "getcwd", str(data)),
    ]
    assert (_store(clone_home, 1) / "sub").is_dir()
    assert not (data / "sub").exists()


def test_a_run_started_inside_the_data_path_starts_there(
    fsops: Path, data: Path, clone_home: Path
) -> None:
    """The boundary hides the real data path from the run; a run started in a directory
    there still starts in it (as the caller's shell was), and what it writes lands in its
    store."""
    (data / "sub").mkdir()
    _run(clone_home, 1, data, fsops, *ops(["mkdir", data / "sub"]))  # the clone's own sub
    result = _run(
        clone_home, 1, data, fsops, *ops(["getcwd"], ["write", "here", "x"]), cwd=data / "sub"
    )
    assert result.results == [("OK", "getcwd", str(data / "sub")), ("OK", "write", "")]
    assert (_store(clone_home, 1) / "sub" / "here").read_text() == "x"
    assert not (data / "sub" / "here").exists()


def test_the_clone_sees_its_own_machine_id(fsops: Path, data: Path, clone_home: Path) -> None:
    result = _run(clone_home, 1, data, fsops, *ops(["read", "/etc/machine-id"]))
    own = (clone_home / "store" / "host" / "notes" / "1" / "machine-id").read_text().strip()
    assert len(own) == 32
    assert result.results == [("OK", "read", own)]
    other = _run(clone_home, 2, data, fsops, *ops(["read", "/etc/machine-id"]))
    assert other.results[0][2] != own


def test_exit_status_and_trace(fsops: Path, data: Path, clone_home: Path, tmp_path: Path) -> None:
    trace = tmp_path / "trace.jsonl"
    home = clone_home
    store_two = home / "store" / "host" / "notes" / "2"
    _run(home, 2, data, fsops, "write", data / "login", "bob")
    result = host_run(
        home,
        "notes",
        1,
        [data],
        [fsops, *ops(["write", data / "login", "alice"], ["read", store_two / "data/0/login"])],
        trace=trace,
    )
    assert result.returncode == 1  # fsops' own status: one operation failed
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    assert {"redirect", "deny"} <= {e["type"] for e in events}
    redirect = next(e for e in events if e["type"] == "redirect" and "login" in e["path"])
    assert redirect["path"] == str(data / "login")
    assert redirect["real"] == str(_store(home, 1) / "login")
    assert all({"type", "op", "pid"} <= set(e) for e in events)
    status = host_run(home, "notes", 1, [data], ["sh", "-c", "exit 7"])
    assert status.returncode == 7


def test_the_clis_own_output_follows_the_programs_whole_into_a_pipe(
    data: Path, clone_home: Path
) -> None:
    # the CLI ends a process that loaded Frida without the interpreter's teardown
    # (clone.cli._exit_now): what it printed is still flushed, after the program's output
    cmd = [str(CLONE), "host", "run", "--app", "notes", "--clone", "1", "--data", str(data)]
    cmd += ["--json", "--", "sh", "-c", "echo from the program; exit 3"]
    env = {**os.environ, "CLONE_HOME": str(clone_home)}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 3, done.stderr
    first, rest = done.stdout.split("\n", 1)
    assert first == "from the program"
    assert json.loads(rest) == {"schema": 1, "clone": "notes:1", "exit_status": 3}


def test_space_host_clone_runs_a_program(fsops: Path, data: Path, clone_home: Path) -> None:
    from clone.space import Space

    with Space(clone_home) as space:
        notes = space.host_clone("notes", 1, data=[data])
    done = notes.run(
        [str(fsops), *ops(["write", data / "login", "carol"], ["read", data / "login"])]
    )
    assert (done.returncode, done.stdout) == (0, "OK write\nOK read carol\n")
    assert (notes.store / "data" / "0" / "login").read_text() == "carol"


def test_readlink_shows_the_path_the_program_linked_to(
    fsops: Path, data: Path, clone_home: Path
) -> None:
    argv = ops(
        ["write", data / "target", "t"],
        ["symlink", data / "target", data / "link"],
        ["readlink", data / "link"],
        ["read", data / "link"],
    )
    result = _run(clone_home, 1, data, fsops, *argv)
    assert result.results == [
        ("OK", "write", ""),
        ("OK", "symlink", ""),
        ("OK", "readlink", str(data / "target")),
        ("OK", "read", "t"),
    ]
    assert (_store(clone_home, 1) / "link").is_symlink()
    assert not (data / "link").exists()


@pytest.mark.parametrize(
    "respell", [lambda s: f"/{s}", lambda s: s.replace("/store/", "/store/./host/../")]
)
def test_readlink_of_a_link_made_outside_the_hooks_hides_the_store(
    fsops: Path, data: Path, clone_home: Path, respell: Callable[[str], str]
) -> None:
    """A link whose text names the store in another spelling (made by another program)
    reads back as the program's own path, never the store's."""
    _run(clone_home, 1, data, fsops, "write", data / "target", "t")
    store = _store(clone_home, 1)
    (store / "link").symlink_to(respell(f"{store}/target"))
    result = _run(clone_home, 1, data, fsops, *ops(["readlink", data / "link"]))
    assert result.results == [("OK", "readlink", str(data / "target"))]


def test_a_background_job_runs_to_its_end_under_the_policy(data: Path, clone_home: Path) -> None:
    """``clone host run`` ends when the job the command left has ended too, says why it
    waits, and returns the command's status; the job's writes, even those of a child it
    starts after the command exited, land in the store."""
    job = f"sleep 1.5; echo late > {data}/late; sh -c 'echo later > {data}/later'"
    result = host_run(clone_home, "notes", 1, [data], ["sh", "-c", f"({job}) & exit 3"])
    assert result.returncode == 3
    assert (_store(clone_home, 1) / "late").read_text() == "late\n"
    assert (_store(clone_home, 1) / "later").read_text() == "later\n"
    assert sorted(p.name for p in data.iterdir()) == ["original.txt"]
    [notice] = result.stderr.splitlines()
    assert notice.startswith("clone: the command exited (3); waiting for the ")
    assert "process" in notice and "it left running (pid " in notice


def test_a_store_inside_its_own_data_path_is_not_rewritten_twice(
    fsops: Path, tmp_path: Path
) -> None:
    """The virtual backend's shape on this machine: the real root (the store, in a CLONE_HOME
    inside the --data path) lies under its own virtual prefix. glibc's scandir calls the
    exported, hooked opendir and its realpath the hooked readlink and getcwd, with the path
    the hooks already rewrote, as bionic's fopen and opendir call open; rewriting it again
    looked for .../data/0/home/store/... (ENOENT)."""
    data = tmp_path / "app"
    home = data / "home"
    data.mkdir()
    (data / "original.txt").write_text("the real user's file\n")
    d = str(data)
    run = host_run(
        home,
        "notes",
        1,
        [data],
        [
            fsops,
            *ops(
                ["write", f"{d}/login", "alice"],
                ["scandir", d],
                ["fopen", f"{d}/login"],
                ["realpath", f"{d}/login"],
                ["mkdir", f"{d}/sub"],
                ["chdir", f"{d}/sub"],
                ["write", "note", "x"],
                ["realpath", "note"],
                ["getcwd"],
                ["scandir", "."],
            ),
        ],
    )
    assert run.results == [
        ("OK", "write", ""),
        ("OK", "scandir", "login"),
        ("OK", "fopen", "alice"),
        ("OK", "realpath", f"{d}/login"),
        ("OK", "mkdir", ""),
        ("OK", "chdir", ""),
        ("OK", "write", ""),
        ("OK", "realpath", f"{d}/sub/note"),
        ("OK", "getcwd", f"{d}/sub"),
        ("OK", "scandir", "note"),
    ], run.stderr
    store = home / "store" / "host" / "notes" / "1" / "data" / "0"
    assert sorted(str(p.relative_to(store)) for p in store.rglob("*")) == [
        "login",
        "sub",
        "sub/note",
    ]
    assert sorted(p.name for p in data.iterdir()) == ["home", "original.txt"]
