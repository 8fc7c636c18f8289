"""Where the built agent lives: ``hooks/agent/dist/agent.js`` (package data, not committed)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from hooks.errors import AgentBundleMissing

_BUNDLE = Path(__file__).resolve().parent / "agent" / "dist" / "agent.js"


def how_to_build(bundle: Path = _BUNDLE) -> str:
    """What to do about a missing agent: in a checkout, build it; in an installed copy
    (site-packages, where no agent sources are), install a wheel that has it."""
    agent_dir = bundle.parent.parent
    if (agent_dir / "package.json").is_file():
        return "run 'make agent' (or 'npm run build' in hooks/agent)"
    return (
        "this installation has no agent: reinstall Clonespace from a wheel built in a "
        "checkout with 'pip wheel .' (that build makes the agent; it needs Node.js and npm)"
    )


def agent_path() -> Path:
    """The built agent bundle; raises AgentBundleMissing telling how to build it."""
    if not _BUNDLE.is_file():
        raise AgentBundleMissing(
            f"the Frida agent is not built ({_BUNDLE} is missing): {how_to_build()}"
        )
    return _BUNDLE


@lru_cache(maxsize=4)
def _read(path: Path, mtime_ns: int) -> str:
    del mtime_ns  # part of the cache key only: a rebuilt bundle is read again
    return path.read_text(encoding="utf-8")


def agent_source() -> str:
    """The agent's JavaScript source, read once per build."""
    path = agent_path()
    return _read(path, path.stat().st_mtime_ns)
