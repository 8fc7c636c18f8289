"""Clear the ``final`` flag of one class in an existing DEX file.

Kotlin classes are final unless declared ``open``, so most modern apps' Application classes
are final and the boot loader could not extend them. Clearing ``ACC_FINAL`` on that one
``class_def`` is sound: the loader subclass overrides no method, so whatever the compiler
or R8 concluded from finality (devirtualised calls, no overriders) stays true, and ART's
on-device compilation sees the patched class anyway. The header's SHA-1 signature and
adler32 checksum are recomputed; nothing else moves.
"""

from __future__ import annotations

import hashlib
import struct
import zlib

from hooks.payload.dexgen import ACC_FINAL, descriptor, mutf8

_VERSIONS = (b"035", b"036", b"037", b"038", b"039", b"040")
_CLASS_DEF = 32


class DexPatchError(ValueError):
    """The dex file is malformed, of an unsupported version, or lacks the class."""


def clear_final(dex: bytes, class_name: str) -> bytes:
    """``dex`` with ``class_name``'s ``ACC_FINAL`` cleared (unchanged if it is not final)."""
    if len(dex) < 0x70 or dex[:4] != b"dex\n" or dex[4:7] not in _VERSIONS:
        raise DexPatchError("not a dex file of version 035-040")
    wanted = mutf8(descriptor(class_name))
    at = _class_def_offset(dex, wanted)
    (flags,) = struct.unpack_from("<I", dex, at + 4)
    if not flags & ACC_FINAL:
        return dex
    patched = bytearray(dex)
    struct.pack_into("<I", patched, at + 4, flags & ~ACC_FINAL)
    patched[12:32] = hashlib.sha1(patched[32:]).digest()
    struct.pack_into("<I", patched, 8, zlib.adler32(patched[12:]))
    return bytes(patched)


def _class_def_offset(dex: bytes, wanted: bytes) -> int:
    string_ids_size, string_ids_off = _u32(dex, 0x38), _u32(dex, 0x3C)
    type_ids_size, type_ids_off = _u32(dex, 0x40), _u32(dex, 0x44)
    class_defs_size, class_defs_off = _u32(dex, 0x60), _u32(dex, 0x64)
    if class_defs_off + class_defs_size * _CLASS_DEF > len(dex):
        raise DexPatchError("class_defs lie beyond the end of the dex file")
    for i in range(class_defs_size):
        at = class_defs_off + i * _CLASS_DEF
        type_idx = _u32(dex, at)
        if type_idx >= type_ids_size:
            raise DexPatchError(f"class_def {i} names type {type_idx} of {type_ids_size}")
        string_idx = _u32(dex, type_ids_off + 4 * type_idx)
        if string_idx >= string_ids_size:
            raise DexPatchError(f"type {type_idx} names string {string_idx} of {string_ids_size}")
        data_off = _u32(dex, string_ids_off + 4 * string_idx)
        if _string_at(dex, data_off) == wanted:
            return at
    raise DexPatchError(f"class {wanted.decode('utf-8', 'replace')} is not defined in this dex")


def _u32(dex: bytes, offset: int) -> int:
    if offset + 4 > len(dex):
        raise DexPatchError(f"offset {offset} lies beyond the end of the dex file")
    value: int = struct.unpack_from("<I", dex, offset)[0]
    return value


def _string_at(dex: bytes, offset: int) -> bytes:
    """The MUTF-8 bytes of the string_data_item at ``offset`` (after its ULEB128 length)."""
    pos = offset
    for _ in range(5):
        if pos >= len(dex):
            raise DexPatchError(f"string data at {offset} lies beyond the end of the dex file")
        pos += 1
        if not dex[pos - 1] & 0x80:
            break
    end = dex.find(b"\x00", pos)
    if end < 0:
        raise DexPatchError(f"string data at {offset} is not terminated")
    return dex[pos:end]
