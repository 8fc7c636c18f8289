"""``Space``: the Python API over one ``$CLONE_HOME`` (what the CLI and QA scripts use)."""

from __future__ import annotations

from pathlib import Path

from clone.home import Home
from clone.registry import CloneRecord, Registry


class Space:
    """All clones recorded under one state directory.

    ``Space()`` uses ``$CLONE_HOME`` (or the platform default); ``Space(home=path)`` another.
    Creating a Space touches nothing on disk; the registry opens on first use.
    """

    def __init__(self, home: Path | str | None = None) -> None:
        self.home = Home(Path(home).expanduser().absolute()) if home else Home.from_env()
        self._registry: Registry | None = None

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            self.home.ensure()
            self._registry = Registry(self.home.registry_path)
        return self._registry

    def close(self) -> None:
        if self._registry is not None:
            self._registry.close()
            self._registry = None

    def __enter__(self) -> Space:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def records(self) -> list[CloneRecord]:
        """Every registered clone, ordered by app and index."""
        return self.registry.clones()

    def record(self, name: str) -> CloneRecord:
        """One clone by ``APP:N`` or package name; NotFound (exit 2) if unknown."""
        return self.registry.get(name)
