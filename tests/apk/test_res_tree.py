"""Compiled resource XML as a tree, and Res_value numbers and colours as Android reads them."""

from __future__ import annotations

import pytest

from apk.axml import ResValue, XmlAttr, XmlElement, build_document
from apk.axml.nodes import EndElement
from apk.res_tree import color, number, tree, xml_tree


def test_tree_keeps_attributes_by_id_and_children_in_order() -> None:
    root = XmlElement(
        "vector",
        (XmlAttr("alpha", ResValue(0x04, 0x3F000000), 0x0101031F), XmlAttr("plain", "x")),
        (XmlElement("path", (XmlAttr("pathData", "M0,0", 0x01010405),)), XmlElement("group")),
    )
    node = xml_tree(build_document(root).to_bytes())
    assert node.tag == "vector" and list(node.attrs) == [0x0101031F]  # no id: dropped
    assert [c.tag for c in node.children] == ["path", "group"]
    assert node.children[0].texts[0x01010405] == "M0,0"
    assert node.find("group") is node.children[1] and node.find("clip-path") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (ResValue(0x04, 0x42D80000), 108.0),  # a float
        (ResValue(0x10, 0xFFFFFFFE), -2.0),  # a negative integer
        (ResValue(0x05, (108 << 8) | 0x01), 108.0),  # 108dp
        (ResValue(0x05, (3 << 8) | (1 << 4) | 0x01), 3 / (1 << 7)),  # radix 16p7
        (ResValue(0x06, ((1 << 22) << 8) | (3 << 4)), 0.5),  # 50%, radix 0p23
        (ResValue(0x03, 1), None),  # a string is not a number
    ],
)
def test_numbers(value: ResValue, expected: float | None) -> None:
    assert number(value) == expected


def test_colours() -> None:
    assert color(ResValue(0x1C, 0x80112233)) == 0x80112233  # #80112233
    assert color(ResValue(0x1D, 0x00112233)) == 0xFF112233  # #112233: opaque
    assert color(ResValue(0x1F, 0x00112233)) == 0xFF112233  # #123
    assert color(ResValue(0x10, 5)) is None


def test_unbalanced_or_empty_documents_are_refused() -> None:
    with pytest.raises(ValueError):
        xml_tree(b"\x03\x00\x08\x00\x08\x00\x00\x00")
    doc = build_document(XmlElement("a", (), (XmlElement("b"),)))
    with pytest.raises(ValueError):
        ends = [i for i, c in enumerate(doc.chunks) if isinstance(c, EndElement)]
        tree(type(doc)(doc.chunks[: ends[-1]] + doc.chunks[ends[-1] + 1 :]))  # no root end
