"""hooks.procfs on real processes: this one, a zombie, one gone, one carrying Frida's agent,
one running a statically linked program, one traced by this process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from hooks import procfs
from tests.hooks.agent_fixtures import sleeping_process
from tests.hooks.programs import build


def test_this_process_is_listed_alive_and_started() -> None:
    me = os.getpid()
    assert me in set(procfs.pids())
    assert procfs.alive(me)
    assert procfs.state(me) == "R"  # reading its own stat
    started = procfs.start_ticks(me)
    assert started is not None and started == procfs.start_ticks(me, alive_only=True)
    assert procfs.stat(me) == procfs.Stat("R", os.getppid(), started)


def test_a_zombie_has_a_start_but_is_not_alive() -> None:
    child = subprocess.Popen(["true"])
    while procfs.state(child.pid) != "Z":
        time.sleep(0.01)
    try:
        assert not procfs.alive(child.pid)
        assert procfs.start_ticks(child.pid) is not None
        assert procfs.start_ticks(child.pid, alive_only=True) is None
        zombie = procfs.stat(child.pid)
        assert zombie is not None and (zombie.state, zombie.parent) == ("Z", os.getpid())
    finally:
        child.wait()
    assert procfs.state(child.pid) is None and procfs.stat(child.pid) is None
    assert procfs.agent_files(child.pid) == frozenset()


def test_a_file_is_read_whole_and_a_gone_process_reads_as_nothing(tmp_path: Path) -> None:
    big = tmp_path / "big"
    content = bytes(range(256)) * 1024  # several of read's chunks
    big.write_bytes(content)
    assert procfs.read(str(big)) == content
    child = subprocess.Popen(["true"])
    child.wait()
    assert procfs.read(f"/proc/{child.pid}/stat") is None
    assert procfs.name(child.pid) == "?"
    assert procfs.name(os.getpid()) == Path("/proc/self/comm").read_text().strip()


def test_an_attached_process_carries_the_agent_file_every_attach_shares() -> None:
    with sleeping_process() as (first, _), sleeping_process() as (second, _):
        files = procfs.agent_files(first)
        assert len(files) == 1
        assert procfs.agent_files(second) == files
    assert procfs.agent_files(os.getpid()) == frozenset()


def test_a_statically_linked_program_is_told_from_others(tmp_path: Path) -> None:
    static = build("escape", tmp_path, kind="static")
    script = tmp_path / "script"
    script.write_text("#!/bin/sh\ntrue\n")
    assert procfs.statically_linked(static)
    for other in (build("escape", tmp_path), Path("/bin/true"), script, tmp_path / "none"):
        assert not procfs.statically_linked(other), other
    with subprocess.Popen([static, "hold", str(script)], stdout=subprocess.PIPE) as running:
        try:
            assert running.stdout is not None and running.stdout.readline().startswith(b"HOLD")
            assert procfs.static_program(running.pid) == str(static)
            assert procfs.static_program(os.getpid()) is None
            assert procfs.name(running.pid) == "escape-static"
        finally:
            running.kill()


# asks to be traced by its parent (PTRACE_TRACEME), says so, then waits
TRACED = (
    "import ctypes, time; ctypes.CDLL(None).ptrace(0, 0, 0, 0); print(1, flush=True); "
    "time.sleep(30)"
)


def test_a_process_traced_by_this_one_names_a_thread_of_it_as_its_tracer() -> None:
    with (
        subprocess.Popen([sys.executable, "-c", TRACED], stdout=subprocess.PIPE) as traced,
        subprocess.Popen(["sleep", "30"]) as untraced,
    ):
        try:
            assert traced.stdout is not None and traced.stdout.readline() == b"1\n"
            tracer = procfs.tracer(traced.pid)
            assert tracer is not None
            assert procfs.owners(tracer) == (os.getpid(), os.getppid())
            assert procfs.tracer(untraced.pid) is None
        finally:
            traced.kill()
            untraced.kill()
    assert procfs.tracer(traced.pid) is None  # gone
    assert procfs.owners(traced.pid) == ()
