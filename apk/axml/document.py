"""A compiled XML document: parse, write back byte for byte, walk elements, read attributes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from apk.axml._reader import (
    NO_INDEX,
    RES_STRING_POOL_TYPE,
    RES_XML_CDATA_TYPE,
    RES_XML_END_ELEMENT_TYPE,
    RES_XML_END_NAMESPACE_TYPE,
    RES_XML_RESOURCE_MAP_TYPE,
    RES_XML_START_ELEMENT_TYPE,
    RES_XML_START_NAMESPACE_TYPE,
    RES_XML_TYPE,
    AxmlError,
    ChunkHeader,
    pack_chunk_header,
    read_chunk_header,
)
from apk.axml.nodes import (
    TYPE_STRING,
    Attribute,
    CData,
    EndElement,
    EndNamespace,
    Node,
    RawChunk,
    ResourceMap,
    StartElement,
    StartNamespace,
    node_bytes,
    parse_node,
    parse_resource_map,
    resource_map_bytes,
)
from apk.axml.stringpool import StringPool, parse_string_pool

MAX_DOCUMENT_SIZE = 8 * 1024 * 1024  # real manifests are well under 1 MiB
MAX_DEPTH = 256  # element nesting; real manifests nest about 6 deep

Chunk = StringPool | ResourceMap | Node | RawChunk

_NODE_TYPES = frozenset(
    {
        RES_XML_START_NAMESPACE_TYPE,
        RES_XML_END_NAMESPACE_TYPE,
        RES_XML_START_ELEMENT_TYPE,
        RES_XML_END_ELEMENT_TYPE,
        RES_XML_CDATA_TYPE,
    }
)


@dataclass(frozen=True)
class ElementRef:
    """An element start: its position in ``Document.chunks`` and its tag path from the root."""

    index: int
    path: tuple[str, ...]
    element: StartElement

    @property
    def tag(self) -> str:
        return self.path[-1]


@dataclass(frozen=True)
class Document:
    """The chunks inside the RES_XML_TYPE chunk, in file order, plus any bytes around them."""

    chunks: tuple[Chunk, ...]
    header_extra: bytes = b""
    trailer: bytes = b""

    # ------------------------------------------------------------------ the pool and resource map

    @property
    def pool(self) -> StringPool:
        for chunk in self.chunks:
            if isinstance(chunk, StringPool):
                return chunk
        return StringPool()

    @property
    def resource_ids(self) -> tuple[int, ...]:
        for chunk in self.chunks:
            if isinstance(chunk, ResourceMap):
                return chunk.ids
        return ()

    def string(self, index: int) -> str | None:
        """The string at ``index``; ``None`` for ``NO_INDEX``."""
        if index == NO_INDEX:
            return None
        strings = self.pool.strings
        if index >= len(strings):
            raise AxmlError(f"string index {index} is outside the pool of {len(strings)}")
        return strings[index]

    # ------------------------------------------------------------------ attributes

    def attribute_id(self, attr: Attribute) -> int | None:
        """The framework resource id of ``attr``'s name, if the resource map gives one."""
        ids = self.resource_ids
        if attr.name < len(ids) and ids[attr.name] != 0:
            return ids[attr.name]
        return None

    def attribute_name(self, attr: Attribute) -> str:
        return self.string(attr.name) or ""

    def attribute_string(self, attr: Attribute) -> str | None:
        """The attribute's text: its string value, else its raw string; ``None`` if neither."""
        if attr.value.data_type == TYPE_STRING:
            return self.string(attr.value.data)
        return self.string(attr.raw_value)

    def find_attribute(
        self, element: StartElement, name: str, resource_id: int | None = None
    ) -> int | None:
        """The position of the attribute with ``resource_id`` (if given) or else plain ``name``."""
        for pos, attr in enumerate(element.attributes):
            rid = self.attribute_id(attr)
            if resource_id is not None and rid == resource_id:
                return pos
            if resource_id is None and rid is None and self.attribute_name(attr) == name:
                return pos
        return None

    def get(
        self, element: StartElement, name: str, resource_id: int | None = None
    ) -> Attribute | None:
        pos = self.find_attribute(element, name, resource_id)
        return None if pos is None else element.attributes[pos]

    # ------------------------------------------------------------------ elements

    def elements(self) -> Iterator[ElementRef]:
        """Every element start with its tag path; unbalanced documents raise ``AxmlError``."""
        path: list[str] = []
        for index, chunk in enumerate(self.chunks):
            if isinstance(chunk, StartElement):
                if len(path) >= MAX_DEPTH:
                    raise AxmlError(f"elements nest deeper than {MAX_DEPTH} levels")
                path.append(self.string(chunk.name) or "")
                yield ElementRef(index, tuple(path), chunk)
            elif isinstance(chunk, EndElement):
                tag = self.string(chunk.name) or ""
                if not path or path[-1] != tag:
                    raise AxmlError(f"end of element <{tag}> does not match the open elements")
                path.pop()
        if path:
            raise AxmlError(f"element <{path[-1]}> is never closed")

    def replace_chunk(self, index: int, chunk: Chunk) -> Document:
        chunks = list(self.chunks)
        chunks[index] = chunk
        return Document(tuple(chunks), self.header_extra, self.trailer)

    # ------------------------------------------------------------------ bytes

    def to_bytes(self) -> bytes:
        body = b"".join(chunk_bytes(c) for c in self.chunks)
        header_size = 8 + len(self.header_extra)
        head = pack_chunk_header(RES_XML_TYPE, header_size, header_size + len(body))
        return head + self.header_extra + body + self.trailer


def chunk_bytes(chunk: Chunk) -> bytes:
    if isinstance(chunk, StringPool):
        return chunk.to_bytes()
    if isinstance(chunk, ResourceMap):
        return resource_map_bytes(chunk)
    if isinstance(chunk, RawChunk):
        return chunk.raw
    return node_bytes(chunk)


def _parse_chunk(data: bytes, header: ChunkHeader, seen_pool: bool) -> Chunk:
    if header.type == RES_STRING_POOL_TYPE and not seen_pool:
        return parse_string_pool(data, header)
    if header.type == RES_XML_RESOURCE_MAP_TYPE:
        return parse_resource_map(data, header)
    if header.type in _NODE_TYPES:
        return parse_node(data, header)
    return RawChunk(bytes(data[header.offset : header.end]))


def parse(data: bytes) -> Document:
    """Parse compiled XML. Raises ``AxmlError`` (a ``ValueError``) for anything malformed."""
    if not data:
        raise AxmlError("empty file: not a compiled XML document")
    if len(data) > MAX_DOCUMENT_SIZE:
        raise AxmlError(f"{len(data)} bytes is too large for a compiled XML document")
    if len(data) >= 2 and data[:2] != b"\x03\x00":
        raise AxmlError(f"starts with {data[:4]!r}, not a compiled XML chunk (RES_XML_TYPE)")
    top = read_chunk_header(data, 0, len(data))
    chunks: list[Chunk] = []
    offset, seen_pool = top.body, False
    while offset < top.end:
        header = read_chunk_header(data, offset, top.end)
        chunk = _parse_chunk(data, header, seen_pool)
        seen_pool = seen_pool or isinstance(chunk, StringPool)
        chunks.append(chunk)
        offset = header.end
    doc = Document(tuple(chunks), bytes(data[8 : top.body]), bytes(data[top.end :]))
    check_string_refs(doc)
    return doc


def string_refs(chunk: Chunk) -> Iterator[int]:
    """Every string index a chunk holds (``NO_INDEX`` included)."""
    if isinstance(chunk, StartNamespace | EndNamespace):
        yield from (chunk.prefix, chunk.uri, chunk.comment)
    elif isinstance(chunk, EndElement):
        yield from (chunk.ns, chunk.name, chunk.comment)
    elif isinstance(chunk, CData):
        yield from (chunk.data, chunk.comment)
        if chunk.value.data_type == TYPE_STRING:
            yield chunk.value.data
    elif isinstance(chunk, StartElement):
        yield from (chunk.ns, chunk.name, chunk.comment)
        for a in chunk.attributes:
            yield from (a.ns, a.name, a.raw_value)
            if a.value.data_type == TYPE_STRING:
                yield a.value.data


def check_string_refs(doc: Document) -> None:
    count = len(doc.pool.strings)
    for index, chunk in enumerate(doc.chunks):
        for ref in string_refs(chunk):
            if ref != NO_INDEX and ref >= count:
                raise AxmlError(
                    f"chunk {index} refers to string {ref} but the pool holds {count} strings"
                )


def serialize(doc: Document) -> bytes:
    return doc.to_bytes()


__all__ = ["Chunk", "Document", "ElementRef", "parse", "serialize"]
