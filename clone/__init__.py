"""Clonespace orchestration: the registry, workflows, the ``clone`` CLI and the Python API.

``from clone import Space`` is the entry point for scripts and QA tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clone.space import Space

__all__ = ["Space"]


def __getattr__(name: str) -> Any:
    if name == "Space":
        from clone.space import Space

        return Space
    raise AttributeError(name)
