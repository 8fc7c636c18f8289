"""The commands other packages add to ``clone``: entry points of the group
``clonespace.commands`` (``clone ui`` is ``launcher_ui.cli:ui_cmd``).

Found without importlib.metadata, whose import (with the email parser it brings) costs
``clone --help`` about as much as the rest of it. The ``entry_points.txt`` of each installed
distribution is read as importlib.metadata reads it: the ``*.dist-info`` and ``*.egg-info``
directories of each ``sys.path`` entry, each distribution once (the first one on the path
wins), ``[group]`` sections of ``name = module:attribute`` lines.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Iterator

GROUP = "clonespace.commands"
_METADATA_DIRS = (".dist-info", ".egg-info")


def command_entry_points(group: str = GROUP, path: Iterable[str] | None = None) -> dict[str, str]:
    """``{name: "module:attribute"}`` of the entry points in ``group`` of the distributions
    on ``path`` (default: ``sys.path``)."""
    found: dict[str, str] = {}
    seen: set[str] = set()
    for folder in sys.path if path is None else path:
        for metadata in _metadata_dirs(folder or "."):
            distribution = _normalized(os.path.basename(metadata).rsplit(".", 1)[0].split("-")[0])
            if distribution in seen:
                continue
            seen.add(distribution)
            for name, value in _entries(os.path.join(metadata, "entry_points.txt"), group):
                found.setdefault(name, value)
    return found


def _metadata_dirs(folder: str) -> list[str]:
    try:
        names = sorted(os.listdir(folder))
    except OSError:  # not a directory (a zip file), or gone
        return []
    return [os.path.join(folder, n) for n in names if n.endswith(_METADATA_DIRS)]


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _entries(entry_points_txt: str, group: str) -> Iterator[tuple[str, str]]:
    try:
        with open(entry_points_txt, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return
    section = None
    for raw in lines:
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == group and "=" in line:
            name, value = (part.strip() for part in line.split("=", 1))
            yield name, value.split("[", 1)[0].strip()  # without its extras
