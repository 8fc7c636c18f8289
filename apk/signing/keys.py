"""Signing keys: one per clone (app, index) under ``$CLONE_HOME/keys``, or the user's own.

A :class:`SigningKey` is a private key (RSA or EC P-256) with its X.509 certificate.
``load_or_create`` keeps a key in a file of ``keys/`` (mode 0600; by default the home key
``clonespace-signing.pem``, ``clone_key_file`` names a clone's): the file is written to a
temporary name and hard-linked into place, so it is never half-written and two processes
creating it at once end up using the same key. Each clone has its own key because Android
(API 26+) scopes ANDROID_ID to the signing key: clones sharing one key share it.
"""

from __future__ import annotations

import contextlib
import datetime
import enum
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

HOME_KEY_FILE = "clonespace-signing.pem"
CLONE_KEYS_DIR = "clones"  # keys/clones/<app package>/<index>.pem
HOME_KEY_BITS = 3072
CERT_VALIDITY = datetime.timedelta(days=30 * 365)
CERT_COMMON_NAME = "Clonespace"
MIN_RSA_BITS = 2048

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

_PEM_BLOCK = re.compile(
    rb"-----BEGIN (?P<label>[A-Z0-9 ]+)-----\r?\n.*?-----END (?P=label)-----\r?\n?", re.DOTALL
)


class SigningKeyError(ValueError):
    """A key or certificate that cannot be used for signing."""


class KeyFileMissingError(SigningKeyError):
    """The key or certificate file does not exist."""


class KeyPasswordError(SigningKeyError):
    """The key is encrypted and no password, or a wrong one, was given."""


class KeyCertMismatchError(SigningKeyError):
    """The certificate does not belong to the private key."""


class UnsupportedKeyError(SigningKeyError):
    """Not a readable RSA (>= 2048 bits) or EC P-256 key, or not a certificate."""


class KeyAlgorithm(enum.Enum):
    RSA = "RSA"
    EC = "EC"


@dataclass(frozen=True, eq=False)
class SigningKey:
    """A private key and its certificate; checked to belong together when made."""

    private_key: PrivateKey
    certificate: x509.Certificate

    def __post_init__(self) -> None:
        _supported(self.private_key)
        if _public_der(self.private_key) != self.public_key_der:
            raise KeyCertMismatchError("the certificate's public key is not the private key's")

    @property
    def algorithm(self) -> KeyAlgorithm:
        return (
            KeyAlgorithm.RSA if isinstance(self.private_key, rsa.RSAPrivateKey) else KeyAlgorithm.EC
        )

    @property
    def key_size(self) -> int:
        return self.private_key.key_size

    @property
    def certificate_der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def public_key_der(self) -> bytes:
        """The certificate's SubjectPublicKeyInfo, DER."""
        return self.certificate.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, data: bytes, digest: hashes.HashAlgorithm) -> bytes:
        """RSA PKCS#1 v1.5 or ECDSA (DER) signature of ``data`` with ``digest``."""
        if isinstance(self.private_key, rsa.RSAPrivateKey):
            return self.private_key.sign(data, padding.PKCS1v15(), digest)
        return self.private_key.sign(data, ec.ECDSA(digest))

    def to_pem(self) -> bytes:
        """Unencrypted PKCS#8 key followed by the certificate, PEM."""
        key = self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return key + self.certificate.public_bytes(serialization.Encoding.PEM)


def _public_der(key: PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
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
    return SigningKey(key, self_signed_certificate(key))


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
        .not_valid_after(now + CERT_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )


def load_or_create(
    keys_dir: Path, name: str = HOME_KEY_FILE, *, algorithm: KeyAlgorithm = KeyAlgorithm.RSA
) -> SigningKey:
    """The key ``name`` (a path relative to ``keys_dir``, default: this ``$CLONE_HOME``'s
    key), created with mode 0600 (its directories 0700) on first use, then always reused.
    ``algorithm`` is the one a new key gets; an existing key is used as it is."""
    path = keys_dir / name
    if not path.exists():
        keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        for parent in reversed(path.relative_to(keys_dir).parents[:-1]):
            (keys_dir / parent).mkdir(mode=0o700, exist_ok=True)
        _publish(path, generate(algorithm=algorithm).to_pem())
    # our own key (made by ``generate``, mode 0600): its RSA consistency checks, ~0.1 s per
    # 3072-bit key, are skipped; the certificate is still checked to belong to the key
    return _load_pem_pair(path.read_bytes(), None, str(path), own=True)


_PACKAGE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*")


def clone_key_file(package: str, index: int) -> str:
    """Where clone ``index`` of the app ``package`` keeps its key, relative to ``keys/``."""
    if _PACKAGE_NAME.fullmatch(package) is None or index < 1:
        raise ValueError(f"no clone key for package {package!r}, clone {index}")
    return f"{CLONE_KEYS_DIR}/{package}/{index}.pem"


class KeyConflictError(SigningKeyError):
    """A different key is already kept under the name an imported one would take."""


def parse_key_pem(data: bytes, where: str) -> SigningKey:
    """The key and certificate of a clone's key file (PEM: a private key, then its
    certificate) from untrusted ``data``, fully checked; SigningKeyError if it is not one."""
    return _load_pem_pair(data, None, where)


def keep_key_file(keys_dir: Path, name: str, pem: bytes) -> bool:
    """Keep ``pem`` as the key file ``name`` of ``keys_dir`` (as ``load_or_create`` would
    have made it: mode 0600, directories 0700). False when that very file is there already;
    KeyConflictError when another key is."""
    path = keys_dir / name
    if not path.exists():
        keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        for parent in reversed(path.relative_to(keys_dir).parents[:-1]):
            (keys_dir / parent).mkdir(mode=0o700, exist_ok=True)
        _publish(path, pem)
        if path.read_bytes() == pem:
            return True
    if path.read_bytes() != pem:
        raise KeyConflictError(f"{path} holds another signing key")
    return False


def _publish(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, mode 0600; keep an existing file if one appears."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileExistsError):  # another process won: all use its key
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def load_user_key(
    key_path: Path, cert_path: Path | None = None, password: str | bytes | None = None
) -> SigningKey:
    """The user's own key: PKCS#12 (one file), or a key (PEM or DER PKCS#8) and a certificate.

    Without ``cert_path`` the key file must be PKCS#12 or a PEM holding both key and certificate.
    """
    pwd = password.encode() if isinstance(password, str) else password
    data = _read(key_path)
    cert_data = _read(cert_path) if cert_path is not None else None
    if _PEM_BLOCK.search(data):
        return _load_pem_pair(data, pwd, str(key_path), cert_data)
    if cert_data is None:
        return _load_pkcs12(data, pwd, str(key_path))
    key = _load_der_key(data, pwd, str(key_path))
    return SigningKey(key, _load_certificate(cert_data, str(cert_path)))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise KeyFileMissingError(f"no such key or certificate file: {path}") from None
    except IsADirectoryError:
        raise KeyFileMissingError(f"{path} is a directory, not a key or certificate") from None


def _load_pem_pair(
    data: bytes,
    password: bytes | None,
    where: str,
    cert_data: bytes | None = None,
    *,
    own: bool = False,
) -> SigningKey:
    blocks = [(m["label"].decode(), m.group(0)) for m in _PEM_BLOCK.finditer(data)]
    keys = [block for label, block in blocks if label.endswith("PRIVATE KEY")]
    if not keys:
        raise UnsupportedKeyError(f"{where} holds no PEM private key")
    key = _load_pem_key(keys[0], password, where, own=own)
    if cert_data is None:
        certs = [block for label, block in blocks if label == "CERTIFICATE"]
        if not certs:
            raise UnsupportedKeyError(f"{where} holds no certificate; give one with --cert")
        return SigningKey(key, _load_certificate(certs[0], where))
    return SigningKey(key, _load_certificate(cert_data, where))


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
    return SigningKey(_supported(key), cert)


def _load_certificate(data: bytes, where: str) -> x509.Certificate:
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as e:
        raise UnsupportedKeyError(f"{where} is not an X.509 certificate (PEM or DER): {e}") from e
