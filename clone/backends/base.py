"""What every backend is: one protocol, the actions it can do, and where it acts.

A backend is a module-level object implementing ``CloneBackend`` for one ``Backend`` kind
(``package``, ``virtual``, ``user``, ``host``). ``clone.handle.Clone`` asks the backend of
its record; an action the backend does not list in ``actions`` raises ``NotSupported``
naming the backends that can.
"""

from __future__ import annotations

import enum
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from clone.home import Home
from clone.registry import CloneRecord, Registry
from clone.state import Backend

if TYPE_CHECKING:
    from clone.workflows.install import Advance, InstallJob


class Action(enum.StrEnum):
    """What a clone can be asked to do (not every backend can do each)."""

    LAUNCH = "launch"
    STOP = "stop"
    WIPE = "wipe"
    REMOVE = "remove"
    PIDS = "pids"
    RUN = "run"
    STORE = "store"


@dataclass(frozen=True)
class Where:
    """What a backend acts with: the registry, the state directory, the adb server."""

    registry: Registry
    home: Home
    adb: str | None = None  # HOST:PORT of the adb server, None for the default
    require_boundary: bool = False  # host runs: no Landlock is an error, not a warning


@dataclass(frozen=True)
class RunRequest:
    """``Clone.run``'s arguments, checked (``subprocess.run``'s names and meanings)."""

    argv: tuple[str, ...]
    check: bool = False
    timeout: float | None = None
    input: str | bytes | None = None
    cwd: Path | None = None
    env: Mapping[str, str] | None = None
    capture_output: bool = True
    text: bool = True
    trace: Path | None = None  # one JSON line per redirect, denial or spoof


@dataclass(frozen=True)
class Launched:
    """How ``launch`` put a clone on screen, when the backend has something to say:
    ``how`` is a short word (``profile``, ``switched``, ``on-screen``), ``text`` one line
    for people."""

    how: str
    text: str


class CloneBackend(Protocol):
    """One backend's side of every action ``Clone`` offers."""

    kind: Backend
    actions: frozenset[Action]

    def install(self, where: Where, job: InstallJob, advance: Advance) -> list[CloneRecord]:
        """Install ``job``'s clones on its device and register them, all or nothing."""
        ...

    def launch(self, where: Where, record: CloneRecord) -> Launched | None: ...

    def stop(self, where: Where, record: CloneRecord) -> None: ...

    def wipe(self, where: Where, record: CloneRecord) -> None: ...

    def remove(self, where: Where, record: CloneRecord) -> None: ...

    def pids(self, where: Where, record: CloneRecord) -> list[int]: ...

    def store(self, where: Where, record: CloneRecord) -> Path: ...

    def run(
        self, where: Where, record: CloneRecord, request: RunRequest
    ) -> subprocess.CompletedProcess[str] | subprocess.CompletedProcess[bytes]: ...

    # -- import (``clone import``): what a clone's name is bound to ---------------------

    def renamed(self, record: CloneRecord, app: str, index: int) -> CloneRecord:
        """``record`` imported as ``app:index``; BadInput when its backend forbids it."""
        ...

    def bound(self, record: CloneRecord) -> str | None:
        """What ties the clone's number to its phone (None: nothing, it may be renamed)."""
        ...

    def same_clone(self, record: CloneRecord, other: CloneRecord) -> bool:
        """Whether registered ``other`` (same app) is the very clone of ``record``."""
        ...


class Unsupported:
    """A base whose every action is refused; a backend overrides the ones it can do
    (``Clone`` checks ``actions`` first, so these are only reached by a bug)."""

    actions: frozenset[Action] = frozenset()

    def install(self, where: Where, job: InstallJob, advance: Advance) -> list[CloneRecord]:
        raise NotImplementedError

    def launch(self, where: Where, record: CloneRecord) -> Launched | None:
        raise NotImplementedError

    def stop(self, where: Where, record: CloneRecord) -> None:
        raise NotImplementedError

    def wipe(self, where: Where, record: CloneRecord) -> None:
        raise NotImplementedError

    def remove(self, where: Where, record: CloneRecord) -> None:
        raise NotImplementedError

    def pids(self, where: Where, record: CloneRecord) -> list[int]:
        raise NotImplementedError

    def store(self, where: Where, record: CloneRecord) -> Path:
        raise NotImplementedError

    def run(
        self, where: Where, record: CloneRecord, request: RunRequest
    ) -> subprocess.CompletedProcess[str] | subprocess.CompletedProcess[bytes]:
        raise NotImplementedError

    def renamed(self, record: CloneRecord, app: str, index: int) -> CloneRecord:
        raise NotImplementedError

    def bound(self, record: CloneRecord) -> str | None:
        return None

    def same_clone(self, record: CloneRecord, other: CloneRecord) -> bool:
        return False


def names(backends: Sequence[Backend]) -> str:
    """``package, virtual or user``."""
    words = [b.value for b in backends]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
