"""Compiled resource XML (``res/xml/…``) that names the app's package, renamed with it.

Android reads some of an app's resource XML as references to the app itself: a shortcut's
or a preference's ``<intent android:targetPackage>``, a sync adapter's
``android:contentAuthority`` (which must be one of the app's provider authorities) and a
searchable's ``android:searchSuggestAuthority``. A clone keeps them pointing at the
original app unless they are renamed the way its manifest is (``apk.manifest``):
``targetPackage`` equal to the package becomes the clone's package, and an authority the
app's own manifest declares becomes the clone's (``rename_identifier``, as for
``<provider android:authorities>``); another app's authority (say the contacts provider's)
stays. A reference (``@string/…``) that must change becomes the renamed literal text.

Files are found by content, not by path (shrunk APKs name them ``res/-Y.xml``): a resource
XML under ``res/`` whose resource map holds one of these attribute ids.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from apk import android_attrs as attrs
from apk.axml import TYPE_REFERENCE, TYPE_STRING, Attribute, Document, parse, set_string_values
from apk.manifest import ResolveString
from apk.manifest_names import rename_identifier
from apk.zip_read import ZipArchive

_AUTHORITY_ATTRS = frozenset({attrs.CONTENT_AUTHORITY, attrs.SEARCH_SUGGEST_AUTHORITY})
_ATTRS = (attrs.TARGET_PACKAGE, *sorted(_AUTHORITY_ATTRS))
_ID_BYTES = tuple(struct.pack("<I", rid) for rid in _ATTRS)
_AXML_MAGIC = b"\x03\x00\x08\x00"  # RES_XML_TYPE, header size 8


@dataclass(frozen=True)
class PackageXml:
    """The resource XML files of one APK that name ``package`` (name -> compiled content),
    and the app's own provider ``authorities`` (the ones a rename may touch)."""

    package: str
    authorities: frozenset[str]
    files: Mapping[str, bytes]

    def renamed(self, new: str, resolve: ResolveString | None = None) -> dict[str, bytes]:
        """Every file of ``files`` renamed to the clone's package ``new``."""
        return {
            name: rename_package_xml(data, self.package, new, self.authorities, resolve)
            for name, data in self.files.items()
        }


def find_package_xml(
    archive: ZipArchive,
    package: str,
    authorities: frozenset[str],
    resolve: ResolveString | None = None,
) -> PackageXml:
    """The resource XML files of ``archive`` that a rename of ``package`` changes."""
    files = {}
    for entry in archive.entries:
        if not (entry.name.startswith("res/") and entry.name.endswith(".xml")):
            continue
        data = archive.read(entry.name)
        if not data.startswith(_AXML_MAGIC) or not any(i in data for i in _ID_BYTES):
            continue
        if _changes(parse(data), package, package + ".clone", authorities, resolve):
            files[entry.name] = data
    return PackageXml(package, authorities, files)


def rename_package_xml(
    data: bytes,
    old: str,
    new: str,
    authorities: frozenset[str],
    resolve: ResolveString | None = None,
) -> bytes:
    """The compiled XML ``data`` with its references to ``old`` renamed to ``new``."""
    doc = parse(data)
    changes = _changes(doc, old, new, authorities, resolve)
    return set_string_values(doc, changes).to_bytes() if changes else data


def _changes(
    doc: Document, old: str, new: str, authorities: frozenset[str], resolve: ResolveString | None
) -> dict[tuple[int, int], str]:
    changes = {}
    for ref in doc.elements():
        for pos, attr in enumerate(ref.element.attributes):
            rename = _renamer(doc.attribute_id(attr), old, new, authorities)
            value = None if rename is None else _text(doc, attr, resolve)
            if rename is not None and value is not None and rename(value) != value:
                changes[(ref.index, pos)] = rename(value)
    return changes


def _renamer(
    rid: int | None, old: str, new: str, authorities: frozenset[str]
) -> Callable[[str], str] | None:
    if rid == attrs.TARGET_PACKAGE:
        return lambda v: new if v == old else v
    if rid in _AUTHORITY_ATTRS:
        return lambda v: rename_identifier(v, old, new) if v in authorities else v
    return None


def _text(doc: Document, attr: Attribute, resolve: ResolveString | None) -> str | None:
    if attr.value.data_type == TYPE_REFERENCE:
        return None if resolve is None else resolve(attr.value.data)
    if attr.value.data_type in (TYPE_STRING, 0):
        return doc.attribute_string(attr)
    return None
