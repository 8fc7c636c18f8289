"""Our own EC key files read without ``cryptography``: PEM blocks, an unencrypted PKCS#8
P-256 key, and the fields of an X.509 certificate a signature carries.

Anything else (RSA, an encrypted or odd key, a certificate this reader does not follow) gives
``None``, and the caller reads the file with ``cryptography`` instead, which also words the
errors.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from apk.signing import der
from apk.signing.keys import PEM_BLOCK
from apk.signing.p256 import OID_EC_PUBLIC_KEY, OID_P256, P256PrivateKey

_CONTEXT_0 = 0xA0
_CONTEXT_1 = 0xA1


@dataclass(frozen=True)
class CertificateFields:
    """What a signature carries of its certificate, each exactly as the certificate has it."""

    issuer_der: bytes
    serial_der: bytes
    public_key_der: bytes  # SubjectPublicKeyInfo


@dataclass(frozen=True)
class OwnEcKey:
    signer: P256PrivateKey
    certificate_der: bytes
    fields: CertificateFields


def read_own_ec_key(data: bytes) -> OwnEcKey | None:
    """The P-256 key and certificate of a PEM file as ``SigningKey.to_pem`` writes it (the
    first private key and the first certificate), or ``None`` if it is not one."""
    key_der = _first_block(data, "PRIVATE KEY")
    certificate_der = _first_block(data, "CERTIFICATE")
    if key_der is None or certificate_der is None:
        return None
    try:
        secret = _p256_secret(key_der)
        fields = certificate_fields(certificate_der)
        if secret is None:
            return None
        return OwnEcKey(P256PrivateKey(secret, key_der), certificate_der, fields)
    except (ValueError, IndexError):  # DerError, a missing element, a scalar out of range
        return None


def _first_block(data: bytes, label: str) -> bytes | None:
    """The DER in the first PEM block labelled ``label``; ``None`` if the first block whose
    label ends like that (e.g. ``ENCRYPTED PRIVATE KEY``) is another, or none is there."""
    for match in PEM_BLOCK.finditer(data):
        found = match["label"].decode()
        if found == label:
            lines = match.group(0).strip().splitlines()[1:-1]
            try:
                return base64.b64decode(b"".join(lines), validate=True)
            except (binascii.Error, ValueError):
                return None
        if found.endswith(label):
            return None
    return None


def _p256_secret(key_der: bytes) -> int | None:
    """The private scalar of an unencrypted PKCS#8 P-256 key (RFC 5208, RFC 5915)."""
    tag, content, end = der.read(key_der)
    if tag != der.SEQUENCE or end != len(key_der):
        return None
    items = der.read_all(content)
    if len(items) < 3 or der.read_integer(der.expect(items[0], der.INTEGER)) != 0:
        return None
    algorithm = der.expect(items[1], der.SEQUENCE)
    if algorithm != der.oid(OID_EC_PUBLIC_KEY) + der.oid(OID_P256):
        return None
    inner = der.expect(items[2], der.OCTET_STRING)
    tag, ec_content, end = der.read(inner)
    if tag != der.SEQUENCE or end != len(inner):
        return None
    ec_items = der.read_all(ec_content)
    if len(ec_items) < 2 or der.read_integer(der.expect(ec_items[0], der.INTEGER)) != 1:
        return None
    secret = der.expect(ec_items[1], der.OCTET_STRING)
    for item in ec_items[2:]:
        if item[0] == _CONTEXT_0 and item[1] != der.oid(OID_P256):
            return None  # parameters naming another curve
    if len(secret) != 32:
        return None
    return int.from_bytes(secret, "big")


def certificate_fields(certificate_der: bytes) -> CertificateFields:
    """Issuer, serial number and public key of an X.509 certificate (raw DER of each)."""
    tag, content, end = der.read(certificate_der)
    if tag != der.SEQUENCE or end != len(certificate_der):
        raise der.DerError("not a certificate")
    tbs = der.expect(der.read_all(content)[0], der.SEQUENCE)
    items = der.read_all(tbs)
    if items and items[0][0] == _CONTEXT_0:  # version
        items = items[1:]
    if len(items) < 6:
        raise der.DerError("certificate too short")
    serial, _signature, issuer, _validity, _subject, public_key = items[:6]
    der.expect(serial, der.INTEGER)
    der.expect(issuer, der.SEQUENCE)
    der.expect(public_key, der.SEQUENCE)
    return CertificateFields(issuer[2], serial[2], public_key[2])
