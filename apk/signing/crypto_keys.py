"""Keys handled through the ``cryptography`` library: new keys and their certificates, the
user's own keys (PEM, DER PKCS#8, PKCS#12, encrypted or not), and signing with them.

``apk.signing.keys`` imports this module only when it needs it: a build with the clones'
existing EC keys never does (``apk.signing.p256`` signs those).
"""

from __future__ import annotations

import datetime

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from apk.signing import der
from apk.signing.keys import (
    CERT_COMMON_NAME,
    CERT_VALIDITY_DAYS,
    HOME_KEY_BITS,
    MIN_RSA_BITS,
    PEM_BLOCK,
    KeyAlgorithm,
    KeyPasswordError,
    SigningKey,
    UnsupportedKeyError,
)

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha256": hashes.SHA256,
    "sha512": hashes.SHA512,
}


class CryptographySigner:
    """Signs with a ``cryptography`` private key: RSA PKCS#1 v1.5 or ECDSA (DER)."""

    def __init__(self, private_key: PrivateKey) -> None:
        self.private_key = _supported(private_key)
        self.key_size = private_key.key_size
        is_rsa = isinstance(private_key, rsa.RSAPrivateKey)
        self.algorithm = KeyAlgorithm.RSA if is_rsa else KeyAlgorithm.EC

    def sign(self, data: bytes, hash_name: str) -> bytes:
        digest = _HASHES[hash_name]()
        if isinstance(self.private_key, rsa.RSAPrivateKey):
            return self.private_key.sign(data, padding.PKCS1v15(), digest)
        return self.private_key.sign(data, ec.ECDSA(digest))

    def public_key_der(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def pkcs8_der(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def signing_key(private_key: PrivateKey, certificate: x509.Certificate) -> SigningKey:
    """The :class:`SigningKey` of a ``cryptography`` key and certificate (checked to match)."""
    signer = CryptographySigner(private_key)
    return SigningKey(
        signer,
        signer.algorithm,
        certificate.public_bytes(serialization.Encoding.DER),
        certificate.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        certificate.issuer.public_bytes(),
        der.integer(certificate.serial_number),
    )


def _supported(key: object) -> PrivateKey:
    """``key`` if it is RSA >= 2048 bits or EC P-256; else :class:`UnsupportedKeyError`."""
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < MIN_RSA_BITS:
            raise UnsupportedKeyError(f"RSA key of {key.key_size} bits; need >= {MIN_RSA_BITS}")
        return key
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if not isinstance(key.curve, ec.SECP256R1):
            raise UnsupportedKeyError(f"EC key on curve {key.curve.name}; only P-256 is supported")
        return key
    raise UnsupportedKeyError(f"{type(key).__name__} keys are not supported; use RSA or EC P-256")


def generate(
    *, algorithm: KeyAlgorithm = KeyAlgorithm.RSA, bits: int = HOME_KEY_BITS
) -> SigningKey:
    """A new key with a self-signed certificate (CN=Clonespace, valid ~30 years)."""
    key: PrivateKey
    if algorithm is KeyAlgorithm.RSA:
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    else:
        key = ec.generate_private_key(ec.SECP256R1())
    return signing_key(key, self_signed_certificate(key))


def self_signed_certificate(
    key: PrivateKey, common_name: str = CERT_COMMON_NAME
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=CERT_VALIDITY_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )


def load_user_key(
    data: bytes, where: str, cert_data: bytes | None, cert_where: str, password: bytes | None
) -> SigningKey:
    """See :func:`apk.signing.keys.load_user_key`; ``data`` is the key file's bytes."""
    if PEM_BLOCK.search(data):
        return load_pem_pair(data, password, where, cert_data)
    if cert_data is None:
        return _load_pkcs12(data, password, where)
    key = _load_der_key(data, password, where)
    return signing_key(key, _load_certificate(cert_data, cert_where))


def load_pem_pair(
    data: bytes,
    password: bytes | None,
    where: str,
    cert_data: bytes | None = None,
    *,
    own: bool = False,
) -> SigningKey:
    blocks = [(m["label"].decode(), m.group(0)) for m in PEM_BLOCK.finditer(data)]
    keys = [block for label, block in blocks if label.endswith("PRIVATE KEY")]
    if not keys:
        raise UnsupportedKeyError(f"{where} holds no PEM private key")
    key = _load_pem_key(keys[0], password, where, own=own)
    if cert_data is None:
        certs = [block for label, block in blocks if label == "CERTIFICATE"]
        if not certs:
            raise UnsupportedKeyError(f"{where} holds no certificate; give one with --cert")
        return signing_key(key, _load_certificate(certs[0], where))
    return signing_key(key, _load_certificate(cert_data, where))


def _load_pem_key(
    block: bytes, password: bytes | None, where: str, *, own: bool = False
) -> PrivateKey:
    """The key in a PEM ``block``; ``own``: a key this tool made, not checked again."""
    try:
        key = serialization.load_pem_private_key(
            block, password, unsafe_skip_rsa_key_validation=own
        )
    except TypeError as e:  # encrypted without a password, or a password for a plain key
        raise KeyPasswordError(f"{where}: {_password_hint(password)}") from e
    except ValueError as e:
        if password is not None and b"ENCRYPTED" in block:
            raise KeyPasswordError(f"{where}: wrong password for the encrypted key") from e
        raise UnsupportedKeyError(f"{where}: cannot read the private key ({e})") from e
    except UnsupportedAlgorithm as e:
        raise UnsupportedKeyError(f"{where}: unsupported key algorithm ({e})") from e
    return _supported(key)


def _load_der_key(data: bytes, password: bytes | None, where: str) -> PrivateKey:
    try:
        key = serialization.load_der_private_key(data, password)
    except TypeError as e:
        raise KeyPasswordError(f"{where}: {_password_hint(password)}") from e
    except ValueError as e:
        if password is not None:
            raise KeyPasswordError(f"{where}: wrong password, or not a private key") from e
        raise UnsupportedKeyError(
            f"{where} is not a PEM, DER (PKCS#8) or PKCS#12 private key ({e})"
        ) from e
    except UnsupportedAlgorithm as e:
        raise UnsupportedKeyError(f"{where}: unsupported key algorithm ({e})") from e
    return _supported(key)


def _password_hint(password: bytes | None) -> str:
    if password is None:
        return "the key is encrypted; give its password"
    return "the key is not encrypted; give no password"


def _load_pkcs12(data: bytes, password: bytes | None, where: str) -> SigningKey:
    try:
        key, cert, _ = pkcs12.load_key_and_certificates(data, password)
    except ValueError as e:
        if "password" not in str(e).lower():  # not PKCS#12 at all
            raise UnsupportedKeyError(
                f"{where} is not a PEM, DER (PKCS#8) or PKCS#12 key; for a DER key give --cert"
            ) from e
        problem = "it needs a password" if password is None else "wrong password"
        raise KeyPasswordError(f"{where}: cannot open the PKCS#12 file: {problem}") from e
    if key is None or cert is None:
        raise UnsupportedKeyError(f"{where}: the PKCS#12 file lacks a private key or certificate")
    return signing_key(_supported(key), cert)


def _load_certificate(data: bytes, where: str) -> x509.Certificate:
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as e:
        raise UnsupportedKeyError(f"{where} is not an X.509 certificate (PEM or DER): {e}") from e


def load_private_key(pkcs8_der: bytes) -> PrivateKey:
    """A ``cryptography`` key from unencrypted PKCS#8 DER (for ``SigningKey.private_key``)."""
    return _supported(serialization.load_der_private_key(pkcs8_der, None))


def load_certificate(certificate_der: bytes) -> x509.Certificate:
    return x509.load_der_x509_certificate(certificate_der)
