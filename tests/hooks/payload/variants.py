"""Variants of a real APK for cases no real fixture has: its manifest edited with our AXML
codec (``extractNativeLibs="false"``, ``hasCode="false"``, another ``application
android:name``, attributes of ``<application>`` removed), entries left out and extra dex
files added. The result is an unsigned APK,
which is all a clone build needs as input."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Collection, Mapping
from pathlib import Path

from apk import android_attrs as attrs
from apk.axml import TYPE_INT_BOOLEAN, ResValue, parse, remove_attribute, set_attribute

MANIFEST = "AndroidManifest.xml"
DEX = re.compile(r"classes\d*\.dex")


def _boolean(value: bool) -> ResValue:
    return ResValue(TYPE_INT_BOOLEAN, 0xFFFFFFFF if value else 0)


def edited_manifest(
    data: bytes,
    *,
    extract_native_libs: bool | None,
    application: str | None,
    has_code: bool | None = None,
    drop: Collection[int] = (),
) -> bytes:
    doc = parse(data)
    index = next(r.index for r in doc.elements() if r.path == ("manifest", "application"))
    if extract_native_libs is not None:
        value = _boolean(extract_native_libs)
        doc = set_attribute(doc, index, "extractNativeLibs", value, attrs.EXTRACT_NATIVE_LIBS)
    if has_code is not None:
        doc = set_attribute(doc, index, "hasCode", _boolean(has_code), attrs.HAS_CODE)
    for resource_id in drop:
        doc = remove_attribute(doc, index, attrs.NAMES[resource_id], resource_id)
    if application is not None:
        doc = set_attribute(doc, index, "name", application, attrs.NAME)
    return doc.to_bytes()


def variant(
    source: Path,
    dest: Path,
    *,
    extract_native_libs: bool | None = None,
    application: str | None = None,
    has_code: bool | None = None,
    drop: Collection[int] = (),
    without: Collection[str] = (),
    extra: Mapping[str, bytes] | None = None,
) -> Path:
    """``source`` with its manifest edited (``drop``: ids of ``<application>`` attributes to
    remove), the entries ``without`` names left out and ``extra`` entries added; signatures
    dropped."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(dest, "w") as out:
        for info in src.infolist():
            if info.filename.startswith("META-INF/") or info.filename in without:
                continue
            data = src.read(info)
            if info.filename == MANIFEST:
                data = edited_manifest(
                    data,
                    extract_native_libs=extract_native_libs,
                    application=application,
                    has_code=has_code,
                    drop=drop,
                )
            out.writestr(info, data, compress_type=info.compress_type)
        for name, data in (extra or {}).items():
            out.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return dest


def native_only(source: Path, dest: Path) -> Path:
    """``source`` as a pure-native app (say a ``NativeActivity`` game) looks: no
    ``classes*.dex``, ``android:hasCode="false"``, and no class of its own named by
    ``<application>`` (``android:name``, ``appComponentFactory``)."""
    with zipfile.ZipFile(source) as z:
        dex = [n for n in z.namelist() if DEX.fullmatch(n)]
    own_classes = (attrs.NAME, attrs.APP_COMPONENT_FACTORY)
    return variant(source, dest, has_code=False, drop=own_classes, without=dex)
