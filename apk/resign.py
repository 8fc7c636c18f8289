"""An APK with some entries replaced, signed again: how a built clone gets a new hook policy
without its source APK (the clone pulled from the phone, its config library replaced).

Every other entry keeps its compressed bytes, order and alignment; a replaced entry keeps its
compression and attributes; the old v1 files and APK Signing Block are dropped and the result
is signed like a fresh build (v1 when minSdk < 24, v2 and v3). Signed with the clone's own key,
the result installs over the clone with ``adb install -r``, keeping its data.
"""

from __future__ import annotations

from collections.abc import Mapping

from apk.signing import v1, v2v3
from apk.signing.keys import SigningKey
from apk.source import parse_source
from apk.zip_read import STORED
from apk.zip_write import EntryAttributes, ZipWriter


def replace_entries(
    data: bytes, replacements: Mapping[str, bytes], key: SigningKey, name: str = "APK"
) -> bytes:
    """``data`` (an APK) with ``replacements`` (entry name -> new content), re-signed."""
    source = parse_source(data, name)
    archive = source.archive
    missing = sorted(set(replacements) - set(archive.names))
    if missing:
        raise ValueError(f"{name}: no entry {missing[0]!r} to replace")
    writer = ZipWriter()
    digests: dict[str, bytes] = {}
    min_sdk = source.info.min_sdk
    algorithm = v1.digest_algorithm(key, min_sdk) if v1.needs_v1(min_sdk) else None
    for entry in archive.entries:
        if v1.is_signature_file(entry.name):
            continue
        content = replacements.get(entry.name)
        if content is None:
            writer.copy(archive, entry)
            if algorithm is not None and v1.needs_digest(entry.name):
                digests[entry.name] = v1.entry_digest(archive.read(entry.name, 1 << 31), algorithm)
            continue
        attributes = EntryAttributes.of(entry)
        writer.add(entry.name, content, compress=entry.method != STORED, attributes=attributes)
        if algorithm is not None and v1.needs_digest(entry.name):
            digests[entry.name] = v1.entry_digest(content, algorithm)
    if algorithm is not None:
        for file_name, content in v1.sign(digests, key, algorithm=algorithm).files():
            writer.add(file_name, content, compress=True)
    sections = writer.sections()
    signature = v2v3.signature_algorithm(key)
    digest = v2v3.content_digest(sections, signature.digest_name)
    return sections.assemble(v2v3.signing_block_for_digest(digest, key))
