"""Android binary XML (AXML, as in ``AndroidManifest.xml``): read, edit, write back.

``parse(data)`` gives a :class:`Document` of typed chunks; ``doc.to_bytes()`` writes it back,
byte for byte when unedited. Edits (:func:`set_attribute`, :func:`remove_attribute`,
:func:`add_string`) return new documents and keep the string/resource-map invariant.
"""

from apk.axml._reader import NO_INDEX, AxmlError
from apk.axml.builder import XmlAttr, XmlElement, build_document
from apk.axml.document import Chunk, Document, ElementRef, parse, serialize
from apk.axml.edit import (
    ANDROID_NS,
    add_attribute_name,
    add_string,
    remove_attribute,
    set_attribute,
    set_string_values,
)
from apk.axml.nodes import (
    TYPE_INT_BOOLEAN,
    TYPE_INT_DEC,
    TYPE_INT_HEX,
    TYPE_REFERENCE,
    TYPE_STRING,
    Attribute,
    CData,
    EndElement,
    EndNamespace,
    RawChunk,
    ResourceMap,
    ResValue,
    StartElement,
    StartNamespace,
)
from apk.axml.stringpool import Span, StringPool, encode_string_pool

__all__ = [
    "ANDROID_NS",
    "NO_INDEX",
    "TYPE_INT_BOOLEAN",
    "TYPE_INT_DEC",
    "TYPE_INT_HEX",
    "TYPE_REFERENCE",
    "TYPE_STRING",
    "Attribute",
    "AxmlError",
    "CData",
    "Chunk",
    "Document",
    "ElementRef",
    "EndElement",
    "EndNamespace",
    "RawChunk",
    "ResValue",
    "ResourceMap",
    "Span",
    "StartElement",
    "StartNamespace",
    "StringPool",
    "XmlAttr",
    "XmlElement",
    "add_attribute_name",
    "add_string",
    "build_document",
    "encode_string_pool",
    "parse",
    "remove_attribute",
    "serialize",
    "set_attribute",
    "set_string_values",
]
