"""The AXML codec: byte-exact round trips, edits that keep the resource-map invariant, and
malformed input refused with AxmlError."""

from __future__ import annotations

import contextlib
import struct
import subprocess
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apk import android_attrs as attrs
from apk.axml import (
    ANDROID_NS,
    NO_INDEX,
    TYPE_INT_BOOLEAN,
    AxmlError,
    Document,
    EndElement,
    ResourceMap,
    ResValue,
    Span,
    StartElement,
    StringPool,
    XmlAttr,
    XmlElement,
    build_document,
    encode_string_pool,
    parse,
    remove_attribute,
    set_attribute,
)
from apk.axml.document import MAX_DOCUMENT_SIZE
from tests import realapks
from tests.apk.axml_strategies import (
    apk_with_manifest,
    documents,
    real_manifest,
    semantic_view,
)

# ------------------------------------------------------------------------------- real manifests


@pytest.mark.parametrize("name", realapks.ALL)
def test_real_manifest_round_trips_byte_for_byte(name: str) -> None:
    data = real_manifest(name)
    doc = parse(data)
    assert doc.to_bytes() == data
    assert parse(data) == doc


@pytest.mark.parametrize("name", realapks.ALL)
def test_real_string_pool_is_encoded_as_aapt2_does(name: str) -> None:
    """An edited pool is written afresh; for the real pools that gives the same bytes."""
    pool = parse(real_manifest(name)).pool
    assert pool.raw is not None
    assert encode_string_pool(pool) == pool.raw


@pytest.mark.parametrize("name", realapks.ALL)
def test_real_manifest_reads_as_aapt_shows(name: str) -> None:
    doc = parse(real_manifest(name))
    tree = subprocess.run(
        ["aapt", "dump", "xmltree", str(realapks.real_apk(name)), "AndroidManifest.xml"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    tags = [line.strip()[3:].split(" ")[0] for line in tree.splitlines() if " E: " in line]
    assert [ref.tag for ref in doc.elements()] == tags
    root = next(doc.elements()).element
    package = doc.get(root, "package")
    assert package is not None
    assert f'A: package="{doc.attribute_string(package)}"' in tree


# ------------------------------------------------------------------------------- properties


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_generated_documents_round_trip(doc: Document) -> None:
    data = doc.to_bytes()
    parsed = parse(data)
    assert parsed == doc
    assert parsed.to_bytes() == data


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(documents(), st.data())
def test_any_accepted_mutation_round_trips(doc: Document, data: st.DataObject) -> None:
    """Flip bytes of a valid document: the parser either refuses with AxmlError or gives a
    document that writes back to exactly those bytes."""
    raw = bytearray(doc.to_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    try:
        parsed = parse(bytes(raw))
    except AxmlError:
        return
    assert parsed.to_bytes() == bytes(raw)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_parse_or_raise_axml_error(raw: bytes) -> None:
    with contextlib.suppress(AxmlError):
        parse(b"\x03\x00\x08\x00" + struct.pack("<I", 8 + len(raw)) + raw)


KNOWN = [(name, rid) for rid, name in attrs.NAMES.items()]


def _tree(pairs: list[tuple[str, int]], plain: list[str]) -> XmlElement:
    child = XmlElement(
        "application",
        tuple(XmlAttr(n, f"v-{n}", r) for n, r in pairs) + tuple(XmlAttr(p, p) for p in plain),
    )
    return XmlElement("manifest", (XmlAttr("package", "com.example.app"),), (child,))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(KNOWN), unique=True, max_size=6),
    st.lists(st.sampled_from(["package", "split", "name", "zeta"]), unique=True, max_size=3),
    st.lists(st.sampled_from(KNOWN), unique=True, min_size=1, max_size=6),
    st.booleans(),
)
def test_inserted_attributes_keep_the_resource_map_invariant(
    start: list[tuple[str, int]], plain: list[str], added: list[tuple[str, int]], utf8: bool
) -> None:
    doc = build_document(_tree(start, plain), utf8=utf8)
    app = next(r.index for r in doc.elements() if r.tag == "application")
    expected = dict(semantic_view(doc))
    for name, rid in added:
        doc = set_attribute(doc, app, name, f"new-{name}", rid)
        key = ("manifest", "application")
        expected[key] = frozenset(
            {a for a in expected[key] if a[2] != rid} | {(ANDROID_NS, name, rid, f"new-{name}")}
        )
    doc = parse(doc.to_bytes())
    assert dict(semantic_view(doc)) == expected
    ids, strings = doc.resource_ids, doc.pool.strings
    assert len(ids) <= len(strings)
    element = doc.chunks[app]
    assert isinstance(element, StartElement)
    keys = [doc.attribute_id(a) for a in element.attributes]
    with_ids = [k for k in keys if k is not None]
    assert with_ids == sorted(with_ids)
    assert keys[: len(with_ids)] == with_ids  # id-less attributes come after
    for a in element.attributes:  # names with an id sit in the mapped prefix, no others do
        assert (a.name < len(ids)) == (doc.attribute_id(a) is not None)


# ------------------------------------------------------------------------------- edits


def _styled_document() -> Document:
    """A pool with styles and an id-less name that must move when a mapped name is inserted."""
    doc = build_document(
        XmlElement(
            "manifest",
            (
                XmlAttr("package", "com.example.app"),
                XmlAttr("versionCode", ResValue(0x10, 7), attrs.VERSION_CODE),
            ),
            (XmlElement("application", (XmlAttr("label", "App", 0x01010001),)),),
        )
    )
    pool = doc.pool
    styles = ((Span(len(pool.strings) - 1, 0, 1),), ())
    styled = StringPool(pool.strings, styles, pool.flags)
    return Document((styled, *doc.chunks[1:]))


def test_inserting_a_mapped_name_reindexes_every_reference() -> None:
    doc = _styled_document()
    before = semantic_view(doc)
    mapped = len(doc.resource_ids)
    app = next(r.index for r in doc.elements() if r.tag == "application")
    edited = set_attribute(doc, app, "name", "com.example.app.App", attrs.NAME)
    assert edited.pool.strings[mapped] == "name"
    assert edited.resource_ids[mapped] == attrs.NAME
    assert edited.pool.styles[0] == (Span(len(edited.pool.strings) - 2, 0, 1),)  # shifted
    after = dict(semantic_view(parse(edited.to_bytes())))
    for path, attributes in before:
        extra = (
            {(ANDROID_NS, "name", attrs.NAME, "com.example.app.App")}
            if path[-1] == "application"
            else set()
        )
        assert after[path] == attributes | extra


def test_existing_mapped_name_is_reused() -> None:
    doc = _styled_document()
    app = next(r.index for r in doc.elements() if r.tag == "application")
    once = set_attribute(doc, app, "name", "A", attrs.NAME)
    root = next(doc.elements()).index
    twice = set_attribute(once, root, "name", "B", attrs.NAME)
    assert twice.resource_ids == once.resource_ids
    assert twice.pool.strings.count("name") == 1


def test_set_existing_attribute_and_remove_update_indices() -> None:
    doc = build_document(
        XmlElement("view", (XmlAttr("id", "@+id/x"), XmlAttr("class", "c"), XmlAttr("style", "s")))
    )
    ref = next(doc.elements())
    # builder leaves id/class/style indices at 0; set them as aapt would (1-based)
    element = ref.element
    order = [doc.attribute_name(a) for a in element.attributes]
    indexed = StartElement(
        element.ns,
        element.name,
        element.attributes,
        order.index("id") + 1,
        order.index("class") + 1,
        order.index("style") + 1,
        line=element.line,
    )
    doc = doc.replace_chunk(ref.index, indexed)
    doc = set_attribute(
        doc, ref.index, "enabled", ResValue(TYPE_INT_BOOLEAN, 0xFFFFFFFF), attrs.ENABLED
    )
    inserted = doc.chunks[ref.index]
    assert isinstance(inserted, StartElement)
    names = [doc.attribute_name(a) for a in inserted.attributes]
    assert names[0] == "enabled"
    assert names[inserted.id_index - 1] == "id"
    assert names[inserted.class_index - 1] == "class"
    assert names[inserted.style_index - 1] == "style"
    doc = remove_attribute(doc, ref.index, "class")
    removed = doc.chunks[ref.index]
    assert isinstance(removed, StartElement)
    names = [doc.attribute_name(a) for a in removed.attributes]
    assert "class" not in names and removed.class_index == 0
    assert names[removed.id_index - 1] == "id" and names[removed.style_index - 1] == "style"


def test_aapt_reads_an_inserted_attribute_with_its_resource_id(tmp_path: Path) -> None:
    source = realapks.real_apk(realapks.UIAUTOMATOR)
    doc = parse(real_manifest(realapks.UIAUTOMATOR))
    app = next(r.index for r in doc.elements() if r.tag == "application")
    assert doc.get(doc.chunks[app], "name", attrs.NAME) is None  # type: ignore[arg-type]
    edited = set_attribute(doc, app, "name", "org.example.Boot", attrs.NAME)
    apk = apk_with_manifest(source, edited.to_bytes(), tmp_path / "edited.apk")
    tree = subprocess.run(
        ["aapt", "dump", "xmltree", str(apk), "AndroidManifest.xml"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert 'A: android:name(0x01010003)="org.example.Boot"' in tree
    original = subprocess.run(
        ["aapt", "dump", "xmltree", str(source), "AndroidManifest.xml"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert (
        tree.replace(
            '      A: android:name(0x01010003)="org.example.Boot" (Raw: "org.example.Boot")\n',
            "",
            1,
        )
        == original
    )


# ------------------------------------------------------------------------------- malformed input


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"PK\x03\x04garbage-garbage", "not a compiled XML chunk"),
        (b"\x03\x00\x08\x00", "truncated"),
        (b"\x03\x00\x08\x00\xff\xff\xff\x7f", "claims"),
        (b"\x03\x00\x04\x00\x08\x00\x00\x00", "header size"),
    ],
)
def test_garbage_is_refused(raw: bytes, message: str) -> None:
    with pytest.raises(AxmlError, match=message):
        parse(raw)


def test_every_truncation_is_refused() -> None:
    data = real_manifest(realapks.UIAUTOMATOR)
    for end in range(0, len(data), 97):
        with pytest.raises(AxmlError):
            parse(data[:end])


def _patched(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, offset, value)
    return bytes(out)


def _first_chunk_of_type(data: bytes, ctype: int) -> int:
    offset = 8
    while True:
        t, _, size = struct.unpack_from("<HHI", data, offset)
        if t == ctype:
            return offset
        offset += size


@pytest.mark.parametrize(
    ("where", "field", "fmt", "value", "message"),
    [
        (0x0001, 4, "<I", 0x7FFFFFF0, "claims"),  # pool chunk size lies (too big)
        (0x0001, 4, "<I", 12, "header size"),  # pool chunk size lies (below its header)
        (0x0001, 8, "<I", 0x3FFFFFFF, "claims 1073741823 strings"),  # absurd string count
        (0x0001, 12, "<I", 0x3FFFFFFF, "styles"),  # absurd style count
        (0x0001, 20, "<I", 0x7FFFFFF0, "strings start"),
        (0x0001, 28, "<I", 0x7FFFFFF0, "outside the string data"),  # first string offset
        (0x0102, 4, "<I", 0x7FFFFFF0, "claims"),  # element chunk size lies
        (0x0102, 28, "<H", 0xFFFF, "claims 65535 attributes"),
        (0x0102, 24, "<H", 24, "attribute start"),
        (0x0102, 20, "<I", 0x00FFFFFF, "refers to string"),  # element name out of range
        (0x0180, 4, "<I", 0x7FFFFFF0, "claims"),
    ],
)
def test_lying_fields_are_refused(
    where: int, field: int, fmt: str, value: int, message: str
) -> None:
    data = real_manifest(realapks.UIAUTOMATOR)
    bad = _patched(data, _first_chunk_of_type(data, where) + field, fmt, value)
    with pytest.raises(AxmlError, match=message):
        parse(bad)


def test_overlapping_strings_do_not_blow_up_memory() -> None:
    """7000 UTF-16 strings of 32767 chars each starting 2 bytes apart in 80 KB of data would
    decode to 450 MB without a budget."""
    count, text = 7000, b"\xff\x7f" * 40_000
    header_size = 28
    strings_start = header_size + 4 * count
    offsets = b"".join(struct.pack("<I", 2 * i) for i in range(count))
    size = strings_start + len(text)
    pool = struct.pack("<HHIIIIII", 1, header_size, size, count, 0, 0, strings_start, 0)
    data = struct.pack("<HHI", 3, 8, 8 + size) + pool + offsets + text
    tracemalloc.start()
    try:
        with pytest.raises(AxmlError, match="overlap"):
            parse(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024 * 1024


def test_no_index_string_is_none() -> None:
    doc = build_document(XmlElement("a"))
    assert doc.string(NO_INDEX) is None
    with pytest.raises(AxmlError, match="outside the pool"):
        doc.string(len(doc.pool.strings))


def test_a_document_without_resource_map_gets_one() -> None:
    doc = build_document(XmlElement("manifest", (XmlAttr("package", "p.q"),)))
    bare = Document(tuple(c for c in doc.chunks if not isinstance(c, ResourceMap)))
    assert bare.resource_ids == ()
    root = next(bare.elements()).index
    edited = parse(set_attribute(bare, root, "versionName", "1", attrs.VERSION_NAME).to_bytes())
    assert edited.resource_ids == (attrs.VERSION_NAME,)
    assert dict(semantic_view(edited))[("manifest",)] == {
        (None, "package", None, "p.q"),
        (ANDROID_NS, "versionName", attrs.VERSION_NAME, "1"),
    }


def test_absurd_nesting_is_refused() -> None:
    element = XmlElement("leaf")
    for _ in range(300):
        element = XmlElement("e", (), (element,))
    doc = parse(build_document(element).to_bytes())
    with pytest.raises(AxmlError, match="deeper than 256"):
        list(doc.elements())


def test_unbalanced_elements_are_refused() -> None:
    doc = build_document(XmlElement("manifest", (), (XmlElement("application"),)))
    ends = [i for i, c in enumerate(doc.chunks) if isinstance(c, EndElement)]
    unclosed = Document(tuple(c for i, c in enumerate(doc.chunks) if i != ends[-1]))
    with pytest.raises(AxmlError, match="never closed"):
        list(unclosed.elements())
    crossed = Document(tuple(c for i, c in enumerate(doc.chunks) if i != ends[0]))
    with pytest.raises(AxmlError, match="does not match"):
        list(crossed.elements())


def test_a_document_over_the_size_limit_is_refused() -> None:
    size = MAX_DOCUMENT_SIZE + 4
    with pytest.raises(AxmlError, match="too large"):
        parse(struct.pack("<HHI", 3, 8, size) + bytes(size - 8))
