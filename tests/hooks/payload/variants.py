"""Variants of a real APK for cases no real fixture has: its manifest edited with our AXML
codec (``extractNativeLibs="false"``, another ``application android:name``) and extra dex
files added. The result is an unsigned APK, which is all a clone build needs as input."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path

from apk import android_attrs as attrs
from apk.axml import TYPE_INT_BOOLEAN, ResValue, parse, set_attribute

MANIFEST = "AndroidManifest.xml"


def edited_manifest(
    data: bytes, *, extract_native_libs: bool | None, application: str | None
) -> bytes:
    doc = parse(data)
    index = next(r.index for r in doc.elements() if r.path == ("manifest", "application"))
    if extract_native_libs is not None:
        value = ResValue(TYPE_INT_BOOLEAN, 0xFFFFFFFF if extract_native_libs else 0)
        doc = set_attribute(doc, index, "extractNativeLibs", value, attrs.EXTRACT_NATIVE_LIBS)
    if application is not None:
        doc = set_attribute(doc, index, "name", application, attrs.NAME)
    return doc.to_bytes()


def variant(
    source: Path,
    dest: Path,
    *,
    extract_native_libs: bool | None = None,
    application: str | None = None,
    extra: Mapping[str, bytes] | None = None,
) -> Path:
    """``source`` with its manifest edited and ``extra`` entries added; signatures dropped."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(dest, "w") as out:
        for info in src.infolist():
            if info.filename.startswith("META-INF/"):
                continue
            data = src.read(info)
            if info.filename == MANIFEST:
                data = edited_manifest(
                    data, extract_native_libs=extract_native_libs, application=application
                )
            out.writestr(info, data, compress_type=info.compress_type)
        for name, data in (extra or {}).items():
            out.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return dest
