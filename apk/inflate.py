"""The fastest raw-deflate inflater and CRC-32 at hand: ISA-L's (the ``isal`` package,
~2.5x zlib's inflate speed on an APK's dex and native code) where it is installed, else
zlib's. Both give the same bytes; a clone build's first v1 digests inflate every entry.
"""

from __future__ import annotations

import zlib
from typing import Protocol, cast

try:
    from isal import isal_zlib as _fast
except ImportError:  # pragma: no cover - isal is a dependency; zlib where it cannot install
    _fast = None  # type: ignore[assignment]


class Inflater(Protocol):
    @property
    def eof(self) -> bool: ...

    @property
    def unconsumed_tail(self) -> bytes: ...

    def decompress(self, data: bytes | memoryview, max_length: int = ..., /) -> bytes: ...

    def flush(self) -> bytes: ...


# isal's stubs call its error an instance; it is the exception class
_FAST_ERROR = zlib.error if _fast is None else cast("type[Exception]", _fast.error)
ERRORS: tuple[type[Exception], ...] = (zlib.error, _FAST_ERROR)
NAME = "zlib" if _fast is None else "isal"


def raw_inflater(*, use_zlib: bool = False) -> Inflater:
    """A decompressor of raw deflate data (no zlib header), as zip entries hold."""
    if _fast is None or use_zlib:
        return zlib.decompressobj(-zlib.MAX_WBITS)
    inflater: Inflater = _fast.decompressobj(-zlib.MAX_WBITS)
    return inflater


def crc32(data: bytes | memoryview, value: int = 0) -> int:
    return zlib.crc32(data, value) if _fast is None else _fast.crc32(data, value)
