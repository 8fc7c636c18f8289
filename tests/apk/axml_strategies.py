"""Hypothesis strategies and views shared by the AXML and manifest tests."""

from __future__ import annotations

import zipfile
from functools import cache
from pathlib import Path

from hypothesis import strategies as st

from apk.axml import (
    NO_INDEX,
    TYPE_STRING,
    Attribute,
    CData,
    Chunk,
    Document,
    EndElement,
    EndNamespace,
    RawChunk,
    ResourceMap,
    ResValue,
    Span,
    StartElement,
    StartNamespace,
    StringPool,
)
from apk.axml._reader import pack_chunk_header
from tests import realapks

U32 = st.integers(0, 0xFFFFFFFF)
TEXT = st.text(st.characters(codec="utf-8"), max_size=12)  # no lone surrogates
WORDS = st.binary(max_size=12).map(lambda b: b[: len(b) // 4 * 4])


@cache
def real_manifest(name: str) -> bytes:
    with zipfile.ZipFile(realapks.real_apk(name)) as z:
        return z.read("AndroidManifest.xml")


def apk_with_manifest(source: Path, manifest: bytes, target: Path) -> Path:
    """``source``'s resource table with ``manifest``: all ``aapt dump badging`` and
    ``xmltree`` read (unsigned, and without the code and other files, to stay fast)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as out:
        out.writestr("AndroidManifest.xml", manifest)
        out.writestr(src.getinfo("resources.arsc"), src.read("resources.arsc"))
    return target


def values(index: st.SearchStrategy[int]) -> st.SearchStrategy[ResValue]:
    typed = st.builds(ResValue, st.sampled_from([0x00, 0x01, 0x04, 0x10, 0x11, 0x12]), U32)
    strings = st.builds(ResValue, st.just(TYPE_STRING), index)
    odd = st.builds(
        ResValue, st.sampled_from([0x10, 0x12]), U32, st.integers(0, 0xFFFF), st.integers(0, 255)
    )
    return st.one_of(typed, strings, odd)


@st.composite
def documents(draw: st.DrawFn) -> Document:
    """Any well-formed document, including fields aapt never varies."""
    strings = draw(st.lists(TEXT, min_size=1, max_size=10))
    index = st.integers(0, len(strings) - 1)
    ref = st.one_of(st.just(NO_INDEX), index)
    span = st.builds(Span, index, st.integers(0, 99), st.integers(0, 99))
    styles = draw(st.lists(st.lists(span, max_size=3).map(tuple), max_size=len(strings)))
    flags = draw(st.sampled_from([0, 0x1, 0x100, 0x101]))
    pool = StringPool(tuple(strings), tuple(styles), flags)
    ids = draw(st.lists(st.integers(0x01010000, 0x0101FFFF), max_size=len(strings)))
    common = {"line": U32, "comment": ref, "header_extra": WORDS, "trailing": WORDS}
    attribute = st.builds(Attribute, ref, index, ref, values(index))
    node = st.one_of(
        st.builds(StartNamespace, ref, ref, **common),
        st.builds(EndNamespace, ref, ref, **common),
        st.builds(
            StartElement,
            ref,
            index,
            st.lists(attribute, max_size=4).map(tuple),
            st.integers(0, 4),
            st.integers(0, 4),
            st.integers(0, 4),
            **common,
        ),
        st.builds(EndElement, ref, index, **common),
        st.builds(CData, index, values(index), **common),
        st.builds(
            lambda t, body: RawChunk(pack_chunk_header(t, 8, 8 + len(body)) + body),
            st.integers(0x0200, 0x02FF),
            WORDS,
        ),
    )
    chunks: list[Chunk] = [pool, ResourceMap(tuple(ids)), *draw(st.lists(node, max_size=10))]
    return Document(tuple(chunks), draw(WORDS), draw(st.binary(max_size=6)))


AttrView = tuple[str | None, str, int | None, object]


def semantic_view(doc: Document) -> list[tuple[tuple[str, ...], frozenset[AttrView]]]:
    """Each element's path and attributes as (namespace, name, resource id, value)."""

    def value(a: Attribute) -> object:
        if a.value.data_type == TYPE_STRING:
            return doc.attribute_string(a)
        return (a.value.data_type, a.value.data)

    return [
        (
            ref.path,
            frozenset(
                (doc.string(a.ns), doc.attribute_name(a), doc.attribute_id(a), value(a))
                for a in ref.element.attributes
            ),
        )
        for ref in doc.elements()
    ]
