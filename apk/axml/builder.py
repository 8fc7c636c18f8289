"""Build a compiled XML document from a small element tree (laid out the way aapt2 does:
attribute names with resource ids first in the pool, in id order, with the resource map)."""

from __future__ import annotations

from dataclasses import dataclass

from apk.axml._reader import NO_INDEX
from apk.axml.document import Chunk, Document
from apk.axml.edit import ANDROID_NS
from apk.axml.nodes import (
    TYPE_STRING,
    Attribute,
    EndElement,
    EndNamespace,
    ResourceMap,
    ResValue,
    StartElement,
    StartNamespace,
)
from apk.axml.stringpool import UTF8_FLAG, StringPool


@dataclass(frozen=True)
class XmlAttr:
    """``value`` is a string or a typed value; an attribute with a ``resource_id`` lives in
    the Android namespace unless ``ns`` says otherwise."""

    name: str
    value: str | ResValue
    resource_id: int | None = None
    ns: str | None = None

    @property
    def namespace(self) -> str | None:
        return self.ns or (ANDROID_NS if self.resource_id is not None else None)


@dataclass(frozen=True)
class XmlElement:
    tag: str
    attrs: tuple[XmlAttr, ...] = ()
    children: tuple[XmlElement, ...] = ()


class _Strings:
    def __init__(self, mapped: list[tuple[str, int]]) -> None:
        self.strings = [name for name, _ in mapped]
        self.mapped = {key: i for i, key in enumerate(mapped)}
        self.plain: dict[str, int] = {}

    def ref(self, text: str | None) -> int:
        if text is None:
            return NO_INDEX
        if text not in self.plain:
            self.plain[text] = len(self.strings)
            self.strings.append(text)
        return self.plain[text]

    def name(self, attr: XmlAttr) -> int:
        if attr.resource_id is None:
            return self.ref(attr.name)
        return self.mapped[(attr.name, attr.resource_id)]


def _walk(element: XmlElement) -> list[XmlElement]:
    out = [element]
    for child in element.children:
        out.extend(_walk(child))
    return out


def _attribute(strings: _Strings, attr: XmlAttr) -> Attribute:
    ns, name = strings.ref(attr.namespace), strings.name(attr)
    if isinstance(attr.value, str):
        raw = strings.ref(attr.value)
        return Attribute(ns, name, raw, ResValue(TYPE_STRING, raw))
    return Attribute(ns, name, NO_INDEX, attr.value)


def _sort_key(attr: XmlAttr) -> tuple[int, int, str, str]:
    if attr.resource_id is not None:
        return (0, attr.resource_id, "", "")
    return (1, 0, attr.namespace or "", attr.name)


def _nodes(strings: _Strings, element: XmlElement, line: list[int]) -> list[Chunk]:
    line[0] += 1
    attrs = tuple(_attribute(strings, a) for a in sorted(element.attrs, key=_sort_key))
    start = StartElement(NO_INDEX, strings.ref(element.tag), attrs, line=line[0])
    out: list[Chunk] = [start]
    for child in element.children:
        out.extend(_nodes(strings, child, line))
    line[0] += 1
    return [*out, EndElement(NO_INDEX, start.name, line=line[0])]


def build_document(root: XmlElement, utf8: bool = True, prefix: str = "android") -> Document:
    """The compiled form of ``root`` with the Android namespace declared on it."""
    ids = {(a.name, a.resource_id) for e in _walk(root) for a in e.attrs if a.resource_id}
    mapped = sorted(((n, r) for n, r in ids if r is not None), key=lambda k: (k[1], k[0]))
    strings = _Strings(mapped)
    ns = StartNamespace(strings.ref(prefix), strings.ref(ANDROID_NS), line=1)
    body = _nodes(strings, root, [0])
    pool = StringPool(tuple(strings.strings), (), UTF8_FLAG if utf8 else 0)
    resource_map = ResourceMap(tuple(r for _, r in mapped))
    end = EndNamespace(ns.prefix, ns.uri, line=ns.line)
    return Document((pool, resource_map, ns, *body, end))
