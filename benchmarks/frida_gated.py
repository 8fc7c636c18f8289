"""Bare Frida following a program and every process it starts: the peer of ``clone host run``
that costs only what Frida itself costs (``benchmarks/peers.py``).

    .venv/bin/python benchmarks/frida_gated.py [--script | --agent POLICY] -- PROG [ARG...]

Started the way ``clone host run`` starts a program (``hooks/runner.py``): a ``sh`` gate,
this process's child, waits on a pipe; Frida attaches to it with child gating, the gate then
``exec``s the program. Each process Frida hands over (fork or exec, suspended) is attached
to with child gating, so its own children are followed too, and resumed. Nothing is injected
but Frida's own agent (which child gating needs); with ``--script`` each process also gets
an empty script (a JavaScript runtime, as every process of a clone gets one); with
``--agent POLICY`` (a JSON file) Clonespace's agent, loaded and given that policy as
``hooks/session.py`` does it: the hooks without the rest of ``clone host run``. No kernel
boundary, no supervision beyond waiting for the handed-over processes.
Exits with the program's status (125 if this driver fails, or, after 30 s, if Frida froze
handing a process over: Frida's bug, which clone host run reports the same way).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_GATE = 'read _ <&3 || exit 125; exec 3<&-; exec "$@"'
_SETTLE_S = 10.0
# a process held by Frida this long froze in its hand-over: as clone host run judges it
FROZEN_S = 30.0


class Follower:
    """Attaches to each process handed over, gates its children, resumes it."""

    def __init__(self, device: Any, script: bool, policy: Mapping[str, Any] | None) -> None:
        self._device = device
        self._script = script
        self._policy = policy
        self._lock = threading.Condition()
        self._pending = 0
        self._sessions: list[Any] = []
        self.failures: list[str] = []
        device.on("child-added", self._on_child_added)

    def follow(self, pid: int) -> None:
        session = self._device.attach(pid)
        session.enable_child_gating()
        if self._script:
            session.create_script("").load()
        if self._policy is not None:
            from hooks.agent_bundle import load_agent
            from hooks.rpc import AgentRpc

            AgentRpc(load_agent(session)).init(self._policy)
        with self._lock:
            self._sessions.append(session)

    def settle(self) -> None:
        """Waits until every child reported so far has been resumed."""
        with self._lock:
            if not self._lock.wait_for(lambda: self._pending == 0, _SETTLE_S):
                self.failures.append(f"children still being followed after {_SETTLE_S} s")

    def close(self) -> None:
        self._device.off("child-added", self._on_child_added)
        with self._lock:
            sessions = list(self._sessions)
        for session in sessions:
            with contextlib.suppress(Exception):  # the process is gone, and its session too
                session.detach()

    def _on_child_added(self, child: Any) -> None:
        # each child on its own thread (Frida's callback thread must not block on attach)
        with self._lock:
            self._pending += 1
        threading.Thread(target=self._serve, args=(child.pid,), daemon=True).start()

    def _serve(self, pid: int) -> None:
        try:
            self.follow(pid)
        except Exception as e:  # reported; the child is resumed all the same
            with self._lock:
                self.failures.append(f"process {pid}: {e}")
        try:
            self._device.resume(pid)
        except Exception as e:
            with self._lock:
                self.failures.append(f"resuming {pid}: {e}")
        with self._lock:
            self._pending -= 1
            self._lock.notify_all()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--script", action="store_true", help="an empty script in each process")
    kind.add_argument("--agent", type=Path, metavar="POLICY", help="the agent, given POLICY")
    parser.add_argument("program", nargs="+")
    args = parser.parse_args(argv)
    import frida

    policy = None if args.agent is None else json.loads(args.agent.read_text(encoding="utf-8"))
    follower = Follower(frida.get_local_device(), args.script, policy)
    pid, write_end = _start_gate(args.program)
    try:
        follower.follow(pid)
    except Exception as e:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        print(f"frida_gated: cannot attach to the gate: {e}", file=sys.stderr)
        return 125
    os.write(write_end, b"go\n")
    os.close(write_end)
    stuck = wait_exit(pid, FROZEN_S)
    if stuck:
        os.waitpid(pid, 0)
        held = ", ".join(str(p) for p in stuck)
        print(f"frida_gated: process {held} held by Frida for {FROZEN_S:g} s (a hand-over that"
              " froze, Frida's bug): killed", file=sys.stderr)  # fmt: skip
        sys.stderr.flush()
        os._exit(125)  # Frida's teardown would wait on the frozen process (its detach blocks)
    status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    follower.settle()
    follower.close()
    for failure in follower.failures:
        print(f"frida_gated: {failure}", file=sys.stderr)
    return 125 if follower.failures else (status if status >= 0 else 128 - status)


def wait_exit(pid: int, frozen_s: float, every_s: float = 2.0) -> list[int]:
    """Waits for the gate ``pid`` to exit, without waitpid until then (it would take Frida's
    ptrace stops). Meanwhile, every ``every_s``, looks for processes held under ptrace by
    Frida's injector in this process: one held for ``frozen_s`` is a fork hand-over that
    froze (Frida's bug, README "Commands"), which would hold the program for ever. Such
    processes are killed, the gate too, and returned; [] once the gate has exited."""
    from hooks import procfs
    from hooks.gate import signal_process
    from hooks.session import held_by_frida, overdue

    pidfd = os.pidfd_open(pid)
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    first_seen: dict[int, float] = {}
    try:
        while not poller.poll(int(every_s * 1000)):
            held = [p for p in procfs.pids() if held_by_frida(p)]
            stuck = overdue(first_seen, held, now=time.monotonic(), limit=frozen_s)
            if stuck:
                for p in (*stuck, pid):
                    signal_process(p, signal.SIGKILL)
                return stuck
    finally:
        os.close(pidfd)
    return []


def _start_gate(program: Sequence[str]) -> tuple[int, int]:
    """The gate, asleep reading its pipe (as ``hooks/runner.py`` waits for it: Frida's
    injector fails more often on a process still being loaded), and the pipe's write end."""
    read_end, write_end = os.pipe()
    if read_end == 3:  # dup2 onto itself would leave it close-on-exec
        read_end, moved = os.dup(read_end), read_end
        os.close(moved)
    actions = [(os.POSIX_SPAWN_DUP2, read_end, 3), (os.POSIX_SPAWN_CLOSE, write_end)]
    gate = ["/bin/sh", "-c", _GATE, "gate", *program]
    pid = os.posix_spawn(gate[0], gate, dict(os.environ), file_actions=actions)
    os.close(read_end)
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/wchan").read_text().endswith("pipe_read"):
                break
        except OSError:
            break
        time.sleep(0.002)
    return pid, write_end


if __name__ == "__main__":
    sys.exit(main())
