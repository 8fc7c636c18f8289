"""APK Signature Scheme v2 and v3: the APK Signing Block.

The chunked content digest of the three zip sections is computed once and shared by the v2 and
v3 signers. The layout follows apksig: v2 signer with the stripping-protection attribute
(0xbeeff00d -> 3) when v3 is present, one v3 signer for SDK 24..0x7fffffff (as apksigner), and
a padding pair (0x42726577) so the whole block is a multiple of 4096 bytes.
"""

from __future__ import annotations

import enum
import hashlib
import struct
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from apk.sections import ZipSections
from apk.signing.keys import KeyAlgorithm, SigningKey

if TYPE_CHECKING:
    from cryptography.hazmat.primitives import hashes

CHUNK_SIZE = 1 << 20
V2_BLOCK_ID = 0x7109871A
V3_BLOCK_ID = 0xF05368C0
PADDING_BLOCK_ID = 0x42726577
STRIPPING_PROTECTION_ATTR_ID = 0xBEEFF00D
V3_SCHEME_ID = 3
V3_MIN_SDK = (
    24  # as apksigner: the min SDK of the signature algorithm (P, 28, is the first to read v3)
)
V3_MAX_SDK = 0x7FFFFFFF
MAGIC = b"APK Sig Block 42"
PAGE = 4096

_CHUNK_PREFIX = 0xA5
_TOP_PREFIX = 0x5A


class SignatureAlgorithm(enum.Enum):
    """v2/v3 signature algorithm ids used here, with their content digest."""

    RSA_PKCS1_V1_5_SHA256 = 0x0103
    RSA_PKCS1_V1_5_SHA512 = 0x0104
    ECDSA_SHA256 = 0x0201
    ECDSA_SHA512 = 0x0202

    @property
    def digest_name(self) -> str:
        """hashlib name of the content digest (chunked)."""
        return "sha512" if self.value in (0x0104, 0x0202) else "sha256"

    def hash(self) -> hashes.HashAlgorithm:
        """The ``cryptography`` hash of ``digest_name`` (imports it; for verifying)."""
        from cryptography.hazmat.primitives import hashes

        return hashes.SHA512() if self.digest_name == "sha512" else hashes.SHA256()

    @classmethod
    def from_id(cls, algorithm_id: int) -> SignatureAlgorithm:
        try:
            return cls(algorithm_id)
        except ValueError:
            raise ValueError(f"unsupported signature algorithm id {algorithm_id:#06x}") from None


def signature_algorithm(key: SigningKey) -> SignatureAlgorithm:
    """apksigner's choice: SHA-256 up to RSA 3072 / EC 256 bits, SHA-512 above."""
    if key.algorithm is KeyAlgorithm.RSA:
        if key.key_size <= 3072:
            return SignatureAlgorithm.RSA_PKCS1_V1_5_SHA256
        return SignatureAlgorithm.RSA_PKCS1_V1_5_SHA512
    if key.key_size <= 256:
        return SignatureAlgorithm.ECDSA_SHA256
    return SignatureAlgorithm.ECDSA_SHA512


def content_digest(sections: ZipSections, digest_name: str = "sha256") -> bytes:
    """The chunked digest of entries, central directory and EOCD (cd offset = block start)."""
    eocd = sections.eocd_with_cd_offset(len(sections.entries))
    chunks: list[bytes] = []
    for part in (sections.entries, sections.central_directory, eocd):
        chunks += chunk_digests(part, digest_name)
    return top_digest(chunks, digest_name)


def chunk_digests(data: bytes | bytearray | memoryview, digest_name: str = "sha256") -> list[bytes]:
    """The digests of ``data``'s 1 MiB chunks (the last may be shorter), as v2 computes them
    for each section; a section may be digested in pieces cut at chunk boundaries."""
    view = memoryview(data)
    digests = []
    for start in range(0, len(view), CHUNK_SIZE):
        chunk = view[start : start + CHUNK_SIZE]
        h = hashlib.new(digest_name, struct.pack("<BI", _CHUNK_PREFIX, len(chunk)))
        h.update(chunk)
        digests.append(h.digest())
    return digests


def top_digest(chunk_digests: Sequence[bytes], digest_name: str = "sha256") -> bytes:
    """The content digest over all sections' chunk digests, in order."""
    top = hashlib.new(digest_name, struct.pack("<BI", _TOP_PREFIX, len(chunk_digests)))
    top.update(b"".join(chunk_digests))
    return top.digest()


def signing_block(sections: ZipSections, key: SigningKey, *, v3: bool = True) -> bytes:
    """The APK Signing Block (v2, and v3 unless ``v3=False``) for ``sections``.

    Write the signed APK with ``sections.assemble(block)``.
    """
    algorithm = signature_algorithm(key)
    digest = content_digest(sections, algorithm.digest_name)
    return signing_block_for_digest(digest, key, v3=v3)


def signing_block_for_digest(digest: bytes, key: SigningKey, *, v3: bool = True) -> bytes:
    """The APK Signing Block for an already computed :func:`content_digest`."""
    pairs = [(V2_BLOCK_ID, v2_block(digest, key, v3_present=v3))]
    if v3:
        pairs.append((V3_BLOCK_ID, v3_block(digest, key)))
    return assemble_block(pairs)


def v2_block(digest: bytes, key: SigningKey, *, v3_present: bool) -> bytes:
    """The value of the v2 pair: one signer."""
    attributes = []
    if v3_present:
        attributes.append(struct.pack("<II", STRIPPING_PROTECTION_ATTR_ID, V3_SCHEME_ID))
    signed_data = _signed_data(digest, key, b"", _prefixed_sequence(attributes))
    return _signer_sequence(_signer(signed_data, key, b""))


def v3_block(
    digest: bytes, key: SigningKey, *, min_sdk: int = V3_MIN_SDK, max_sdk: int = V3_MAX_SDK
) -> bytes:
    """The value of the v3 pair: one signer for ``min_sdk..max_sdk``, no rotation lineage."""
    sdks = struct.pack("<II", min_sdk, max_sdk)
    signed_data = _signed_data(digest, key, sdks, b"")
    return _signer_sequence(_signer(signed_data, key, sdks))


def _signed_data(digest: bytes, key: SigningKey, sdks: bytes, attributes: bytes) -> bytes:
    algorithm = signature_algorithm(key)
    digests = _prefixed_sequence([_id_and_bytes(algorithm.value, digest)])
    certificates = _prefixed_sequence([key.certificate_der])
    return _prefixed(digests) + _prefixed(certificates) + sdks + _prefixed(attributes)


def _signer(signed_data: bytes, key: SigningKey, sdks: bytes) -> bytes:
    algorithm = signature_algorithm(key)
    signature = key.sign(signed_data, algorithm.digest_name)
    signatures = _prefixed_sequence([_id_and_bytes(algorithm.value, signature)])
    return _prefixed(signed_data) + sdks + _prefixed(signatures) + _prefixed(key.public_key_der)


def _signer_sequence(*signers: bytes) -> bytes:
    return _prefixed(_prefixed_sequence(signers))


def _prefixed(data: bytes) -> bytes:
    return struct.pack("<I", len(data)) + data


def _prefixed_sequence(items: Iterable[bytes]) -> bytes:
    return b"".join(_prefixed(item) for item in items)


def _id_and_bytes(ident: int, data: bytes) -> bytes:
    return struct.pack("<I", ident) + _prefixed(data)


def assemble_block(pairs: Sequence[tuple[int, bytes]], *, pad: bool = True) -> bytes:
    """An APK Signing Block of ID-value ``pairs``, padded to a multiple of 4096 bytes."""
    body = b"".join(struct.pack("<QI", 4 + len(value), ident) + value for ident, value in pairs)
    size = 8 + len(body) + 8 + len(MAGIC)
    if pad and size % PAGE:
        padding = PAGE - size % PAGE
        if padding < 12:  # an ID-value pair needs at least 12 bytes
            padding += PAGE
        body += struct.pack("<QI", padding - 8, PADDING_BLOCK_ID) + bytes(padding - 12)
        size += padding
    size_field = struct.pack("<Q", size - 8)
    return size_field + body + size_field + MAGIC
