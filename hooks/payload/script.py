"""The agent a hooked clone's Gadget runs: the built ``hooks/agent/dist/agent.js``, and the
C fast path compiled ahead of time that each ABI's copy of it carries (``hooks.prebuilt``)."""

from __future__ import annotations

from pathlib import Path

from hooks.prebuilt import CMODULES, PrebuiltFastPath, read_prebuilt

AGENT_JS = Path(__file__).resolve().parent.parent / "agent" / "dist" / "agent.js"


class AgentNotBuilt(RuntimeError):
    """The agent's JS bundle is missing (``make agent`` builds it)."""


def agent_script(path: Path | None = None) -> bytes:
    """The bytes of the built agent (``path`` overrides where it is looked for)."""
    where = path or AGENT_JS
    try:
        data = where.read_bytes()
    except OSError as e:
        from hooks.agent_bundle import how_to_build

        raise AgentNotBuilt(
            f"the agent is not built ({where} is missing); {how_to_build(where)}"
        ) from e
    if not data.strip():
        raise AgentNotBuilt(f"the agent bundle {where} is empty; rebuild it with 'make agent'")
    return data


def prebuilt_fast_path(directory: Path | None = None) -> PrebuiltFastPath | None:
    """The fast path modules ``make agent`` built (``directory`` overrides where they are
    looked for); None when it built none."""
    return read_prebuilt(directory or CMODULES)
