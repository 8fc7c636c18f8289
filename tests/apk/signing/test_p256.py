"""Pure-Python ECDSA P-256 (apk.signing.p256) against cryptography, RFC 6979 and apksigner."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from apk.signing import der, p256

_HASHES = {"sha1": hashes.SHA1(), "sha256": hashes.SHA256(), "sha512": hashes.SHA512()}


def _pair() -> tuple[ec.EllipticCurvePrivateKey, p256.P256PrivateKey]:
    theirs = ec.generate_private_key(ec.SECP256R1())
    pkcs8 = theirs.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return theirs, p256.P256PrivateKey(theirs.private_numbers().private_value, pkcs8)


def test_base_point_multiples() -> None:
    assert p256.multiply_base(1) == p256.G
    assert p256.multiply_base(p256.N - 1) == (p256.G[0], p256.P - p256.G[1])  # -G
    two = p256.multiply_base(2)
    assert p256.on_curve(two) and two != p256.G
    with pytest.raises(ValueError):
        p256.multiply_base(p256.N)


@pytest.mark.parametrize("hash_name", ["sha1", "sha256", "sha512"])
def test_signatures_are_cryptographys_deterministic_ones(hash_name: str) -> None:
    for _ in range(3):
        theirs, ours = _pair()
        data = hashlib.sha256(str(ours.public_point).encode()).digest() * 7
        signature = ours.sign(data, hash_name)
        algorithm = ec.ECDSA(_HASHES[hash_name], deterministic_signing=True)
        assert signature == theirs.sign(data, algorithm)
        theirs.public_key().verify(signature, data, ec.ECDSA(_HASHES[hash_name]))
        with pytest.raises(InvalidSignature):
            theirs.public_key().verify(signature, data + b"x", ec.ECDSA(_HASHES[hash_name]))


def test_public_key_der_is_cryptographys() -> None:
    theirs, ours = _pair()
    assert ours.public_key_der() == theirs.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def test_rfc6979_p256_sha256_vector() -> None:
    # RFC 6979 A.2.5: P-256, SHA-256, message "sample"
    secret = 0xC9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721
    key = p256.P256PrivateKey(secret, b"")
    assert key.public_point == (
        0x60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6,
        0x7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299,
    )
    r = 0xEFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716
    s = 0xF7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8
    assert key.sign(b"sample", "sha256") == der.sequence(der.integer(r), der.integer(s))


def test_out_of_range_secret() -> None:
    for secret in (0, p256.N):
        with pytest.raises(ValueError, match="out of range"):
            p256.P256PrivateKey(secret, b"")
