"""Signing keys: one per clone (app, index) under ``$CLONE_HOME/keys``, or the user's own.

A :class:`SigningKey` is a private key (RSA or EC P-256) with its X.509 certificate.
``load_or_create`` keeps a key in a file of ``keys/`` (mode 0600; by default the home key
``clonespace-signing.pem``, ``clone_key_file`` names a clone's): the file is written to a
temporary name and hard-linked into place, so it is never half-written and two processes
creating it at once end up using the same key. Each clone has its own key because Android
(API 26+) scopes ANDROID_ID to the signing key: clones sharing one key share it.

A key this tool made that is EC P-256 (what clones of apps with minSdk >= 18 get) is read and
signed with in pure Python (``apk.signing.key_files``, ``apk.signing.p256``), so a build with
the clones' existing keys does not import ``cryptography``; new keys, RSA keys and the
user's own keys go through ``cryptography`` (``apk.signing.crypto_keys``, imported then).
"""

from __future__ import annotations

import base64
import contextlib
import enum
import os
import re
import secrets
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from cryptography import x509

    from apk.signing.crypto_keys import PrivateKey

HOME_KEY_FILE = "clonespace-signing.pem"
CLONE_KEYS_DIR = "clones"  # keys/clones/<app package>/<index>.pem
HOME_KEY_BITS = 3072
CERT_VALIDITY_DAYS = 30 * 365
CERT_COMMON_NAME = "Clonespace"
MIN_RSA_BITS = 2048

PEM_BLOCK = re.compile(
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


class KeySigner(Protocol):
    """What signs: ``sign`` gives an RSA PKCS#1 v1.5 or ECDSA (DER) signature."""

    key_size: int

    def sign(self, data: bytes, hash_name: str) -> bytes: ...

    def public_key_der(self) -> bytes: ...

    def pkcs8_der(self) -> bytes: ...


@dataclass(frozen=True, eq=False)
class SigningKey:
    """A private key (``signer``) and its certificate, with the certificate's fields a
    signature carries; checked to belong together when made."""

    signer: KeySigner
    algorithm: KeyAlgorithm
    certificate_der: bytes
    public_key_der: bytes  # the certificate's SubjectPublicKeyInfo, DER
    issuer_der: bytes  # the certificate's issuer Name, DER
    serial_der: bytes  # the certificate's serial number, a DER INTEGER

    def __post_init__(self) -> None:
        if self.signer.public_key_der() != self.public_key_der:
            raise KeyCertMismatchError("the certificate's public key is not the private key's")

    @property
    def key_size(self) -> int:
        return self.signer.key_size

    def sign(self, data: bytes, hash_name: str) -> bytes:
        """RSA PKCS#1 v1.5 or ECDSA (DER) signature of ``data``, hashed with ``hash_name``
        (a hashlib name: sha1, sha256 or sha512)."""
        return self.signer.sign(data, hash_name)

    def to_pem(self) -> bytes:
        """Unencrypted PKCS#8 key followed by the certificate, PEM."""
        return _pem("PRIVATE KEY", self.signer.pkcs8_der()) + _pem(
            "CERTIFICATE", self.certificate_der
        )

    @cached_property
    def private_key(self) -> PrivateKey:
        """The key as a ``cryptography`` object (imports it)."""
        from apk.signing import crypto_keys

        return crypto_keys.load_private_key(self.signer.pkcs8_der())

    @cached_property
    def certificate(self) -> x509.Certificate:
        """The certificate as a ``cryptography`` object (imports it)."""
        from apk.signing import crypto_keys

        return crypto_keys.load_certificate(self.certificate_der)


def _pem(label: str, data: bytes) -> bytes:
    text = base64.b64encode(data)
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    begin, end = f"-----BEGIN {label}-----".encode(), f"-----END {label}-----\n".encode()
    return b"\n".join([begin, *lines, end])


def generate(
    *, algorithm: KeyAlgorithm = KeyAlgorithm.RSA, bits: int = HOME_KEY_BITS
) -> SigningKey:
    """A new key with a self-signed certificate (CN=Clonespace, valid ~30 years)."""
    from apk.signing import crypto_keys

    return crypto_keys.generate(algorithm=algorithm, bits=bits)


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
    return _load_own(path.read_bytes(), str(path))


def _load_own(data: bytes, where: str) -> SigningKey:
    """A key file this tool made: an EC P-256 key is read here, anything else (RSA, or a
    file someone changed) by ``cryptography``. Either way the certificate is checked to
    belong to the key; an RSA key's own consistency checks (~0.1 s per 3072-bit key) are
    skipped, as this tool made it."""
    from apk.signing import key_files

    own = key_files.read_own_ec_key(data)
    if own is not None:
        fields = own.fields
        return SigningKey(
            own.signer,
            KeyAlgorithm.EC,
            own.certificate_der,
            fields.public_key_der,
            fields.issuer_der,
            fields.serial_der,
        )
    from apk.signing import crypto_keys

    return crypto_keys.load_pem_pair(data, None, where, own=True)


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
    from apk.signing import crypto_keys

    return crypto_keys.load_pem_pair(data, None, where)


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
    from apk.signing import crypto_keys

    pwd = password.encode() if isinstance(password, str) else password
    data = _read(key_path)
    cert_data = _read(cert_path) if cert_path is not None else None
    return crypto_keys.load_user_key(data, str(key_path), cert_data, str(cert_path), pwd)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise KeyFileMissingError(f"no such key or certificate file: {path}") from None
    except IsADirectoryError:
        raise KeyFileMissingError(f"{path} is a directory, not a key or certificate") from None
