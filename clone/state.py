"""What the registry keeps of a clone beyond its name: the backend and its typed state.

Each backend records its own facts: a package clone its launcher and build summary, a user
clone its Android user, a virtual clone its storage root, a host clone its ``--data`` paths.
They are frozen dataclasses; ``to_json`` gives the JSON object the registry (column
``state``) and export archives (``clone.meta``) hold, with the keys schema 1's untyped
``meta`` dict had, and ``state_from_json`` reads it back, refusing a bad value with a
``ValueError`` that names the field.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias


class Backend(enum.StrEnum):
    """How a clone is made distinct (README: backends)."""

    PACKAGE = "package"
    VIRTUAL = "virtual"
    USER = "user"
    HOST = "host"


@dataclass(frozen=True)
class PackageState:
    """A renamed, re-signed clone APK installed as its own package."""

    launcher: str | None = None  # "package/full.Activity", else resolved on the device
    source_sha256: str | None = None  # of the APK it was built from (install records it)
    apk_sha256: str | None = None  # of the clone APK installed
    hooks: Mapping[str, Any] | None = None  # the build's payload summary (``clone build``)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.launcher is not None:
            out["launcher"] = self.launcher
        if self.source_sha256 is not None:
            out["source_sha256"] = self.source_sha256
        if self.apk_sha256 is not None:
            out["apk_sha256"] = self.apk_sha256
        if self.hooks is not None:
            out["hooks"] = dict(self.hooks)
        return out


@dataclass(frozen=True)
class UserState:
    """The app made available to a new Android user."""

    user: int
    installed_source: bool = False  # the clones installed the app (the last one removes it)
    launcher: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"user": self.user, "installed_source": self.installed_source}
        if self.launcher is not None:
            out["launcher"] = self.launcher
        return out


@dataclass(frozen=True)
class VirtualState:
    """One storage root of the app, switched to by the hook engine at spawn (rooted)."""

    storage: str  # under the app's data directory, e.g. app_clonespace/2
    installed_source: bool = False
    frida_server: str | None = None  # the binary given to ``install --frida-server``

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"storage": self.storage, "installed_source": self.installed_source}
        if self.frida_server is not None:
            out["frida_server"] = self.frida_server
        return out


@dataclass(frozen=True)
class HostState:
    """A Linux program's ``--data`` paths, served from the clone's store (in order)."""

    data: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {"data": list(self.data)}


BackendState: TypeAlias = PackageState | UserState | VirtualState | HostState


def host_data(record: _HasState) -> tuple[str, ...]:
    """A host clone's ``--data`` paths (none for a clone of another backend)."""
    return record.state.data if isinstance(record.state, HostState) else ()


class _HasState(Protocol):
    @property
    def state(self) -> BackendState: ...


STATE_TYPES: Mapping[Backend, type[BackendState]] = {
    Backend.PACKAGE: PackageState,
    Backend.USER: UserState,
    Backend.VIRTUAL: VirtualState,
    Backend.HOST: HostState,
}


def state_from_json(
    backend: Backend, obj: Mapping[str, Any], *, what: str = "state", strict: bool = True
) -> BackendState:
    """The state of a ``backend`` clone from its JSON object; ``ValueError`` naming the bad
    field (``what.field``). ``strict`` refuses unknown keys, else they are dropped."""
    known = {
        Backend.PACKAGE: {"launcher", "source_sha256", "apk_sha256", "hooks"},
        Backend.USER: {"user", "installed_source", "launcher"},
        Backend.VIRTUAL: {"storage", "installed_source", "frida_server"},
        Backend.HOST: {"data"},
    }[backend]
    unknown = sorted(set(obj) - known)
    if unknown and strict:
        raise ValueError(f"unknown field {what}.{unknown[0]} for a {backend.value} clone")
    if backend is Backend.PACKAGE:
        hooks = obj.get("hooks")
        if hooks is not None and not isinstance(hooks, Mapping):
            raise ValueError(f"bad {what}.hooks {hooks!r}: expected an object")
        return PackageState(
            launcher=_opt_text(obj, "launcher", what),
            source_sha256=_opt_text(obj, "source_sha256", what),
            apk_sha256=_opt_text(obj, "apk_sha256", what),
            hooks=dict(hooks) if hooks is not None else None,
        )
    if backend is Backend.USER:
        user = obj.get("user")
        if not isinstance(user, int) or isinstance(user, bool) or user < 0:
            raise ValueError(f"bad {what}.user {user!r}: expected an Android user id")
        return UserState(
            user, _flag(obj, "installed_source", what), _opt_text(obj, "launcher", what)
        )
    if backend is Backend.VIRTUAL:
        storage = obj.get("storage")
        if not isinstance(storage, str) or not storage:
            raise ValueError(f"bad {what}.storage {storage!r}: expected a storage directory")
        return VirtualState(
            storage, _flag(obj, "installed_source", what), _opt_text(obj, "frida_server", what)
        )
    data = obj.get("data", [])
    if not isinstance(data, list) or not all(isinstance(p, str) for p in data):
        raise ValueError(f"bad {what}.data {data!r}: expected the list of --data paths")
    return HostState(tuple(data))


def _opt_text(obj: Mapping[str, Any], key: str, what: str) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"bad {what}.{key} {value!r}: expected text")
    return value


def _flag(obj: Mapping[str, Any], key: str, what: str) -> bool:
    value = obj.get(key, False)
    if not isinstance(value, bool):
        raise ValueError(f"bad {what}.{key} {value!r}: expected true or false")
    return value
