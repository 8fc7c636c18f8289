"""Frida sessions for one program and every process it starts (child gating).

Each gated child (fork, exec, ``system``/``posix_spawn``) is reported by Frida suspended; it
gets the same agent and policy before it is resumed. A child that cannot be instrumented is
killed rather than run without its policy.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from hooks.errors import HookStartError
from hooks.rpc import AgentRpc

if TYPE_CHECKING:
    import frida

EventHandler = Callable[[dict[str, Any]], None]
_ATTACH_ATTEMPTS = 3
_CLOSE_ROUNDS = 4
_CLOSE_QUIET_S = 2.0


class AgentSessions:
    """The agent in a program and all its descendants, sharing one policy."""

    def __init__(
        self,
        device: frida.Device,
        source: str,
        policy: Mapping[str, Any],
        on_event: EventHandler | None = None,
    ) -> None:
        self._device = device
        self._source = source
        self._policy = policy
        self._on_event = on_event
        self._children: queue.Queue[int | None] = queue.Queue()
        self._lock = threading.Condition()
        self._live: dict[int, frida.Session] = {}
        self._scripts: dict[int, frida.Script] = {}
        self._pending = 0
        self._last_child = time.monotonic()
        self.errors: list[str] = []  # script errors reported by agents (not fatal)
        self.failures: list[Exception] = []  # children that could not be instrumented (killed)
        self._worker = threading.Thread(
            target=self._serve_children, name="clonespace-children", daemon=True
        )
        self._worker.start()
        device.on("child-added", self._on_child_added)

    def gate(self, pid: int) -> None:
        """Attaches to ``pid`` with child gating only (no agent): its exec image gets the agent."""
        self._attach(pid)

    def instrument(self, pid: int) -> AgentRpc:
        """Attaches, loads the agent, sends the policy; the caller resumes the process."""
        session = self._attach(pid)
        script = session.create_script(self._source, name="clonespace")
        script.on("message", self._on_message)
        script.load()
        with self._lock:
            self._scripts[pid] = script
        rpc = AgentRpc(script)
        rpc.init(self._policy)
        return rpc

    def wait_idle(self, pid: int, timeout: float) -> None:
        """Waits until no child is being instrumented and ``pid``'s session has gone."""
        with self._lock:
            self._lock.wait_for(lambda: self._pending == 0 and pid not in self._live, timeout)

    def settle(self, quiet: float, limit: float) -> None:
        """Waits until no child was reported for ``quiet`` seconds (at most ``limit``): Frida
        reports a fork made just before its parent exited only after that exit."""
        deadline = time.monotonic() + limit
        start = time.monotonic()
        with self._lock:
            while True:
                now = time.monotonic()
                idle_since = max(self._last_child, start)
                if (self._pending == 0 and now - idle_since >= quiet) or now >= deadline:
                    return
                self._lock.wait(min(quiet - (now - idle_since), deadline - now) or 0.01)

    def close(self) -> None:
        """Detaches from every process still attached, then stops handling children.

        A descendant still running (a daemon that outlived the program) keeps its agent:
        the script is eternalized before the detach, so its hooks stay in place (its own
        later children are no longer gated, and its events are no longer reported).
        Children reported meanwhile are still instrumented, then detached the same way.
        """
        for _ in range(_CLOSE_ROUNDS):
            with self._lock:
                self._lock.wait_for(lambda: self._pending == 0, _CLOSE_QUIET_S)
                live = list(self._live.values())
                self._live.clear()
                scripts = list(self._scripts.values())
                self._scripts.clear()
            if not live and not scripts:
                break
            for script in scripts:
                with contextlib.suppress(Exception):  # the process may be gone already
                    script.eternalize()
            for session in live:
                with contextlib.suppress(Exception):
                    session.detach()
        self._device.off("child-added", self._on_child_added)
        self._children.put(None)
        self._worker.join(timeout=5)

    def _attach(self, pid: int) -> frida.Session:
        """Attaches (see ``attach``) and enables child gating."""
        import frida

        session = attach(self._device, pid)
        try:
            session.enable_child_gating()
        except (
            frida.NotSupportedError,
            frida.InvalidOperationError,
            frida.ProcessNotFoundError,
            frida.PermissionDeniedError,
            frida.TimedOutError,
        ) as e:
            raise HookStartError(f"cannot gate the children of process {pid}: {e}") from e
        with self._lock:
            self._live[pid] = session
        session.on("detached", lambda reason, crash: self._on_detached(pid, session))
        return session

    def _on_detached(self, pid: int, session: frida.Session) -> None:
        with self._lock:
            if self._live.get(pid) is session:
                del self._live[pid]
            self._lock.notify_all()

    def _on_child_added(self, child: frida._frida.Child) -> None:
        with self._lock:
            self._pending += 1
            self._last_child = time.monotonic()
        self._children.put(child.pid)

    def _serve_children(self) -> None:
        # every child (fork, exec, spawn) gets its own agent: a fork child loses the parent's hooks
        while (pid := self._children.get()) is not None:
            try:
                self.instrument(pid)
                self._device.resume(pid)
            except (
                Exception
            ) as e:  # reported through .failures; the child is killed, never run bare
                self.failures.append(e)
                _kill(pid)
            finally:
                with self._lock:
                    self._pending -= 1
                    self._lock.notify_all()

    def _on_message(self, message: Mapping[str, Any], data: bytes | None) -> None:
        del data
        if message.get("type") == "error":
            self.errors.append(str(message.get("description", message)))
            return
        payload = message.get("payload")
        if self._on_event is None or not isinstance(payload, dict):
            return
        if payload.get("type") != "events":
            return
        for event in payload.get("events", []):
            if isinstance(event, dict):
                self._on_event(event)


def attach(device: frida.Device, pid: int) -> frida.Session:
    """A session on ``pid``. Under load Frida's injector now and then crashes ("loader
    crashed") or gives up waiting for the process to stop ("timed out"); the process is left
    as it was, so that is tried again. Raises HookStartError."""
    import frida

    for attempt in range(_ATTACH_ATTEMPTS):
        try:
            return device.attach(pid)
        except (frida.NotSupportedError, frida.TimedOutError) as e:
            transient = isinstance(e, frida.TimedOutError) or "loader crashed" in str(e)
            if not transient or attempt == _ATTACH_ATTEMPTS - 1:
                raise HookStartError(f"cannot attach to process {pid}: {e}") from e
        except (
            frida.InvalidOperationError,
            frida.ProcessNotFoundError,
            frida.PermissionDeniedError,
        ) as e:
            raise HookStartError(f"cannot attach to process {pid}: {e}") from e
    raise AssertionError("unreachable")


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
