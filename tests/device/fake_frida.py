"""A FAKE Frida device with spawn gating (what frida-server on a phone offers): the system
starting a process is ``start``; while gating is on the process waits, suspended, until it
is resumed or killed. It records what each process ends up as (running with the agent's
policy, running bare, or killed); it is not frida-server's behaviour, only its interface as
``hooks.spawn_gate`` uses it (tests labelled fake)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import frida


@dataclass(frozen=True)
class FakeSpawn:
    pid: int
    identifier: str


@dataclass
class FakeProcess:
    name: str
    state: str = "suspended"  # then "running" or "killed"
    policy: dict[str, Any] | None = None  # what the agent was initialised with


class _Exports:
    def __init__(self, process: FakeProcess, refuse: bool) -> None:
        self._process, self._refuse = process, refuse

    def init(self, policy: Mapping[str, Any]) -> None:
        if self._refuse:
            raise frida.RPCException("Error: invalid policy: redirects: not a list")
        self._process.policy = json.loads(json.dumps(policy))


class _Script:
    def __init__(self, process: FakeProcess, refuse: bool) -> None:
        self.exports_sync = _Exports(process, refuse)

    def load(self) -> None:
        pass

    def eternalize(self) -> None:
        pass


class _Session:
    def __init__(self, process: FakeProcess, refuse: bool) -> None:
        self._process, self._refuse = process, refuse

    def create_script(self, source: str, name: str) -> _Script:
        assert source and name
        return _Script(self._process, self._refuse)

    def detach(self) -> None:
        pass


@dataclass
class FakeFridaDevice:
    processes: dict[int, FakeProcess] = field(default_factory=dict)
    gating: bool = False
    refuse_policy: bool = False  # the agent rejects the policy (PolicyError)
    _listeners: list[Callable[[FakeSpawn], None]] = field(default_factory=list)
    _lost_listeners: list[Callable[..., None]] = field(default_factory=list)
    lost: bool = False
    _next_pid: int = 4000

    def start(self, name: str) -> int:
        """The system starts process ``name`` (a push, a job, a tap); its pid."""
        pid, self._next_pid = self._next_pid, self._next_pid + 1
        self.processes[pid] = FakeProcess(name, "suspended" if self.gating else "running")
        if self.gating:
            for listener in list(self._listeners):
                listener(FakeSpawn(pid, name))
        return pid

    def on(self, signal: str, callback: Callable[..., None]) -> None:
        assert signal in ("spawn-added", "lost")
        (self._listeners if signal == "spawn-added" else self._lost_listeners).append(callback)

    def off(self, signal: str, callback: Callable[..., None]) -> None:
        (self._listeners if signal == "spawn-added" else self._lost_listeners).remove(callback)

    def lose(self) -> None:
        """The connection to frida-server drops: Frida's device ``lost`` signal (it has no
        arguments); calls fail after."""
        self.lost = True
        for listener in list(self._lost_listeners):
            listener()

    def enable_spawn_gating(self) -> None:
        self.gating = True

    def disable_spawn_gating(self) -> None:
        if self.lost:
            raise frida.InvalidOperationError("device is gone")
        self.gating = False
        for process in self.processes.values():
            if process.state == "suspended":
                process.state = "running"

    def enumerate_pending_spawn(self) -> list[FakeSpawn]:
        return [FakeSpawn(p, s.name) for p, s in self.processes.items() if s.state == "suspended"]

    def attach(self, pid: int) -> _Session:
        process = self.processes[pid]
        if process.state == "killed":
            raise frida.ProcessNotFoundError(f"unable to find process with pid {pid}")
        return _Session(process, self.refuse_policy)

    def resume(self, pid: int) -> None:
        assert self.processes[pid].state == "suspended", self.processes[pid]
        self.processes[pid].state = "running"

    def kill(self, pid: int) -> None:
        self.processes[pid].state = "killed"
