"""Edits of a compiled XML document: add strings, set, insert and remove attributes.

The invariant kept: an attribute name with a framework resource id sits at string index ``i``
with ``resource_ids[i]`` its id, so a new such name goes at the end of the mapped prefix of the
pool and every string reference at or after that index moves up by one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from apk.axml._reader import NO_INDEX, AxmlError
from apk.axml.document import Chunk, Document
from apk.axml.nodes import (
    TYPE_STRING,
    Attribute,
    CData,
    EndElement,
    EndNamespace,
    ResourceMap,
    ResValue,
    StartElement,
    StartNamespace,
)
from apk.axml.stringpool import Span, StringPool

ANDROID_NS = "http://schemas.android.com/apk/res/android"
_MAX_ATTRIBUTES = 0xFFFF


def _remap_value(value: ResValue, f: Callable[[int], int]) -> ResValue:
    return replace(value, data=f(value.data)) if value.data_type == TYPE_STRING else value


def _remap_chunk(chunk: Chunk, f: Callable[[int], int]) -> Chunk:
    if isinstance(chunk, StartNamespace | EndNamespace):
        return replace(chunk, prefix=f(chunk.prefix), uri=f(chunk.uri), comment=f(chunk.comment))
    if isinstance(chunk, EndElement):
        return replace(chunk, ns=f(chunk.ns), name=f(chunk.name), comment=f(chunk.comment))
    if isinstance(chunk, CData):
        return replace(
            chunk, data=f(chunk.data), value=_remap_value(chunk.value, f), comment=f(chunk.comment)
        )
    if isinstance(chunk, StartElement):
        attrs = tuple(
            Attribute(f(a.ns), f(a.name), f(a.raw_value), _remap_value(a.value, f))
            for a in chunk.attributes
        )
        return replace(
            chunk, ns=f(chunk.ns), name=f(chunk.name), comment=f(chunk.comment), attributes=attrs
        )
    return chunk


def _insert_string(doc: Document, at: int, text: str, resource_id: int | None) -> Document:
    """``doc`` with ``text`` at string index ``at`` (and ``resource_id`` at map index ``at``)."""

    def shift(i: int) -> int:
        return i + 1 if i != NO_INDEX and i >= at else i

    pool = doc.pool
    styles = list(pool.styles)
    if at < len(styles):
        styles.insert(at, ())
    styles = [tuple(Span(shift(s.name), s.first, s.last) for s in spans) for spans in styles]
    strings = (*pool.strings[:at], text, *pool.strings[at:])
    new_pool = pool.with_strings(strings, tuple(styles))
    chunks: list[Chunk] = []
    has_pool = has_map = False
    for chunk in doc.chunks:
        if isinstance(chunk, StringPool) and not has_pool:
            chunks.append(new_pool)
            has_pool = True
        elif isinstance(chunk, ResourceMap) and not has_map:
            ids = (
                chunk.ids
                if resource_id is None
                else (*chunk.ids[:at], resource_id, *chunk.ids[at:])
            )
            chunks.append(replace(chunk, ids=ids))
            has_map = True
        else:
            chunks.append(_remap_chunk(chunk, shift))
    if not has_pool:
        chunks.insert(0, new_pool)
    if resource_id is not None and not has_map:
        pool_at = next(i for i, c in enumerate(chunks) if isinstance(c, StringPool))
        chunks.insert(pool_at + 1, ResourceMap((resource_id,)))
    return Document(tuple(chunks), doc.header_extra, doc.trailer)


def add_string(doc: Document, text: str, allow_mapped: bool = False) -> tuple[Document, int]:
    """The index of ``text`` in the pool, appended if absent. Strings in the mapped prefix
    (attribute names with a resource id) are reused only when ``allow_mapped``."""
    strings = doc.pool.strings
    start = 0 if allow_mapped else len(doc.resource_ids)
    for i in range(start, len(strings)):
        if strings[i] == text:
            return doc, i
    return _insert_string(doc, len(strings), text, None), len(strings)


def add_attribute_name(doc: Document, name: str, resource_id: int) -> tuple[Document, int]:
    """The string index of attribute ``name`` mapped to ``resource_id``, inserted if absent.
    A document without a resource map gets one right after its string pool (so the chunk
    indices of all nodes move up by one)."""
    ids, strings = doc.resource_ids, doc.pool.strings
    for i in range(min(len(ids), len(strings))):
        if ids[i] == resource_id and strings[i] == name:
            return doc, i
    if len(ids) > len(strings):
        raise AxmlError(f"resource map has {len(ids)} ids for only {len(strings)} strings")
    return _insert_string(doc, len(ids), name, resource_id), len(ids)


def _element(doc: Document, index: int) -> StartElement:
    chunk = doc.chunks[index]
    if not isinstance(chunk, StartElement):
        raise AxmlError(f"chunk {index} is not an element start")
    return chunk


def _sort_key(doc: Document, attr: Attribute) -> tuple[int, int, str, str]:
    """aapt2's attribute order: by resource id first, then the id-less ones by namespace, name."""
    rid = doc.attribute_id(attr)
    if rid is not None:
        return (0, rid, "", "")
    return (1, 0, doc.string(attr.ns) or "", doc.attribute_name(attr))


def _with_attribute(element: StartElement, pos: int, attr: Attribute) -> StartElement:
    def moved(i: int) -> int:
        return i + 1 if i > pos else i

    attrs = (*element.attributes[:pos], attr, *element.attributes[pos:])
    return replace(
        element,
        attributes=attrs,
        id_index=moved(element.id_index),
        class_index=moved(element.class_index),
        style_index=moved(element.style_index),
    )


def _name_refs(
    doc: Document, index: int, name: str, resource_id: int | None, ns_uri: str | None
) -> tuple[Document, int, int, int]:
    """``doc`` with the strings a new attribute needs: (doc, the element's chunk index after
    any move, namespace string index, name string index)."""
    if resource_id is not None:
        count = len(doc.chunks)
        doc, name_index = add_attribute_name(doc, name, resource_id)
        index += len(doc.chunks) - count  # a new resource map goes before every node
        ns_uri = ns_uri or ANDROID_NS
    else:
        doc, name_index = add_string(doc, name)
    ns_index = NO_INDEX
    if ns_uri is not None:
        doc, ns_index = add_string(doc, ns_uri, allow_mapped=True)
    return doc, index, ns_index, name_index


def _inserted(doc: Document, element: StartElement, new: Attribute) -> StartElement:
    if len(element.attributes) >= _MAX_ATTRIBUTES:
        raise AxmlError("element cannot hold more attributes")
    key = _sort_key(doc, new)
    at = next(
        (i for i, a in enumerate(element.attributes) if _sort_key(doc, a) > key),
        len(element.attributes),
    )
    return _with_attribute(element, at, new)


def set_attribute(
    doc: Document,
    index: int,
    name: str,
    value: str | ResValue,
    resource_id: int | None = None,
    ns_uri: str | None = None,
) -> Document:
    """Set attribute ``name`` (matched by ``resource_id`` when given) of the element at chunk
    ``index`` to ``value`` (a string, or a typed value); insert it in sorted place if absent.
    A new attribute with a resource id goes in the Android namespace unless ``ns_uri`` says else."""
    pos = doc.find_attribute(_element(doc, index), name, resource_id)
    ns_index = name_index = NO_INDEX
    if pos is None:
        doc, index, ns_index, name_index = _name_refs(doc, index, name, resource_id, ns_uri)
    if isinstance(value, str):
        doc, raw = add_string(doc, value, allow_mapped=True)
        typed = ResValue(TYPE_STRING, raw)
    else:
        raw, typed = NO_INDEX, value
    element = _element(doc, index)
    if pos is None:
        return doc.replace_chunk(
            index, _inserted(doc, element, Attribute(ns_index, name_index, raw, typed))
        )
    attrs = list(element.attributes)
    attrs[pos] = replace(attrs[pos], raw_value=raw, value=typed)
    return doc.replace_chunk(index, replace(element, attributes=tuple(attrs)))


def remove_attribute(
    doc: Document, index: int, name: str, resource_id: int | None = None
) -> Document:
    """``doc`` without that attribute (unchanged if the element has none)."""
    element = _element(doc, index)
    pos = doc.find_attribute(element, name, resource_id)
    if pos is None:
        return doc

    def moved(i: int) -> int:
        return 0 if i == pos + 1 else i - 1 if i > pos + 1 else i

    attrs = element.attributes[:pos] + element.attributes[pos + 1 :]
    return doc.replace_chunk(
        index,
        replace(
            element,
            attributes=attrs,
            id_index=moved(element.id_index),
            class_index=moved(element.class_index),
            style_index=moved(element.style_index),
        ),
    )


def set_string_values(doc: Document, changes: Mapping[tuple[int, int], str]) -> Document:
    """Set many existing attributes to strings at once: ``(chunk index, attribute position)``
    maps to the new text. New texts are appended to the pool (one pass, for large manifests)."""
    if not changes:
        return doc
    pool = doc.pool
    strings = list(pool.strings)
    first: dict[str, int] = {}
    for i, text in enumerate(strings):
        first.setdefault(text, i)
    chunks = list(doc.chunks)
    for (index, pos), text in sorted(changes.items()):
        element = chunks[index]
        if not isinstance(element, StartElement) or pos >= len(element.attributes):
            raise AxmlError(f"chunk {index} has no attribute {pos}")
        ref = first.setdefault(text, len(strings))
        if ref == len(strings):
            strings.append(text)
        attrs = list(element.attributes)
        value = replace(attrs[pos].value, data_type=TYPE_STRING, data=ref)
        attrs[pos] = replace(attrs[pos], raw_value=ref, value=value)
        chunks[index] = replace(element, attributes=tuple(attrs))
    if len(strings) > len(pool.strings):
        new_pool = pool.with_strings(tuple(strings), pool.styles)
        at = next((i for i, c in enumerate(chunks) if isinstance(c, StringPool)), None)
        if at is None:
            chunks.insert(0, new_pool)
        else:
            chunks[at] = new_pool
    return Document(tuple(chunks), doc.header_extra, doc.trailer)
