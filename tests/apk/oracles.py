"""Android's own tools as test oracles: aapt (badging, xmltree, resources) and zipalign."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

_ELEMENT = re.compile(r"^\s*E: ([\w-]+) ")
_ATTRIBUTE = re.compile(r'^\s*A: (?:android:)?([\w-]+)\([^)]*\)="([^"]*)"')
_DECLARATIONS = frozenset({"permission", "permission-group", "permission-tree"})


def _run(*args: str) -> str:
    tool = shutil.which(args[0])
    if tool is None:
        pytest.fail(f"{args[0]} is not installed (make installs it with apt-get)")
    done = subprocess.run([tool, *args[1:]], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed: {done.stderr}")
    return done.stdout


def zipalign_ok(apk: Path) -> bool:
    tool = shutil.which("zipalign")
    if tool is None:
        pytest.fail("zipalign is not installed (make installs it: apt-get install zipalign)")
    done = subprocess.run([tool, "-c", "-p", "4", str(apk)], capture_output=True, timeout=120)
    return done.returncode == 0


@dataclass(frozen=True)
class Badging:
    package: str
    launchable_activity: str | None


def badging(apk: Path) -> Badging:
    out = _run("aapt", "dump", "badging", str(apk))
    package = re.search(r"^package: name='([^']+)'", out, re.MULTILINE)
    launchable = re.search(r"^launchable-activity: name='([^']+)'", out, re.MULTILINE)
    assert package is not None, out[:500]
    return Badging(package.group(1), launchable.group(1) if launchable else None)


@dataclass(frozen=True)
class ManifestNames:
    authorities: frozenset[str]
    declared_permissions: frozenset[str]
    application_name: str | None


def manifest_names(apk: Path) -> ManifestNames:
    """Provider authorities and the permission names the app declares, per ``aapt``."""
    authorities: set[str] = set()
    declared: set[str] = set()
    application: str | None = None
    element = ""
    for line in _run("aapt", "dump", "xmltree", str(apk), "AndroidManifest.xml").splitlines():
        if m := _ELEMENT.match(line):
            element = m.group(1)
        elif m := _ATTRIBUTE.match(line):
            name, value = m.groups()
            if name == "authorities":
                authorities.update(value.split(";"))
            elif name == "name" and element in _DECLARATIONS:
                declared.add(value)
            elif name == "name" and element == "application":
                application = value
    return ManifestNames(frozenset(authorities), frozenset(declared), application)


def attribute_values(apk: Path, element: str, attribute: str) -> list[str]:
    """``android:<attribute>`` of every ``<element>`` of the manifest, in document order, as
    ``aapt dump xmltree`` prints them (a ``;``-separated list, like authorities, split)."""
    values: list[str] = []
    current = ""
    for line in _run("aapt", "dump", "xmltree", str(apk), "AndroidManifest.xml").splitlines():
        if m := _ELEMENT.match(line):
            current = m.group(1)
        elif (m := _ATTRIBUTE.match(line)) and current == element and m.group(1) == attribute:
            values.extend(v for v in m.group(2).split(";") if v)
    return values


def resource_package(apk: Path) -> str:
    out = _run("aapt", "dump", "resources", str(apk))
    match = re.search(r"Package Group 0 id=0x7f packageCount=\d+ name=(\S+)", out)
    assert match is not None, out[:500]
    return match.group(1)


@dataclass(frozen=True)
class Face:
    """``aapt dump badging``'s application label and its icon file per density (dpi)."""

    label: str | None
    icons: dict[int, str]


def face(apk: Path) -> Face:
    out = _run("aapt", "dump", "badging", str(apk))
    label = re.search(r"^application-label:'([^']*)'", out, re.MULTILINE)
    icons = {
        int(d): path for d, path in re.findall(r"^application-icon-(\d+):'([^']*)'", out, re.M)
    }
    return Face(label.group(1) if label else None, icons)
