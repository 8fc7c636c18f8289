"""Clonespace orchestration: the registry, the backends, the ``clone`` CLI and the Python API.

``from clone import Space`` is the entry point for scripts and QA tests; ``Space.get``,
``Space.install`` and ``Space.host_clone`` give a ``Clone``, one handle for every backend.
What this module exports is the public API (the launcher uses nothing else); the errors
are importable from here too. Names load on first use, so ``import clone`` stays cheap.
"""

from __future__ import annotations

import importlib

from clone.errors import (
    BadInput,
    Cancelled,
    CannotRun,
    CloneError,
    CommandNotFound,
    DeviceError,
    HookError,
    HostToolFailed,
    InstallError,
    NoDevice,
    NotFound,
    NotSupported,
    OperationFailed,
    ProgramLostProcesses,
)

TYPE_CHECKING = False  # typing's, without importing typing (``clone --help`` needs none)
if TYPE_CHECKING:
    from typing import Any

    from clone.faces import AppFace
    from clone.handle import Clone
    from clone.registry import CloneRecord
    from clone.space import Space
    from clone.state import (
        Backend,
        BackendState,
        HostState,
        PackageState,
        UserState,
        VirtualState,
    )
    from clone.workflows.device_policy import DeviceUpdate
    from clone.workflows.listing import CloneRow, CloneState

_LAZY = {
    "Space": "clone.space",
    "AppFace": "clone.faces",
    "Clone": "clone.handle",
    "CloneRecord": "clone.registry",
    "Backend": "clone.state",
    "BackendState": "clone.state",
    "PackageState": "clone.state",
    "UserState": "clone.state",
    "VirtualState": "clone.state",
    "HostState": "clone.state",
    "CloneRow": "clone.workflows.listing",
    "CloneState": "clone.workflows.listing",
    "DeviceUpdate": "clone.workflows.device_policy",
}

__all__ = [
    "AppFace",
    "Backend",
    "BackendState",
    "BadInput",
    "Cancelled",
    "CannotRun",
    "Clone",
    "CloneError",
    "CloneRecord",
    "CloneRow",
    "CloneState",
    "CommandNotFound",
    "DeviceError",
    "DeviceUpdate",
    "HookError",
    "HostState",
    "HostToolFailed",
    "InstallError",
    "NoDevice",
    "NotFound",
    "NotSupported",
    "OperationFailed",
    "PackageState",
    "ProgramLostProcesses",
    "Space",
    "UserState",
    "VirtualState",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'clone' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
