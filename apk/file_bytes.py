"""A file's bytes read on demand instead of held in memory, and spans of them to copy.

A source APK of tens of MB is read through :class:`FileBytes`: its zip structure is parsed
from small reads, an entry's data is read in small pieces when it must be inflated or
hashed, and the data of entries a clone copies unchanged go from the source file to the
clone's file in the kernel (:func:`copy_span`, ``copy_file_range``), never through the
process's memory. The file is kept open (by descriptor) while the object lives, so a file
renamed or replaced meanwhile does not change what is read; one changed in place is
refused when it has become shorter.
"""

from __future__ import annotations

import errno
import hashlib
import os
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_HASH_STEP = 1 << 20
_COPY_FALLBACK = frozenset({errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP})


class FileChangedError(ValueError):
    """The file is shorter than when it was opened: it changed while it was read."""


class FileBytes:
    """The bytes of the file at ``path``; slicing (``data[a:b]``) reads them."""

    def __init__(self, path: Path) -> None:
        self.name = str(path)
        self.fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        weakref.finalize(self, os.close, self.fd)
        self._size = os.fstat(self.fd).st_size

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, key: slice) -> bytes:
        start, stop, step = key.indices(self._size)
        if step != 1:
            raise ValueError("FileBytes slices have a step of 1")
        return self.read(start, max(0, stop - start))

    def read(self, offset: int, length: int) -> bytes:
        """``length`` bytes at ``offset`` (all of them, or :class:`FileChangedError`)."""
        data = os.pread(self.fd, length, offset)
        while len(data) < length:
            more = os.pread(self.fd, length - len(data), offset + len(data))
            if not more:
                raise FileChangedError(f"{self.name} changed while it was read")
            data += more
        return data

    def chunks(self, offset: int, length: int, step: int) -> Iterator[bytes]:
        """The bytes of ``offset`` .. ``offset + length``, read ``step`` bytes at a time."""
        end = offset + length
        for start in range(offset, end, step):
            yield self.read(start, min(step, end - start))

    def sha256(self) -> str:
        """The whole file's sha256 (hex), read in 1 MiB pieces."""
        digest = hashlib.sha256()
        for chunk in self.chunks(0, self._size, _HASH_STEP):
            digest.update(chunk)
        return digest.hexdigest()


@dataclass(frozen=True)
class FileSpan:
    """``length`` bytes at ``offset`` of ``source``, to copy or hash without holding them."""

    source: FileBytes
    offset: int
    length: int

    def __len__(self) -> int:
        return self.length

    def read(self) -> bytes:
        return self.source.read(self.offset, self.length)

    def chunks(self, step: int = _HASH_STEP) -> Iterator[bytes]:
        return self.source.chunks(self.offset, self.length, step)


def copy_span(span: FileSpan, out_fd: int) -> None:
    """Append ``span`` to the file open at ``out_fd`` (at its position), in the kernel where
    it can (``copy_file_range``), else through a small buffer."""
    offset, left = span.offset, span.length
    while left:
        try:
            done = os.copy_file_range(span.source.fd, out_fd, left, offset)
        except OSError as e:
            if e.errno not in _COPY_FALLBACK:
                raise
            for chunk in span.source.chunks(offset, left, _HASH_STEP):
                write_all(out_fd, chunk)
            return
        if done == 0:
            raise FileChangedError(f"{span.source.name} changed while it was read")
        offset += done
        left -= done


def write_all(fd: int, data: bytes | memoryview) -> None:
    """Write all of ``data`` at ``fd``'s position."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
