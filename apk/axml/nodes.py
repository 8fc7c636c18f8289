"""The chunks inside a compiled XML document: resource map, namespaces, elements, CDATA.

Every field of the binary form is kept (line numbers, comments, the id/class/style indices,
the Res_value size and padding byte, unknown header bytes and trailing bytes), so writing a
parsed chunk gives back the same bytes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from apk.axml._reader import (
    NO_INDEX,
    RES_XML_CDATA_TYPE,
    RES_XML_END_ELEMENT_TYPE,
    RES_XML_END_NAMESPACE_TYPE,
    RES_XML_RESOURCE_MAP_TYPE,
    RES_XML_START_ELEMENT_TYPE,
    RES_XML_START_NAMESPACE_TYPE,
    AxmlError,
    ChunkHeader,
    pack_chunk_header,
)

NODE_HEADER_SIZE = 16  # ResXMLTree_node: chunk header, lineNumber, comment
ATTR_EXT_SIZE = 20  # ResXMLTree_attrExt
ATTRIBUTE_SIZE = 20  # ResXMLTree_attribute (with its Res_value)

# Res_value.dataType values
TYPE_NULL = 0x00
TYPE_REFERENCE = 0x01
TYPE_ATTRIBUTE = 0x02
TYPE_STRING = 0x03
TYPE_FLOAT = 0x04
TYPE_INT_DEC = 0x10
TYPE_INT_HEX = 0x11
TYPE_INT_BOOLEAN = 0x12


@dataclass(frozen=True, slots=True)
class ResValue:
    """A typed value; for ``TYPE_STRING`` ``data`` is a string index."""

    data_type: int
    data: int
    size: int = 8
    res0: int = 0

    def pack(self) -> bytes:
        return struct.pack("<HBBI", self.size, self.res0, self.data_type, self.data)


@dataclass(frozen=True, slots=True)
class Attribute:
    """``ns``, ``name`` and ``raw_value`` are string indices (``NO_INDEX`` for none)."""

    ns: int
    name: int
    raw_value: int
    value: ResValue


@dataclass(frozen=True, slots=True)
class ResourceMap:
    """``ids[i]`` is the framework resource id of the attribute name ``strings[i]``."""

    ids: tuple[int, ...]
    header_extra: bytes = b""
    trailing: bytes = b""


@dataclass(frozen=True, slots=True)
class StartNamespace:
    prefix: int
    uri: int
    line: int = 0
    comment: int = NO_INDEX
    header_extra: bytes = b""
    trailing: bytes = b""


@dataclass(frozen=True, slots=True)
class EndNamespace:
    prefix: int
    uri: int
    line: int = 0
    comment: int = NO_INDEX
    header_extra: bytes = b""
    trailing: bytes = b""


@dataclass(frozen=True, slots=True)
class StartElement:
    """An element start; ``id_index``/``class_index``/``style_index`` are 1-based, 0 = none."""

    ns: int
    name: int
    attributes: tuple[Attribute, ...] = ()
    id_index: int = 0
    class_index: int = 0
    style_index: int = 0
    line: int = 0
    comment: int = NO_INDEX
    header_extra: bytes = b""
    trailing: bytes = b""


@dataclass(frozen=True, slots=True)
class EndElement:
    ns: int
    name: int
    line: int = 0
    comment: int = NO_INDEX
    header_extra: bytes = b""
    trailing: bytes = b""


@dataclass(frozen=True, slots=True)
class CData:
    data: int
    value: ResValue
    line: int = 0
    comment: int = NO_INDEX
    header_extra: bytes = b""
    trailing: bytes = b""


@dataclass(frozen=True, slots=True)
class RawChunk:
    """A chunk this codec does not model, kept byte for byte."""

    raw: bytes


Node = StartNamespace | EndNamespace | StartElement | EndElement | CData


# ---------------------------------------------------------------------------------------- reading


def parse_resource_map(data: bytes, header: ChunkHeader) -> ResourceMap:
    count = (header.size - header.header_size) // 4
    ids = struct.unpack_from(f"<{count}I", data, header.body)
    return ResourceMap(
        ids,
        bytes(data[header.offset + 8 : header.body]),
        bytes(data[header.body + 4 * count : header.end]),
    )


def _unpack_res_value(data: bytes, offset: int) -> ResValue:
    size, res0, data_type, value = struct.unpack_from("<HBBI", data, offset)
    return ResValue(data_type, value, size, res0)


_EXT_SIZES = {
    RES_XML_START_NAMESPACE_TYPE: 8,
    RES_XML_END_NAMESPACE_TYPE: 8,
    RES_XML_START_ELEMENT_TYPE: ATTR_EXT_SIZE,
    RES_XML_END_ELEMENT_TYPE: 8,
    RES_XML_CDATA_TYPE: 12,
}


def parse_node(data: bytes, header: ChunkHeader) -> Node:
    """The node in chunk ``header`` (its type must be one of the five node types)."""
    if header.header_size < NODE_HEADER_SIZE:
        raise AxmlError(
            f"XML node at offset {header.offset:#x} has a {header.header_size}-byte header"
        )
    body, ext_end = header.body, header.body + _EXT_SIZES[header.type]
    if ext_end > header.end:
        raise AxmlError(f"XML node at offset {header.offset:#x} is too short for its type")
    line, comment = struct.unpack_from("<II", data, header.offset + 8)
    extra = bytes(data[header.offset + NODE_HEADER_SIZE : body])
    if header.type == RES_XML_START_ELEMENT_TYPE:
        return _parse_start_element(data, header, line, comment, extra)
    trailing = bytes(data[ext_end : header.end])
    a, b = struct.unpack_from("<II", data, body)
    if header.type == RES_XML_START_NAMESPACE_TYPE:
        return StartNamespace(a, b, line, comment, extra, trailing)
    if header.type == RES_XML_END_NAMESPACE_TYPE:
        return EndNamespace(a, b, line, comment, extra, trailing)
    if header.type == RES_XML_END_ELEMENT_TYPE:
        return EndElement(a, b, line, comment, extra, trailing)
    return CData(a, _unpack_res_value(data, body + 4), line, comment, extra, trailing)


def _parse_start_element(
    data: bytes, header: ChunkHeader, line: int, comment: int, extra: bytes
) -> StartElement:
    body = header.body
    ns, name, attr_start, attr_size, count, id_i, class_i, style_i = struct.unpack_from(
        "<IIHHHHHH", data, body
    )
    if attr_start != ATTR_EXT_SIZE or attr_size != ATTRIBUTE_SIZE:
        raise AxmlError(
            f"element at offset {header.offset:#x} has attribute start {attr_start} and size "
            f"{attr_size}; only the standard 20/20 layout is supported"
        )
    attrs_end = body + ATTR_EXT_SIZE + ATTRIBUTE_SIZE * count
    if attrs_end > header.end:
        raise AxmlError(
            f"element at offset {header.offset:#x} claims {count} attributes, more than fit "
            f"in its {header.size} bytes"
        )
    attributes = []
    for pos in range(body + ATTR_EXT_SIZE, attrs_end, ATTRIBUTE_SIZE):
        a_ns, a_name, raw = struct.unpack_from("<III", data, pos)
        attributes.append(Attribute(a_ns, a_name, raw, _unpack_res_value(data, pos + 12)))
    trailing = bytes(data[attrs_end : header.end])
    return StartElement(
        ns, name, tuple(attributes), id_i, class_i, style_i, line, comment, extra, trailing
    )


# ---------------------------------------------------------------------------------------- writing


def _node_bytes(ctype: int, node: Node, ext: bytes) -> bytes:
    header_size = NODE_HEADER_SIZE + len(node.header_extra)
    size = header_size + len(ext) + len(node.trailing)
    head = pack_chunk_header(ctype, header_size, size) + struct.pack("<II", node.line, node.comment)
    return head + node.header_extra + ext + node.trailing


def resource_map_bytes(chunk: ResourceMap) -> bytes:
    header_size = 8 + len(chunk.header_extra)
    body = struct.pack(f"<{len(chunk.ids)}I", *chunk.ids)
    size = header_size + len(body) + len(chunk.trailing)
    return (
        pack_chunk_header(RES_XML_RESOURCE_MAP_TYPE, header_size, size)
        + chunk.header_extra
        + body
        + chunk.trailing
    )


def node_bytes(node: Node) -> bytes:
    if isinstance(node, StartElement):
        ext = struct.pack(
            "<IIHHHHHH",
            node.ns,
            node.name,
            ATTR_EXT_SIZE,
            ATTRIBUTE_SIZE,
            len(node.attributes),
            node.id_index,
            node.class_index,
            node.style_index,
        )
        for a in node.attributes:
            ext += struct.pack("<III", a.ns, a.name, a.raw_value) + a.value.pack()
        return _node_bytes(RES_XML_START_ELEMENT_TYPE, node, ext)
    if isinstance(node, CData):
        return _node_bytes(
            RES_XML_CDATA_TYPE, node, struct.pack("<I", node.data) + node.value.pack()
        )
    ctype = {
        StartNamespace: RES_XML_START_NAMESPACE_TYPE,
        EndNamespace: RES_XML_END_NAMESPACE_TYPE,
        EndElement: RES_XML_END_ELEMENT_TYPE,
    }[type(node)]
    first, second = (
        (node.prefix, node.uri) if not isinstance(node, EndElement) else (node.ns, node.name)
    )
    return _node_bytes(ctype, node, struct.pack("<II", first, second))
