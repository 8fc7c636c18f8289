"""Naming rules for cloned manifests: package names, class names, renamed identifiers."""

from __future__ import annotations

import re

_PACKAGE = re.compile(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+")
_CLASS = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)+")
_NAME_CHAR = "A-Za-z0-9_"


class ManifestError(ValueError):
    """The manifest cannot be read or rewritten as asked (the message names the value)."""


def check_package_name(name: str) -> str:
    """``name`` if it is a valid application package name (two or more Java-like segments)."""
    if not _PACKAGE.fullmatch(name):
        raise ManifestError(
            f"{name!r} is not a valid package name (segments of letters, digits and _, "
            "each starting with a letter, at least two, joined by '.')"
        )
    return name


def check_class_name(name: str) -> str:
    """``name`` if it is a fully qualified Java class name (``org.example.App``)."""
    if not _CLASS.fullmatch(name):
        raise ManifestError(f"{name!r} is not a fully qualified class name (like org.example.App)")
    return name


def expand_class_name(package: str, name: str) -> str:
    """The full class name Android resolves ``name`` to in ``package`` (``.Main``, ``Main``)."""
    if name.startswith("."):
        return package + name
    if name and "." not in name:
        return f"{package}.{name}"
    return name


def _package_pattern(package: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![{_NAME_CHAR}]){re.escape(package)}(?![{_NAME_CHAR}])")


def rename_identifier(value: str, old: str, new: str) -> str:
    """A name that no longer equals the original's or another clone's: every whole-word
    occurrence of ``old`` becomes ``new``; a name without it gets the clone's suffix
    (``new`` minus the ``old`` prefix, e.g. ``.clone2``, else ``.`` + ``new``) appended."""
    renamed = _package_pattern(old).sub(lambda _: new, value)
    if renamed != value:
        return renamed
    suffix = new[len(old) :] if new.startswith(old + ".") else "." + new
    return value + suffix


def rename_prefixed(value: str, old: str, new: str) -> str:
    """``value`` with a leading ``old`` (as a whole word) replaced by ``new``; else unchanged."""
    match = _package_pattern(old).match(value)
    return new + value[match.end() :] if match else value
