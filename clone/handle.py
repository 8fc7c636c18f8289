"""``Clone``: the one handle on a registered clone, whatever its backend.

``Space.get``, ``Space.install`` and ``Space.host_clone`` give it. ``c.launch()``,
``c.stop()``, ``c.wipe()``, ``c.remove()``, ``c.pids()``, ``c.run(argv)`` and ``c.store``
ask the clone's backend (``clone.backends``); an action its backend cannot do raises
``NotSupported`` naming the backends that can. ``c.identity`` and ``c.accounts`` work on
every clone. The record is the registry's at the time the handle was made.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from clone.backends import Action, CloneBackend, RunRequest, Where, able, backend_for
from clone.backends.base import Launched, names
from clone.errors import NotSupported
from clone.registry import CloneRecord
from clone.state import Backend, BackendState

if TYPE_CHECKING:
    from clone.space import Space
    from identity import Account, Identity


@dataclass(frozen=True)
class Clone:
    """One clone and the Space it belongs to."""

    space: Space
    record: CloneRecord
    adb: str | None = None  # HOST:PORT of the adb server, None for the default

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def app(self) -> str:
        return self.record.app

    @property
    def index(self) -> int:
        return self.record.index

    @property
    def package(self) -> str | None:
        return self.record.package

    @property
    def device(self) -> str | None:
        return self.record.device

    @property
    def backend(self) -> Backend:
        return self.record.backend

    @property
    def state(self) -> BackendState:
        """What the backend recorded of this clone (e.g. a host clone's ``data`` paths)."""
        return self.record.state

    @property
    def identity(self) -> Identity:
        """The identity the clone answers with (every backend)."""
        return self.space.identity(self.record)

    @property
    def accounts(self) -> list[Account]:
        """The accounts the clone's policy serves (every backend)."""
        return self.space.accounts(self.record)

    @property
    def store(self) -> Path:
        """The directory holding the clone's data on this machine (host clones)."""
        return self._backend(Action.STORE).store(self._where(), self.record)

    def launch(self) -> Launched | None:
        """Start the clone's launcher activity on its device; how it was put on screen,
        when the backend says (the user backend: beside the owner, or a user switch)."""
        return self._backend(Action.LAUNCH).launch(self._where(), self.record)

    def guard_pid(self) -> int | None:
        """The pid of the ``clone guard`` on this host that holds the starts of this
        clone's app on its device, or None when none runs."""
        from clone.workflows.guard import guard_pid

        package = self.package or self.record.source_package
        return guard_pid(self.space.home, self.device or "", package)

    def stop(self) -> None:
        """Force-stop the clone on its device."""
        self._backend(Action.STOP).stop(self._where(), self.record)

    def wipe(self) -> None:
        """Clear the clone's data (the other clones keep theirs); its identity stays."""
        self._backend(Action.WIPE).wipe(self._where(), self.record)

    def remove(self) -> None:
        """Uninstall the clone (or delete its store) and forget it."""
        self._backend(Action.REMOVE).remove(self._where(), self.record)

    def pids(self) -> list[int]:
        """The pids of the clone's main process on its device (empty when it does not run)."""
        return self._backend(Action.PIDS).pids(self._where(), self.record)

    def run(
        self,
        argv: Sequence[str | os.PathLike[str]],
        *,
        check: bool = False,
        timeout: float | None = None,
        input: str | bytes | None = None,
        cwd: Path | str | None = None,
        env: Mapping[str, str] | None = None,
        capture_output: bool = True,
        text: bool = True,
        trace: Path | str | None = None,
    ) -> subprocess.CompletedProcess[str] | subprocess.CompletedProcess[bytes]:
        """Run ``argv`` as this clone under the hooks, like ``subprocess.run``: it returns a
        ``CompletedProcess`` once the program and every process it started have exited;
        output is captured (as text) unless ``capture_output=False``; ``check=True`` raises
        ``CalledProcessError`` on a non-zero status, ``timeout`` ``TimeoutExpired``.
        ``trace`` writes one JSON line per redirect, denial or spoof to that file.

        A program that is not found or cannot be run raises ``CommandNotFound`` or
        ``CannotRun``; a failure of Clonespace around it, ``HostToolFailed``.
        """
        if isinstance(argv, str | bytes):
            raise TypeError(
                f"run() takes a list of arguments, not a string: use run({[argv]!r}) or "
                f"run(shlex.split({argv!r}))"
            )
        words = tuple(os.fspath(a) for a in argv)
        if not words or not all(isinstance(w, str) for w in words):
            raise TypeError("run() needs a non-empty list of str (or path) arguments")
        request = RunRequest(
            argv=words,
            check=check,
            timeout=timeout,
            input=input,
            cwd=Path(cwd) if cwd is not None else None,
            env=env,
            capture_output=capture_output,
            text=text,
            trace=Path(trace) if trace is not None else None,
        )
        return self._backend(Action.RUN).run(self._where(), self.record, request)

    def to_json(self) -> dict[str, object]:
        return self.record.to_json()

    def _where(self) -> Where:
        return Where(self.space.registry, self.space.home, self.adb, self.space.require_boundary)

    def _backend(self, action: Action) -> CloneBackend:
        backend = backend_for(self.record.backend)
        if action not in backend.actions:
            can = able(action)
            raise NotSupported(
                f"{self.name} is a {self.record.backend.value} clone: {action.value} works on "
                f"{names(can)} clones",
                hint=_hint(self.record.backend, action),
            )
        return backend


def _hint(backend: Backend, action: Action) -> str | None:
    if backend is Backend.HOST and action in (Action.LAUNCH, Action.STOP, Action.PIDS):
        return "run it with 'clone host run' (Clone.run in Python)"
    if action in (Action.RUN, Action.STORE):
        return "a clone on a phone is started with launch; its data stays on the phone"
    return None
