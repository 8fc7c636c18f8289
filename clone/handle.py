"""``Clone``: a handle on one registered clone, as ``Space.get`` and ``Space.install`` give.

``c.launch()``, ``c.stop()``, ``c.wipe()``, ``c.remove()`` act on the clone's device;
``c.pids()`` says whether it runs. The record is the registry's, at the time of the call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from clone.registry import Backend, CloneRecord

if TYPE_CHECKING:
    from clone.space import Space
    from identity import Identity


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
    def package(self) -> str | None:
        return self.record.package

    @property
    def backend(self) -> Backend:
        return self.record.backend

    @property
    def identity(self) -> Identity:
        return self.space.identity(self.record)

    def launch(self) -> None:
        from clone.workflows import lifecycle

        lifecycle.launch(self.space.registry, self.record, self.space.home.root, self.adb)

    def stop(self) -> None:
        from clone.workflows import lifecycle

        lifecycle.stop(self.record, self.adb)

    def wipe(self) -> None:
        from clone.workflows import lifecycle

        if self.record.backend is Backend.HOST:
            lifecycle.wipe_host(self.space.home, self.record)
            return
        lifecycle.wipe(self.record, self.adb)

    def remove(self) -> None:
        from clone.workflows import lifecycle

        lifecycle.remove(self.space.registry, self.record, self.adb)
        if self.record.backend is Backend.HOST:
            lifecycle.forget_host_store(self.space.home, self.record)

    def pids(self) -> list[int]:
        """The pids of the clone's main process (empty when it does not run)."""
        from clone.workflows import lifecycle

        return lifecycle.pids(self.record, self.adb)

    def to_json(self) -> dict[str, object]:
        return self.record.to_json()
