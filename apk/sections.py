"""The three sections of a zip file that the APK Signature Scheme v2/v3 digests.

The zip writer produces them; the signer digests them and returns an APK Signing Block;
``assemble`` puts the block between the entries and the central directory and fixes the
central directory offset in the end-of-central-directory record.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

EOCD_SIGNATURE = b"PK\x05\x06"
_EOCD_CD_OFFSET = 16  # offset of the 4-byte "start of central directory" field in the EOCD


@dataclass(frozen=True)
class ZipSections:
    """``entries`` (local headers and data, from offset 0), ``central_directory``, ``eocd``."""

    entries: bytes
    central_directory: bytes
    eocd: bytes

    def __post_init__(self) -> None:
        if len(self.eocd) < 22 or not self.eocd.startswith(EOCD_SIGNATURE):
            raise ValueError("eocd does not start with an end-of-central-directory record")

    @property
    def central_directory_offset(self) -> int:
        return int(struct.unpack_from("<I", self.eocd, _EOCD_CD_OFFSET)[0])

    def eocd_with_cd_offset(self, offset: int) -> bytes:
        """The EOCD record with its central-directory offset set to ``offset``."""
        return eocd_with_cd_offset(self.eocd, offset)

    def assemble(self, signing_block: bytes = b"") -> bytes:
        """The whole file: entries, the signing block (if any), central directory, EOCD."""
        cd_offset = len(self.entries) + len(signing_block)
        return b"".join(
            (
                self.entries,
                signing_block,
                self.central_directory,
                self.eocd_with_cd_offset(cd_offset),
            )
        )


def eocd_with_cd_offset(eocd: bytes, offset: int) -> bytes:
    """``eocd`` with its central-directory offset set to ``offset``."""
    patched = bytearray(eocd)
    struct.pack_into("<I", patched, _EOCD_CD_OFFSET, offset)
    return bytes(patched)
