"""The commands other packages add to ``clone``: entry points of the group
``clonespace.commands`` (``clone ui`` is ``launcher_ui.command:UI``), and the installed
version of a distribution (``clone --version``).

Found without importlib.metadata, whose import (with the email parser it brings) costs
``clone --help`` about as much as the rest of it. The metadata of each installed
distribution is read as importlib.metadata reads it: the ``*.dist-info`` and ``*.egg-info``
directories of each ``sys.path`` entry, each distribution once (the first one on the path
wins); in its ``entry_points.txt``, ``[group]`` sections of ``name = module:attribute``
lines; in its ``METADATA`` (``PKG-INFO`` for an egg-info), the ``Version:`` header.
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
    for _, metadata in _distributions(path):
        for name, value in _entries(os.path.join(metadata, "entry_points.txt"), group):
            found.setdefault(name, value)
    return found


def distribution_version(name: str, path: Iterable[str] | None = None) -> str | None:
    """The version of the installed distribution ``name`` (as
    ``importlib.metadata.version`` gives it), or None when it is not installed on ``path``
    or its metadata has no version."""
    wanted = _normalized(name)
    for distribution, metadata in _distributions(path):
        if distribution == wanted:
            info = "METADATA" if metadata.endswith(".dist-info") else "PKG-INFO"
            return _header(os.path.join(metadata, info), "Version")
    return None


def _distributions(path: Iterable[str] | None) -> Iterator[tuple[str, str]]:
    """(normalized name, metadata directory) of each distribution on ``path`` (default:
    ``sys.path``), the first one of each name only."""
    seen: set[str] = set()
    for folder in sys.path if path is None else path:
        for metadata in _metadata_dirs(folder or "."):
            distribution = _normalized(os.path.basename(metadata).rsplit(".", 1)[0].split("-")[0])
            if distribution not in seen:
                seen.add(distribution)
                yield distribution, metadata


def _metadata_dirs(folder: str) -> list[str]:
    try:
        names = sorted(os.listdir(folder))
    except OSError:  # not a directory (a zip file), or gone
        return []
    return [os.path.join(folder, n) for n in names if n.endswith(_METADATA_DIRS)]


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _header(metadata_file: str, field: str) -> str | None:
    """A header's value in a core metadata file (RFC 822 headers, then a blank line)."""
    try:
        with open(metadata_file, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    break
                key, colon, value = line.partition(":")
                if colon and key.strip().lower() == field.lower():
                    return value.strip()
    except (OSError, UnicodeDecodeError):
        return None
    return None


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
