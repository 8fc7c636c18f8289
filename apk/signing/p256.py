"""ECDSA on NIST P-256 with Python integers: signing and public keys, nothing else.

What a clone build signs with is usually a per-clone EC P-256 key this tool made; signing
with it here, instead of through ``cryptography``, keeps that library (~16 MB of memory,
~0.1 s to import) off the build path. A signature takes ~2 ms (one scalar multiplication in
Jacobian coordinates with a 4-bit window). The nonce is deterministic (RFC 6979), so the
signature of given data under a given key is always the same, and equals what
``cryptography`` makes with ``ECDSA(..., deterministic_signing=True)``.

Timing is not constant: Python integers are not. That is acceptable for a local build
tool signing on the user's own machine, where nobody times the signer; it is the reason
this module is not offered for anything else.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator

from apk.signing import der

# the curve y^2 = x^3 - 3x + b over GF(P), base point G of prime order N (FIPS 186-4 D.1.2.3)
P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
G = (
    0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
)
OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1"
OID_P256 = "1.2.840.10045.3.1.7"
_SIZE = 32  # bytes of a coordinate or a scalar
_WINDOW = 4

Affine = tuple[int, int]
Jacobian = tuple[int, int, int]  # (X, Y, Z) is (X/Z^2, Y/Z^3); Z = 0 is the point at infinity
_INFINITY: Jacobian = (1, 1, 0)


def on_curve(point: Affine) -> bool:
    x, y = point
    return 0 <= x < P and 0 <= y < P and (y * y - (x * x * x - 3 * x + B)) % P == 0


def _double(p: Jacobian) -> Jacobian:
    x1, y1, z1 = p
    if z1 == 0 or y1 == 0:
        return _INFINITY
    delta = z1 * z1 % P
    gamma = y1 * y1 % P
    beta = x1 * gamma % P
    alpha = 3 * (x1 - delta) * (x1 + delta) % P
    x3 = (alpha * alpha - 8 * beta) % P
    z3 = ((y1 + z1) ** 2 - gamma - delta) % P
    y3 = (alpha * (4 * beta - x3) - 8 * gamma * gamma) % P
    return x3, y3, z3


def _add_affine(p: Jacobian, q: Affine) -> Jacobian:
    """``p + q`` with ``q`` in affine coordinates (not the point at infinity)."""
    x1, y1, z1 = p
    if z1 == 0:
        return q[0], q[1], 1
    z1z1 = z1 * z1 % P
    u2 = q[0] * z1z1 % P
    s2 = q[1] * z1 * z1z1 % P
    h = (u2 - x1) % P
    r = 2 * (s2 - y1) % P
    if h == 0:
        return _double(p) if r == 0 else _INFINITY
    hh = h * h % P
    i = 4 * hh % P
    j = h * i % P
    v = x1 * i % P
    x3 = (r * r - j - 2 * v) % P
    y3 = (r * (v - x3) - 2 * y1 * j) % P
    z3 = ((z1 + h) ** 2 - z1z1 - hh) % P
    return x3, y3, z3


def _to_affine(p: Jacobian) -> Affine | None:
    x, y, z = p
    if z == 0:
        return None
    zi = pow(z, -1, P)
    zi2 = zi * zi % P
    return x * zi2 % P, y * zi2 * zi % P


def _window_table(point: Affine) -> list[Affine]:
    """``[0·p (unused), 1·p, ..., 15·p]`` in affine coordinates."""
    table: list[Affine] = [point, point]
    acc: Jacobian = (point[0], point[1], 1)
    for _ in range(2, 1 << _WINDOW):
        acc = _add_affine(acc, point)
        affine = _to_affine(acc)
        assert affine is not None  # p has prime order N > 15
        table.append(affine)
    return table


_G_TABLE = _window_table(G)


def multiply_base(k: int) -> Affine:
    """``k·G`` for ``0 < k < N``."""
    if not 0 < k < N:
        raise ValueError("scalar out of range")
    acc = _INFINITY
    for shift in range(256 - _WINDOW, -1, -_WINDOW):
        for _ in range(_WINDOW):
            acc = _double(acc)
        digit = (k >> shift) & ((1 << _WINDOW) - 1)
        if digit:
            acc = _add_affine(acc, _G_TABLE[digit])
    point = _to_affine(acc)
    assert point is not None  # k is not a multiple of N
    return point


def _bits_to_int(data: bytes) -> int:
    """The leftmost 256 bits of ``data`` as an integer (SEC 1 / RFC 6979 bits2int)."""
    value = int.from_bytes(data, "big")
    excess = len(data) * 8 - 256
    return value >> excess if excess > 0 else value


def _nonces(secret: int, digest: bytes, hash_name: str) -> Iterator[int]:
    """RFC 6979 section 3.2: the deterministic ``k`` for ``digest`` under ``secret`` (and
    the next ones, should one give ``r`` or ``s`` of 0)."""
    x = secret.to_bytes(_SIZE, "big")
    h = (_bits_to_int(digest) % N).to_bytes(_SIZE, "big")
    size = hashlib.new(hash_name).digest_size
    v, k = b"\x01" * size, b"\x00" * size
    k = hmac.digest(k, v + b"\x00" + x + h, hash_name)
    v = hmac.digest(k, v, hash_name)
    k = hmac.digest(k, v + b"\x01" + x + h, hash_name)
    v = hmac.digest(k, v, hash_name)
    while True:
        t = b""
        while len(t) < _SIZE:
            v = hmac.digest(k, v, hash_name)
            t += v
        candidate = _bits_to_int(t)
        if 0 < candidate < N:
            yield candidate
        k = hmac.digest(k, v + b"\x00", hash_name)
        v = hmac.digest(k, v, hash_name)


class P256PrivateKey:
    """A P-256 private scalar; signs with ECDSA (signatures DER-encoded, as X.509 has them)."""

    key_size = 256

    def __init__(self, secret: int, pkcs8: bytes) -> None:
        """``secret``: the scalar; ``pkcs8``: the key's PKCS#8 DER it was read from."""
        if not 0 < secret < N:
            raise ValueError("P-256 private key out of range")
        self._secret = secret
        self._pkcs8 = pkcs8
        self.public_point = multiply_base(secret)

    def sign(self, data: bytes, hash_name: str) -> bytes:
        """ECDSA signature (``SEQUENCE {r, s}``) of ``data`` hashed with ``hash_name``."""
        digest = hashlib.new(hash_name, data).digest()
        e = _bits_to_int(digest)
        for k in _nonces(self._secret, digest, hash_name):
            r = multiply_base(k)[0] % N
            s = pow(k, -1, N) * (e + r * self._secret) % N
            if r and s:  # else the next nonce (probability ~2^-256)
                return der.sequence(der.integer(r), der.integer(s))
        raise AssertionError("unreachable: the nonces never end")

    def pkcs8_der(self) -> bytes:
        return self._pkcs8

    def public_key_der(self) -> bytes:
        """The SubjectPublicKeyInfo (named curve, uncompressed point), DER."""
        x, y = self.public_point
        point = b"\x04" + x.to_bytes(_SIZE, "big") + y.to_bytes(_SIZE, "big")
        algorithm = der.sequence(der.oid(OID_EC_PUBLIC_KEY), der.oid(OID_P256))
        return der.sequence(algorithm, der.bit_string(point))
