"""The Gadget's configuration file and the names of the payload's files in an APK.

The Gadget ``lib<name>.so`` reads ``lib<name>.config.so`` beside it (Frida's Android
convention: the installer only extracts ``lib*.so`` names). The config runs our agent
``lib<name>.script.so`` in *script* mode with the clone's policy as ``parameters`` (the
Gadget passes them to the agent's ``rpc.exports.init(stage, parameters)``). Script mode
only: a ``listen`` Gadget would open a debugging port that every app on the phone could
connect to.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_LIBRARY = "csrt"
_LIBRARY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


class ConfigError(ValueError):
    """A library name or a Gadget config that is not what a clone may carry."""


@dataclass(frozen=True)
class PayloadNames:
    """The file names of the payload in ``lib/<abi>/`` for library ``name``."""

    library: str

    def __post_init__(self) -> None:
        if not _LIBRARY.match(self.library) or "frida" in self.library:
            raise ConfigError(f"not a neutral library name: {self.library!r}")

    @property
    def gadget(self) -> str:
        return f"lib{self.library}.so"

    @property
    def config(self) -> str:
        return f"lib{self.library}.config.so"

    @property
    def script(self) -> str:
        return f"lib{self.library}.script.so"

    def all(self) -> tuple[str, str, str]:
        return self.gadget, self.config, self.script


def gadget_config(names: PayloadNames, policy: Mapping[str, Any]) -> bytes:
    """The config JSON: run ``names.script`` once at load with ``policy`` as parameters."""
    config = {
        "interaction": {
            "type": "script",
            "path": names.script,
            "on_change": "ignore",
            "parameters": dict(policy),
        }
    }
    return json.dumps(config, sort_keys=True, separators=(",", ":")).encode("utf-8")


def parse_config(data: bytes) -> dict[str, Any]:
    """Parse a Gadget config and insist on script mode (raises ConfigError otherwise)."""
    try:
        config = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ConfigError(f"gadget config is not JSON: {e}") from e
    interaction = config.get("interaction") if isinstance(config, dict) else None
    if not isinstance(interaction, dict) or interaction.get("type") != "script":
        kind = interaction.get("type") if isinstance(interaction, dict) else interaction
        raise ConfigError(f"gadget config interaction must be 'script', not {kind!r}")
    if interaction.get("on_change") != "ignore" or not isinstance(interaction.get("path"), str):
        raise ConfigError("gadget config must name a script path and on_change 'ignore'")
    assert isinstance(config, dict)
    return config
