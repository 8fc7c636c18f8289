"""Signing a whole zip in memory: for tests and for anyone holding a plain unsigned zip.

The clone pipeline calls :mod:`apk.signing.v1` and :mod:`apk.signing.v2v3` directly; these helpers
parse the end of a finished zip to get its :class:`~apk.sections.ZipSections`, append v1 files
with :mod:`zipfile`, or strip an existing signature.
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass

from apk.file_bytes import FileBytes
from apk.sections import EOCD_SIGNATURE, ZipSections
from apk.signing import v1, v2v3
from apk.signing.keys import SigningKey

_EOCD_MIN = 22
_MAX_COMMENT = 0xFFFF


@dataclass(frozen=True)
class SplitZip:
    """A zip cut into its sections, and the APK Signing Block found before its central directory."""

    sections: ZipSections
    signing_block: bytes | None


def split_zip(data: bytes) -> SplitZip:
    """Find the EOCD, central directory and any APK Signing Block of a whole zip file.

    The sections' EOCD points at the central directory as if there were no signing block.
    """
    layout = locate(data)
    sections = ZipSections(data[: layout.entries_end], layout.central_directory, layout.eocd)
    return SplitZip(sections, layout.signing_block)


@dataclass(frozen=True)
class ZipLayout:
    """Where a zip's entries end, and its other sections (``eocd`` as in :func:`split_zip`)."""

    entries_end: int
    central_directory: bytes
    eocd: bytes
    signing_block: bytes | None


def locate(data: bytes | FileBytes) -> ZipLayout:
    """:func:`split_zip` without the entries' bytes: for a file, only its end is read."""
    eocd_at = _find_eocd(data)
    cd_size, cd_offset = struct.unpack("<II", data[eocd_at + 12 : eocd_at + 20])
    if cd_offset == 0xFFFFFFFF or cd_size == 0xFFFFFFFF:
        raise ValueError("zip64 archives are not supported")
    if cd_offset + cd_size != eocd_at:
        raise ValueError(
            f"central directory ({cd_offset}+{cd_size}) does not end at the EOCD ({eocd_at})"
        )
    entries_end, block = cd_offset, None
    if cd_offset >= 32 and data[cd_offset - 16 : cd_offset] == v2v3.MAGIC:
        (size,) = struct.unpack("<Q", data[cd_offset - 24 : cd_offset - 16])
        start = cd_offset - size - 8
        # sizes that do not agree: the magic is the last entry's own data, not a block
        # (Android's ApkSigningBlockUtils.findApkSigningBlock: "not found", not an error)
        if size >= 24 and start >= 0 and struct.unpack("<Q", data[start : start + 8])[0] == size:
            entries_end, block = start, data[start:cd_offset]
    eocd = ZipSections(b"", b"", data[eocd_at : len(data)]).eocd_with_cd_offset(entries_end)
    return ZipLayout(entries_end, data[cd_offset:eocd_at], eocd, block)


def _find_eocd(data: bytes | FileBytes) -> int:
    lowest = max(0, len(data) - _EOCD_MIN - _MAX_COMMENT)
    tail = data[lowest : len(data)]
    at = tail.rfind(EOCD_SIGNATURE)
    while at >= 0:
        if at + _EOCD_MIN <= len(tail):
            (comment_length,) = struct.unpack_from("<H", tail, at + 20)
            if at + _EOCD_MIN + comment_length == len(tail):
                return lowest + at
        at = tail.rfind(EOCD_SIGNATURE, 0, at)
    raise ValueError("not a zip file: no end-of-central-directory record")


def strip_signatures(zip_bytes: bytes) -> bytes:
    """A copy without v1 signature files and without the APK Signing Block.

    Entries are re-written by :mod:`zipfile` (same names, order and compression method).
    """
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(zip_bytes)) as src,
        zipfile.ZipFile(out, "w") as dst,
    ):
        for info in src.infolist():
            if v1.is_signature_file(info.filename):
                continue
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.compress_type = info.compress_type
            copy.external_attr = info.external_attr
            dst.writestr(copy, src.read(info))
    return out.getvalue()


def entry_digests(
    zip_bytes: bytes, algorithm: v1.DigestAlgorithm = v1.DigestAlgorithm.SHA256
) -> dict[str, bytes]:
    """Name -> v1 digest of every entry MANIFEST.MF must list, in zip order."""
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as zf:
        return {
            info.filename: v1.entry_digest(zf.read(info), algorithm)
            for info in zf.infolist()
            if v1.needs_digest(info.filename)
        }


def add_v1_signature(zip_bytes: bytes, key: SigningKey, *, min_sdk: int) -> bytes:
    """``zip_bytes`` (unsigned, made by :mod:`zipfile` or alike) with the v1 files appended."""
    split = split_zip(zip_bytes)
    plain = split.sections.assemble()
    with zipfile.ZipFile(io.BytesIO(plain)) as zf:
        present = [i.filename for i in zf.infolist() if v1.is_signature_file(i.filename)]
    if present:
        raise ValueError(f"zip already has v1 signature files ({present[0]}); strip them first")
    algorithm = v1.digest_algorithm(key, min_sdk)
    signature = v1.sign(entry_digests(plain, algorithm), key, algorithm=algorithm)
    out = io.BytesIO(plain)
    with zipfile.ZipFile(out, "a") as zf:
        for name, data in signature.files():
            zf.writestr(zipfile.ZipInfo(name, (1981, 1, 1, 1, 1, 2)), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def sign_zip(zip_bytes: bytes, key: SigningKey, *, min_sdk: int) -> bytes:
    """Sign an unsigned zip: v1 when ``min_sdk`` < 24, then v2 and v3.

    An existing APK Signing Block is replaced; existing v1 files are an error
    (use :func:`strip_signatures` first).
    """
    if v1.needs_v1(min_sdk):
        zip_bytes = add_v1_signature(zip_bytes, key, min_sdk=min_sdk)
    sections = split_zip(zip_bytes).sections
    return sections.assemble(v2v3.signing_block(sections, key))
