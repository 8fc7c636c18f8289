"""Clone package names: the ``--name-template`` expansion and what a name may be.

The template is a ``str.format`` string with ``{package}`` (the original package) and
``{n}`` (the clone's index), by default ``{package}.clone{n}``. A result must be a valid
Android application package name (two or more dot-separated Java identifiers of ASCII
letters, digits and ``_``), fit the 127 UTF-16 units of ``resources.arsc``, and differ
from the original and from every other clone. Which apps may be cloned at all:
``apk.platform_rules``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable

DEFAULT_TEMPLATE = "{package}.clone{n}"
MAX_PACKAGE_LENGTH = 127  # the resources.arsc package-name field, NUL excluded
_SEGMENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_FIELDS = frozenset({"package", "n"})


class ClonePackageError(ValueError):
    """A template or a resulting package name is unusable."""


def check_template(template: str) -> str:
    """``template`` if it only uses ``{package}`` and ``{n}``, and uses ``{n}``."""
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError as e:
        raise ClonePackageError(f"name template {template!r} is not valid: {e}") from e
    unknown = fields - _FIELDS
    if unknown:
        raise ClonePackageError(
            f"name template {template!r} uses {{{sorted(unknown)[0]}}}; "
            "only {package} and {n} are known"
        )
    if "n" not in fields:
        raise ClonePackageError(
            f"name template {template!r} has no {{n}}, so every clone would get the same name"
        )
    return template


def clone_package(template: str, package: str, index: int) -> str:
    """The package of clone ``index``: the expanded template, checked."""
    name = check_template(template).format(package=package, n=index)
    return check_package_name(name)


def clone_packages(template: str, package: str, indices: Iterable[int]) -> list[str]:
    """The packages of several clones; all distinct and none equal to ``package``."""
    names = [clone_package(template, package, i) for i in indices]
    for name in names:
        if name == package:
            raise ClonePackageError(f"name template {template!r} gives back {package!r} itself")
    if len(set(names)) != len(names):
        raise ClonePackageError(f"name template {template!r} gives two clones the same name")
    return names


def check_package_name(name: str) -> str:
    """``name`` if Android accepts it as an application package name."""
    if len(name) > MAX_PACKAGE_LENGTH:
        raise ClonePackageError(
            f"package name {name!r} is {len(name)} characters; at most {MAX_PACKAGE_LENGTH}"
        )
    segments = name.split(".")
    if len(segments) < 2 or not all(_SEGMENT.match(s) for s in segments):
        raise ClonePackageError(
            f"{name!r} is not a valid package name (two or more dot-separated parts, "
            "each a letter followed by letters, digits or _)"
        )
    return name
