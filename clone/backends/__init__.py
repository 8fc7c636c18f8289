"""The backends, one module each: ``package``, ``virtual``, ``user`` (on a phone) and
``host`` (a Linux program under the same hook engine). ``backend_for(kind)`` gives the one
of a clone; ``able(action)`` the kinds that can do an action."""

from __future__ import annotations

import importlib

from clone.backends.base import Action, CloneBackend, RunRequest, Where
from clone.state import Backend

__all__ = ["Action", "CloneBackend", "RunRequest", "Where", "able", "backend_for"]


def backend_for(kind: Backend) -> CloneBackend:
    """The backend object of clones of ``kind`` (its module is imported on first use)."""
    module = importlib.import_module(f"clone.backends.{kind.value}")
    backend: CloneBackend = module.BACKEND
    return backend


def able(action: Action) -> list[Backend]:
    """The kinds of clone that can do ``action``, in ``Backend`` order."""
    return [kind for kind in Backend if action in backend_for(kind).actions]
