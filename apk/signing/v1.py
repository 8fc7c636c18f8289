"""v1 (JAR) signing: ``META-INF/MANIFEST.MF``, ``<NAME>.SF`` and ``<NAME>.RSA|.EC``.

The signer takes entry *digests*, not data: the digests of the entries a clone does not touch are
computed once per build (:func:`entry_digest`) and reused for every clone. The layout follows
apksig (the library behind ``apksigner``): CRLF lines wrapped at 70 bytes, manifest sections
sorted by name, the ``.SF`` carrying ``X-Android-APK-Signed`` (v2/v3 stripping protection), and a
detached PKCS#7 SignedData without signed attributes over the ``.SF``.
"""

from __future__ import annotations

import base64
import enum
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from apk.signing import der
from apk.signing.keys import KeyAlgorithm, SigningKey

MANIFEST_NAME = "META-INF/MANIFEST.MF"
DEFAULT_SIGNER_NAME = "CERT"
CREATED_BY = "1.0 (Clonespace)"
V1_ONLY_BELOW_SDK = 24  # from API 24 on, v2 is verified instead of v1
SHA256_MIN_SDK = 18  # JAR signatures with SHA-256 need API 18

_MAX_LINE = 70
_CRLF = b"\r\n"
_OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
_OID_DATA = "1.2.840.113549.1.7.1"
_OID_RSA = "1.2.840.113549.1.1.1"
_OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1"


class DigestAlgorithm(enum.Enum):
    """A JAR digest algorithm: (hashlib name, attribute prefix, PKCS#7 OID)."""

    SHA1 = ("sha1", "SHA1", "1.3.14.3.2.26")
    SHA256 = ("sha256", "SHA-256", "2.16.840.1.101.3.4.2.1")

    @property
    def hashlib_name(self) -> str:
        return self.value[0]

    @property
    def attribute_prefix(self) -> str:
        return self.value[1]

    @property
    def oid(self) -> str:
        return self.value[2]

    @property
    def size(self) -> int:
        return hashlib.new(self.hashlib_name).digest_size


def needs_v1(min_sdk: int) -> bool:
    """Whether an APK with this ``minSdkVersion`` must carry a v1 signature."""
    return min_sdk < V1_ONLY_BELOW_SDK


def digest_algorithm(key: SigningKey, min_sdk: int) -> DigestAlgorithm:
    """The JAR digest apksigner picks: SHA-256 from API 18, SHA-1 below (RSA only)."""
    if min_sdk >= SHA256_MIN_SDK:
        return DigestAlgorithm.SHA256
    if key.algorithm is KeyAlgorithm.EC:
        raise ValueError(f"EC keys need minSdkVersion >= {SHA256_MIN_SDK} for v1, got {min_sdk}")
    return DigestAlgorithm.SHA1


def entry_digest(data: bytes, algorithm: DigestAlgorithm = DigestAlgorithm.SHA256) -> bytes:
    """The digest of an entry's uncompressed data, as MANIFEST.MF lists it."""
    return hashlib.new(algorithm.hashlib_name, data).digest()


def needs_digest(name: str) -> bool:
    """Whether entry ``name`` is listed in MANIFEST.MF (not a directory, not a signature file)."""
    if name.endswith("/"):
        return False
    if not name.startswith("META-INF/") or "/" in name[len("META-INF/") :]:
        return True
    file = name[len("META-INF/") :].lower()
    return not (
        file == "manifest.mf"
        or file.endswith((".sf", ".rsa", ".dsa", ".ec"))
        or file.startswith("sig-")
    )


def is_signature_file(name: str) -> bool:
    """A v1 signature file that re-signing replaces (MANIFEST.MF, *.SF, *.RSA, …)."""
    return name.startswith("META-INF/") and not name.endswith("/") and not needs_digest(name)


@dataclass(frozen=True)
class V1Signature:
    manifest: bytes
    signature_file: bytes
    signature_block: bytes
    signer_name: str
    block_extension: str  # "RSA" or "EC"

    def files(self) -> tuple[tuple[str, bytes], ...]:
        """(entry name, data), in the order to write them: MANIFEST.MF, .SF, .RSA|.EC."""
        return (
            (MANIFEST_NAME, self.manifest),
            (f"META-INF/{self.signer_name}.SF", self.signature_file),
            (f"META-INF/{self.signer_name}.{self.block_extension}", self.signature_block),
        )


def sign(
    digests: Mapping[str, bytes],
    key: SigningKey,
    *,
    algorithm: DigestAlgorithm = DigestAlgorithm.SHA256,
    signer_name: str = DEFAULT_SIGNER_NAME,
    created_by: str = CREATED_BY,
    apk_signature_schemes: Iterable[int] = (2, 3),
) -> V1Signature:
    """The three v1 files for entries ``digests`` (name -> :func:`entry_digest`)."""
    _check_signer_name(signer_name)
    manifest, sections = _manifest(digests, algorithm, created_by)
    sf = _signature_file(manifest, sections, algorithm, created_by, tuple(apk_signature_schemes))
    return V1Signature(
        manifest=manifest,
        signature_file=sf,
        signature_block=signature_block(sf, key, algorithm),
        signer_name=signer_name,
        block_extension=key.algorithm.value,
    )


def _check_signer_name(name: str) -> None:
    if (
        not name
        or len(name) > 8
        or not all(c.isascii() and (c.isalnum() or c in "-_") for c in name)
    ):
        raise ValueError(f"signer name must be 1-8 of A-Z 0-9 - _, got {name!r}")
    if name != name.upper():
        raise ValueError(f"signer name must be upper case, got {name!r}")


def _line(name: str, value: str) -> bytes:
    """One ``Name: value`` header, wrapped at 70 bytes with continuation lines."""
    raw = f"{name}: {value}".encode()
    parts = [raw[:_MAX_LINE]]
    parts += [b" " + raw[i : i + _MAX_LINE - 1] for i in range(_MAX_LINE, len(raw), _MAX_LINE - 1)]
    return _CRLF.join(parts) + _CRLF


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _manifest(
    digests: Mapping[str, bytes], algorithm: DigestAlgorithm, created_by: str
) -> tuple[bytes, list[tuple[str, bytes]]]:
    attribute = f"{algorithm.attribute_prefix}-Digest"
    sections = []
    for name in sorted(digests):
        if any(c in name for c in "\r\n\0"):
            raise ValueError(f"entry name with CR, LF or NUL cannot be JAR-signed: {name!r}")
        digest = digests[name]
        if len(digest) != algorithm.size:
            raise ValueError(f"{name}: digest of {len(digest)} bytes is not {algorithm.name}")
        sections.append((name, _line("Name", name) + _line(attribute, _b64(digest)) + _CRLF))
    main = _line("Manifest-Version", "1.0") + _line("Created-By", created_by) + _CRLF
    return main + b"".join(s for _, s in sections), sections


def _signature_file(
    manifest: bytes,
    sections: list[tuple[str, bytes]],
    algorithm: DigestAlgorithm,
    created_by: str,
    schemes: tuple[int, ...],
) -> bytes:
    h = algorithm.hashlib_name
    main = _line("Signature-Version", "1.0") + _line("Created-By", created_by)
    main += _line(
        f"{algorithm.attribute_prefix}-Digest-Manifest", _b64(hashlib.new(h, manifest).digest())
    )
    if schemes:
        main += _line("X-Android-APK-Signed", ", ".join(str(s) for s in schemes))
    out = [main + _CRLF]
    attribute = f"{algorithm.attribute_prefix}-Digest"
    for name, section in sections:
        out.append(
            _line("Name", name) + _line(attribute, _b64(hashlib.new(h, section).digest())) + _CRLF
        )
    sf = b"".join(out)
    if len(sf) % 1024 == 0:  # old java.util.jar chokes on a .SF whose size is a multiple of 1024
        sf += _CRLF
    return sf


def signature_block(sf: bytes, key: SigningKey, algorithm: DigestAlgorithm) -> bytes:
    """Detached PKCS#7 SignedData (no signed attributes) over ``sf``, DER."""
    signature = key.sign(sf, algorithm.hashlib_name)
    digest_alg = der.sequence(der.oid(algorithm.oid), der.null())
    sig_oid = _OID_RSA if key.algorithm is KeyAlgorithm.RSA else _OID_EC_PUBLIC_KEY
    signer_info = der.sequence(
        der.integer(1),
        der.sequence(key.issuer_der, key.serial_der),
        digest_alg,
        der.sequence(der.oid(sig_oid), der.null()),
        der.octet_string(signature),
    )
    signed_data = der.sequence(
        der.integer(1),
        der.set_of(digest_alg),
        der.sequence(der.oid(_OID_DATA)),
        der.context(0, key.certificate_der),
        der.set_of(signer_info),
    )
    return der.sequence(der.oid(_OID_SIGNED_DATA), der.context(0, signed_data))
