"""A strict reader and verifier of v2/v3 APK Signing Blocks (no Java needed).

It checks what Android checks for one signer: the block structure, the signature over the
signed data, the certificate's key equals the signer's key, and the chunked content digest.
Tests use it for many generated inputs; ``apksigner`` remains the oracle for a few.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from apk.file_bytes import FileBytes
from apk.sections import ZipSections
from apk.signing import v2v3
from apk.signing.v2v3 import SignatureAlgorithm
from apk.signing.zipsign import ZipLayout, locate

_SPKI = serialization.PublicFormat.SubjectPublicKeyInfo
_STRIPPING = v2v3.STRIPPING_PROTECTION_ATTR_ID


class SignatureVerificationError(ValueError):
    """The APK Signing Block is malformed or does not verify."""


@dataclass(frozen=True)
class SchemeSigner:
    scheme: int  # 2 or 3
    algorithm: SignatureAlgorithm
    certificate_der: bytes
    min_sdk: int | None  # v3 only
    max_sdk: int | None
    attributes: tuple[tuple[int, bytes], ...]
    content_digest: bytes


@dataclass(frozen=True)
class BlockReport:
    pair_ids: tuple[int, ...]
    block_size: int
    v2: SchemeSigner | None
    v3: SchemeSigner | None


class _Reader:
    def __init__(self, data: bytes, what: str) -> None:
        self.data, self.pos, self.what = memoryview(data), 0, what

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise SignatureVerificationError(f"{self.what}: field of {n} bytes overruns the data")
        chunk = bytes(self.data[self.pos : self.pos + n])
        self.pos += n
        return chunk

    def u32(self) -> int:
        return int(struct.unpack("<I", self.take(4))[0])

    def prefixed(self, what: str) -> _Reader:
        return _Reader(self.take(self.u32()), what)

    def items(self, what: str) -> list[_Reader]:
        out = []
        while not self.done:
            out.append(self.prefixed(what))
        return out

    @property
    def done(self) -> bool:
        return self.pos == len(self.data)

    def rest(self) -> bytes:
        return self.take(len(self.data) - self.pos)


def parse_block(block: bytes) -> list[tuple[int, bytes]]:
    """The ID-value pairs of an APK Signing Block."""
    if len(block) < 32 or block[-16:] != v2v3.MAGIC:
        raise SignatureVerificationError("APK Signing Block lacks its magic")
    (size,) = struct.unpack_from("<Q", block)
    if size != len(block) - 8 or struct.unpack_from("<Q", block, len(block) - 24)[0] != size:
        raise SignatureVerificationError(f"APK Signing Block size fields disagree ({size})")
    pairs, pos, end = [], 8, len(block) - 24
    while pos < end:
        if pos + 12 > end:
            raise SignatureVerificationError(f"truncated ID-value pair at {pos}")
        length, ident = struct.unpack_from("<QI", block, pos)
        if length < 4 or pos + 8 + length > end:
            raise SignatureVerificationError(f"ID-value pair {ident:#x} of bad length {length}")
        pairs.append((ident, block[pos + 12 : pos + 8 + length]))
        pos += 8 + length
    return pairs


def verify_apk(data: bytes | FileBytes) -> BlockReport:
    """Verify the v2 and v3 signatures of a whole APK; raise if anything is wrong. An APK
    read from its file (``FileBytes``) is digested 1 MiB at a time, never held whole."""
    split = locate(data)
    if split.signing_block is None:
        raise SignatureVerificationError("no APK Signing Block")
    pairs = parse_block(split.signing_block)
    found = dict(pairs)
    signers: dict[int, SchemeSigner] = {}
    for scheme, block_id in ((2, v2v3.V2_BLOCK_ID), (3, v2v3.V3_BLOCK_ID)):
        if block_id in found:
            signer = _verify_scheme(found[block_id], scheme)
            digest = _content_digest(data, split, signer.algorithm.digest_name)
            if signer.content_digest != digest:
                raise SignatureVerificationError(f"v{scheme}: content digest does not match")
            signers[scheme] = signer
    if not signers:
        raise SignatureVerificationError("APK Signing Block has no v2 or v3 signature")
    stripping = dict(signers[2].attributes if 2 in signers else ()).get(_STRIPPING)
    if stripping == struct.pack("<I", 3) and 3 not in signers:
        raise SignatureVerificationError("v2 signer says the APK has a v3 signature: stripped?")
    return BlockReport(
        tuple(i for i, _ in pairs), len(split.signing_block), signers.get(2), signers.get(3)
    )


def _content_digest(data: bytes | FileBytes, layout: ZipLayout, digest_name: str) -> bytes:
    if isinstance(data, bytes):
        sections = ZipSections(data[: layout.entries_end], layout.central_directory, layout.eocd)
        return v2v3.content_digest(sections, digest_name)
    chunks: list[bytes] = []
    for chunk in data.chunks(0, layout.entries_end, v2v3.CHUNK_SIZE):  # the v2 chunks
        chunks += v2v3.chunk_digests(chunk, digest_name)
    chunks += v2v3.chunk_digests(layout.central_directory, digest_name)
    eocd = ZipSections(b"", b"", layout.eocd).eocd_with_cd_offset(layout.entries_end)
    chunks += v2v3.chunk_digests(eocd, digest_name)
    return v2v3.top_digest(chunks, digest_name)


def _verify_scheme(value: bytes, scheme: int) -> SchemeSigner:
    where = f"v{scheme}"
    signers = _Reader(value, where).prefixed(f"{where} signers").items(f"{where} signer")
    if len(signers) != 1:
        raise SignatureVerificationError(f"{where}: expected one signer, found {len(signers)}")
    signer = signers[0]
    signed_data = signer.prefixed(f"{where} signed data").rest()
    sdks = struct.unpack("<II", signer.take(8)) if scheme == 3 else None
    signatures = [
        (s.u32(), s.prefixed("signature").rest()) for s in signer.prefixed("sigs").items("sig")
    ]
    public_key = signer.prefixed("public key").rest()
    if not signer.done or len(signatures) != 1:
        raise SignatureVerificationError(f"{where}: trailing data or not exactly one signature")
    algorithm = SignatureAlgorithm.from_id(signatures[0][0])
    _check_signature(public_key, algorithm, signatures[0][1], signed_data, where)
    parsed = _read_signed_data(signed_data, scheme)
    if parsed.digest_ids != (algorithm.value,) or parsed.sdks != sdks:
        raise SignatureVerificationError(f"{where}: signed data disagrees with the signer")
    cert_key = x509.load_der_x509_certificate(parsed.certificates[0]).public_key()
    if cert_key.public_bytes(serialization.Encoding.DER, _SPKI) != public_key:
        raise SignatureVerificationError(f"{where}: certificate key is not the signer's key")
    return SchemeSigner(
        scheme=scheme,
        algorithm=algorithm,
        certificate_der=parsed.certificates[0],
        min_sdk=sdks[0] if sdks else None,
        max_sdk=sdks[1] if sdks else None,
        attributes=parsed.attributes,
        content_digest=parsed.digest,
    )


@dataclass(frozen=True)
class _SignedData:
    digest_ids: tuple[int, ...]
    digest: bytes
    certificates: tuple[bytes, ...]
    sdks: tuple[int, int] | None
    attributes: tuple[tuple[int, bytes], ...]


def _read_signed_data(signed_data: bytes, scheme: int) -> _SignedData:
    data = _Reader(signed_data, f"v{scheme} signed data")
    digests = [(d.u32(), d.prefixed("digest").rest()) for d in data.prefixed("digests").items("d")]
    certs = tuple(c.rest() for c in data.prefixed("certificates").items("certificate"))
    sdks = struct.unpack("<II", data.take(8)) if scheme == 3 else None
    attributes = tuple((a.u32(), a.rest()) for a in data.prefixed("attributes").items("attr"))
    if not digests or not certs:
        raise SignatureVerificationError(f"v{scheme}: signed data without digest or certificate")
    return _SignedData(tuple(i for i, _ in digests), digests[0][1], certs, sdks, attributes)


def _check_signature(
    public_key_der: bytes, algorithm: SignatureAlgorithm, signature: bytes, data: bytes, where: str
) -> None:
    key = serialization.load_der_public_key(public_key_der)
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), algorithm.hash())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(algorithm.hash()))
        else:
            raise SignatureVerificationError(f"{where}: unsupported public key type")
    except InvalidSignature:
        raise SignatureVerificationError(f"{where}: signature does not verify") from None
