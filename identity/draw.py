"""A deterministic random stream from a seed, stable across Python versions.

Values are drawn from SHA-256 in counter mode keyed by the seed and a per-field label, so
the same seed gives the same identity on every Python and platform, and adding a field
never shifts the values of the others. Without a seed the key comes from ``secrets``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

_HEX = "0123456789abcdef"


class Stream:
    """Random draws for one label (one identity field)."""

    def __init__(self, key: bytes, label: str) -> None:
        self._prefix = key + b"\x00" + label.encode()
        self._counter = 0
        self._buffer = b""

    def bytes(self, n: int) -> bytes:
        while len(self._buffer) < n:
            block = hashlib.sha256(self._prefix + self._counter.to_bytes(8, "big")).digest()
            self._buffer += block
            self._counter += 1
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out

    def below(self, n: int) -> int:
        """A uniform integer in ``[0, n)`` (rejection sampling, no modulo bias)."""
        if n <= 0:
            raise ValueError(f"bound must be positive, not {n}")
        size = max(1, (n.bit_length() + 7) // 8)
        limit = (256**size // n) * n
        while True:
            value = int.from_bytes(self.bytes(size), "big")
            if value < limit:
                return value % n

    def choice(self, items: Sequence[T]) -> T:
        return items[self.below(len(items))]

    def digits(self, n: int) -> str:
        return "".join(str(self.below(10)) for _ in range(n))

    def hex(self, n: int) -> str:
        return "".join(_HEX[self.below(16)] for _ in range(n))

    def chars(self, alphabet: str, n: int) -> str:
        return "".join(alphabet[self.below(len(alphabet))] for _ in range(n))


class Draw:
    """The source of every random value of one identity."""

    def __init__(self, seed: int | None = None) -> None:
        if seed is None:
            self._key = secrets.token_bytes(32)
        else:
            self._key = b"clonespace-identity-v1:" + str(int(seed)).encode()

    def stream(self, label: str) -> Stream:
        return Stream(self._key, label)
