"""hooks.sentinels: a kept process gets its sentinel once it has run for the queue's delay,
none once it is gone or the queue is closed; a sentinel, once in, kills its process when the
session ends with the host gone. Real processes and Frida sessions; the delays are long
enough that "not yet" can be told from "in"."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from hooks import procfs
from hooks.agent_bundle import sentinel_source
from hooks.sentinels import SentinelQueue
from tests.hooks.agent_fixtures import sleeping_process


def _for_gone_host() -> str:
    """The sentinel for a host that has exited and been reaped."""
    child = subprocess.Popen(["true"])
    start = procfs.start_ticks(child.pid)
    child.wait()
    assert start is not None
    source = sentinel_source({"pid": child.pid, "start": start})
    assert source is not None  # make agent builds it
    return source


def _until(check: object, within: float = 20.0) -> bool:
    deadline = time.monotonic() + within
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_the_sentinel_comes_after_the_delay_and_guards_the_process() -> None:
    queue = SentinelQueue(_for_gone_host(), delay=0.5)
    try:
        with sleeping_process(60) as (pid, session):
            queue.add(pid, session)
            assert not queue.loaded(pid)  # not yet: the process runs without one for a moment
            assert _until(lambda: queue.loaded(pid))
            session.detach()  # as when the host dies: the sentinel is unloaded, host gone
            assert _until(lambda: not procfs.alive(pid))
    finally:
        queue.close()


def test_a_sentinel_is_forgotten_when_its_process_ends() -> None:
    me = procfs.start_ticks(os.getpid())
    assert me is not None
    source = sentinel_source({"pid": os.getpid(), "start": me})  # a host alive: nothing killed
    assert source is not None
    queue = SentinelQueue(source, delay=0.1)
    try:
        with sleeping_process(60) as (pid, session):
            queue.add(pid, session)
            assert _until(lambda: queue.loaded(pid))
            os.kill(pid, signal.SIGKILL)
            assert _until(lambda: not queue.loaded(pid))  # a long run keeps only the living
    finally:
        queue.close()


def test_a_process_gone_before_the_delay_gets_none() -> None:
    queue = SentinelQueue(_for_gone_host(), delay=0.3)
    try:
        with sleeping_process(60) as (pid, session):
            queue.add(pid, session)
            session.detach()  # its session ends first (the process exited, or was exec'd)
            time.sleep(0.6)
            assert not queue.loaded(pid)
            assert procfs.alive(pid)  # nothing was there to kill it
    finally:
        queue.close()


def test_a_closed_queue_loads_no_more() -> None:
    queue = SentinelQueue(_for_gone_host(), delay=0.3)
    with sleeping_process(60) as (pid, session):
        queue.add(pid, session)
        queue.close()
        time.sleep(0.6)
        assert not queue.loaded(pid)
        queue.add(pid, session)  # after close: ignored
        time.sleep(0.6)
        assert not queue.loaded(pid)
