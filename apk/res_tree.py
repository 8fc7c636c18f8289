"""A compiled resource XML file (a drawable, an adaptive icon) as a small element tree.

``xml_tree(data)`` parses binary XML into ``XmlNode``s: tag, attributes by framework
resource id (``android.R.attr``; attributes without one are dropped, as Android's
``TypedArray`` ignores them), children in order. Numbers are read as ``AssetManager`` reads
them: ``number(value)`` takes a float, an integer, a dimension or a fraction (``Res_value``
complex formats, AOSP ``ResourceTypes.h``); ``color(value)`` an ARGB literal. Malformed XML
raises ``ValueError`` (``AxmlError``).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Protocol

from apk.axml import Document, ResValue, parse
from apk.axml.document import MAX_DEPTH
from apk.axml.nodes import EndElement, StartElement

TYPE_REFERENCE = 0x01
TYPE_ATTRIBUTE = 0x02
TYPE_FLOAT = 0x04
TYPE_DIMENSION = 0x05
TYPE_FRACTION = 0x06
TYPE_INT_DEC = 0x10
TYPE_INT_HEX = 0x11
TYPE_INT_BOOLEAN = 0x12
TYPE_FIRST_COLOR = 0x1C  # ARGB8, RGB8, ARGB4, RGB4: data is always the full 0xAARRGGBB
TYPE_LAST_COLOR = 0x1F
_RGB = (0x1D, 0x1F)  # written without alpha: opaque

_RADIX = (1.0, 1.0 / (1 << 7), 1.0 / (1 << 15), 1.0 / (1 << 23))  # 23p0, 16p7, 8p15, 0p23
MAX_NODES = 20_000


@dataclass(frozen=True)
class XmlNode:
    """An element: its tag, attributes by framework resource id, texts of attributes that are
    strings (by id, for ``pathData``), and its child elements."""

    tag: str
    attrs: dict[int, ResValue] = field(default_factory=dict)
    texts: dict[int, str] = field(default_factory=dict)
    children: tuple[XmlNode, ...] = ()

    def find(self, tag: str) -> XmlNode | None:
        return next((c for c in self.children if c.tag == tag), None)


def xml_tree(data: bytes) -> XmlNode:
    """The root element of the compiled XML ``data``."""
    return tree(parse(data))


def tree(doc: Document) -> XmlNode:
    """The root element of ``doc``; ``ValueError`` if it has none or is unbalanced."""
    stack: list[tuple[str, dict[int, ResValue], dict[int, str], list[XmlNode]]] = []
    root: XmlNode | None = None
    count = 0
    for chunk in doc.chunks:
        if isinstance(chunk, StartElement):
            count += 1
            if len(stack) >= MAX_DEPTH or count > MAX_NODES:
                raise ValueError(f"resource XML: more than {MAX_DEPTH} levels or {MAX_NODES} nodes")
            attrs: dict[int, ResValue] = {}
            texts: dict[int, str] = {}
            for attr in chunk.attributes:
                rid = doc.attribute_id(attr)
                if rid is None:
                    continue
                attrs[rid] = attr.value
                text = doc.attribute_string(attr)
                if text is not None:
                    texts[rid] = text
            stack.append((doc.string(chunk.name) or "", attrs, texts, []))
        elif isinstance(chunk, EndElement):
            if not stack:
                raise ValueError("resource XML: an end without a start")
            tag, attrs, texts, children = stack.pop()
            node = XmlNode(tag, attrs, texts, tuple(children))
            if stack:
                stack[-1][3].append(node)
            elif root is None:
                root = node
    if stack or root is None:
        raise ValueError("resource XML: no complete root element")
    return root


class Typed(Protocol):
    """A typed value: a ``Res_value`` of compiled XML or of ``resources.arsc``."""

    @property
    def data_type(self) -> int: ...

    @property
    def data(self) -> int: ...


def number(value: Typed) -> float | None:
    """A float, integer, dimension (in its unit: dp for ``108dp``) or fraction (``50%`` is
    0.5) value; ``None`` for any other type."""
    kind, data = value.data_type, value.data
    if kind == TYPE_FLOAT:
        return float(struct.unpack("<f", struct.pack("<I", data))[0])
    if kind in (TYPE_INT_DEC, TYPE_INT_HEX):
        return float(data - (1 << 32) if data & 0x80000000 else data)
    if kind in (TYPE_DIMENSION, TYPE_FRACTION):
        mantissa = data >> 8
        if mantissa & 0x800000:
            mantissa -= 1 << 24
        return mantissa * _RADIX[(data >> 4) & 3]
    return None


def color(value: Typed) -> int | None:
    """The 0xAARRGGBB of a colour literal (``#rgb`` forms are opaque); ``None`` otherwise."""
    if not TYPE_FIRST_COLOR <= value.data_type <= TYPE_LAST_COLOR:
        return None
    return value.data | 0xFF000000 if value.data_type in _RGB else value.data
