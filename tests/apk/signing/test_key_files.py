"""Our own EC key files read without cryptography (apk.signing.key_files), and when not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from apk.signing import der, key_files, keys
from apk.signing.keys import KeyAlgorithm, SigningKey

PEM = serialization.Encoding.PEM
PKCS8 = serialization.PrivateFormat.PKCS8


def test_own_ec_key_is_read_as_cryptography_reads_it(ec_key: SigningKey) -> None:
    own = key_files.read_own_ec_key(ec_key.to_pem())
    assert own is not None
    assert own.certificate_der == ec_key.certificate_der
    assert own.fields.public_key_der == ec_key.public_key_der
    assert own.fields.issuer_der == ec_key.certificate.issuer.public_bytes()
    assert own.fields.serial_der == der.integer(ec_key.certificate.serial_number)
    assert own.signer.public_key_der() == ec_key.public_key_der
    private = ec_key.private_key
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    numbers = private.private_numbers().public_numbers
    assert own.signer.public_point == (numbers.x, numbers.y)


def _pem(private: ec.EllipticCurvePrivateKey, encryption: object, cert: bytes) -> bytes:
    assert isinstance(encryption, serialization.KeySerializationEncryption)
    return private.private_bytes(PEM, PKCS8, encryption) + cert


@pytest.mark.parametrize(
    "what", ["rsa", "encrypted", "p384", "sec1", "bad base64", "no certificate", "bad cert"]
)
def test_anything_else_is_left_to_cryptography(
    what: str, rsa_key: SigningKey, ec_key: SigningKey
) -> None:
    cert = ec_key.certificate.public_bytes(PEM)
    plain = serialization.NoEncryption()
    ec_private = ec_key.private_key
    assert isinstance(ec_private, ec.EllipticCurvePrivateKey)
    data = {
        "rsa": rsa_key.to_pem(),
        "encrypted": _pem(ec_private, serialization.BestAvailableEncryption(b"pw"), cert),
        "p384": _pem(ec.generate_private_key(ec.SECP384R1()), plain, cert),
        "sec1": ec_private.private_bytes(PEM, serialization.PrivateFormat.TraditionalOpenSSL, plain)
        + cert,
        "bad base64": ec_key.to_pem().replace(b"\n", b"\n*", 1),
        "no certificate": ec_private.private_bytes(PEM, PKCS8, plain),
        "bad cert": _pem(
            ec_private, plain, b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"
        ),
    }[what]
    assert key_files.read_own_ec_key(data) is None


def test_own_ec_key_checked_against_its_certificate(tmp_path: Path) -> None:
    one, other = keys.generate(algorithm=KeyAlgorithm.EC), keys.generate(algorithm=KeyAlgorithm.EC)
    pem = one.to_pem()
    swapped = pem[: pem.index(b"-----BEGIN CERTIFICATE")] + other.certificate.public_bytes(PEM)
    (tmp_path / keys.HOME_KEY_FILE).write_bytes(swapped)
    assert key_files.read_own_ec_key(swapped) is not None  # read here, then refused
    with pytest.raises(keys.KeyCertMismatchError):
        keys.load_or_create(tmp_path)


def test_own_ec_key_round_trips(tmp_path: Path) -> None:
    made = keys.load_or_create(tmp_path, algorithm=KeyAlgorithm.EC)  # made by cryptography
    again = keys.load_or_create(tmp_path)  # read here
    assert again.to_pem() == (tmp_path / keys.HOME_KEY_FILE).read_bytes() == made.to_pem()
    assert again.algorithm is KeyAlgorithm.EC and again.key_size == 256


def test_a_build_with_existing_ec_keys_does_not_import_cryptography(tmp_path: Path) -> None:
    keys.load_or_create(tmp_path, "clone.pem", algorithm=KeyAlgorithm.EC)
    code = (
        "import sys; from pathlib import Path; from apk.signing import keys, v1, v2v3; "
        "key = keys.load_or_create(Path(sys.argv[1]), 'clone.pem'); "
        "v1.sign({'a': bytes(32)}, key); v2v3.signing_block_for_digest(bytes(32), key); "
        "print(sorted(m for m in sys.modules if m.startswith('cryptography')))"
    )
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], cwd=root, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
