"""A minimal DEX writer (format version 035), pure Python.

It writes what a boot loader class needs and nothing more: classes with direct methods
whose code uses ``const-string``, ``invoke-static``, ``invoke-direct``, ``return-void``,
``move-exception`` and ``throw``, with catch-all try blocks.
Everything the ART/Dalvik verifier checks about the container is done properly: the
header with its adler32 checksum and SHA-1 signature, ``string_ids`` sorted by UTF-16 code
units, ``type_ids`` sorted by descriptor, ``proto_ids`` and ``method_ids`` sorted, the
class data with ULEB128 deltas, 4-byte aligned ``code_item``/``type_list``/``map_list``,
and the ``map_list`` in offset order. Layout follows the Dalvik executable format spec
(source.android.com/docs/core/runtime/dex-format).
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MAGIC = b"dex\n035\x00"
HEADER_SIZE = 0x70
ENDIAN_TAG = 0x12345678
NO_INDEX = 0xFFFFFFFF

ACC_PUBLIC = 0x1
ACC_PRIVATE = 0x2
ACC_STATIC = 0x8
ACC_FINAL = 0x10
ACC_CONSTRUCTOR = 0x10000

# map_list item type codes
_TYPE_HEADER = 0x0000
_TYPE_STRING_ID = 0x0001
_TYPE_TYPE_ID = 0x0002
_TYPE_PROTO_ID = 0x0003
_TYPE_METHOD_ID = 0x0005
_TYPE_CLASS_DEF = 0x0006
_TYPE_MAP_LIST = 0x1000
_TYPE_TYPE_LIST = 0x1001
_TYPE_CLASS_DATA = 0x2000
_TYPE_CODE = 0x2001
_TYPE_STRING_DATA = 0x2002

_PRIMITIVES = frozenset("VZBSCIJFD")


class DexFormatError(ValueError):
    """A class, method or instruction cannot be written as DEX (names the value)."""


@dataclass(frozen=True)
class MethodRef:
    """A method by its class descriptor (``Ljava/lang/System;``), name and prototype."""

    cls: str
    name: str
    params: tuple[str, ...]
    ret: str


@dataclass(frozen=True)
class ConstString:
    """``const-string vREG, "value"`` (format 21c)."""

    reg: int
    value: str


@dataclass(frozen=True)
class InvokeStatic:
    """``invoke-static {regs}, method`` (format 35c)."""

    regs: tuple[int, ...]
    method: MethodRef


@dataclass(frozen=True)
class InvokeDirect:
    """``invoke-direct {regs}, method`` (format 35c)."""

    regs: tuple[int, ...]
    method: MethodRef


@dataclass(frozen=True)
class ReturnVoid:
    """``return-void`` (format 10x)."""


@dataclass(frozen=True)
class MoveException:
    """``move-exception vREG`` (format 11x): the first instruction of a handler."""

    reg: int


@dataclass(frozen=True)
class Throw:
    """``throw vREG`` (format 11x)."""

    reg: int


Insn = ConstString | InvokeStatic | InvokeDirect | ReturnVoid | MoveException | Throw


@dataclass(frozen=True)
class CatchAll:
    """A try block over instructions ``start`` to ``end`` (indexes into ``Code.insns``, end
    excluded) whose every exception goes to the handler at instruction ``handler``."""

    start: int
    end: int
    handler: int


@dataclass(frozen=True)
class Code:
    """A method body: register counts, instructions and try blocks (no debug info)."""

    registers: int
    ins: int
    outs: int
    insns: tuple[Insn, ...]
    tries: tuple[CatchAll, ...] = ()


@dataclass(frozen=True)
class DirectMethod:
    """A direct method (constructor, static or private) of the class that defines it."""

    name: str
    params: tuple[str, ...]
    ret: str
    access_flags: int
    code: Code


@dataclass(frozen=True)
class ClassDef:
    """A class: its descriptor, superclass descriptor, access flags and direct methods."""

    descriptor: str
    superclass: str
    access_flags: int
    direct_methods: tuple[DirectMethod, ...]


def descriptor(class_name: str) -> str:
    """``com.example.App`` -> ``Lcom/example/App;`` (raises ValueError on a bad name)."""
    parts = class_name.split(".")
    if not class_name or any(not p or any(c in p for c in "/;[ ") for p in parts):
        raise DexFormatError(f"not a Java class name: {class_name!r}")
    return "L" + "/".join(parts) + ";"


def write_dex(classes: Sequence[ClassDef]) -> bytes:
    """Serialise ``classes`` into one complete DEX file (version 035)."""
    pools = _Pools.collect(classes)
    return _Layout(pools, classes).build()


# --- pools ---------------------------------------------------------------------------------


def _utf16_key(s: str) -> tuple[int, ...]:
    data = s.encode("utf-16-be", "surrogatepass")
    return tuple(struct.unpack(f">{len(data) // 2}H", data))


def mutf8(s: str) -> bytes:
    out = bytearray()
    for unit in _utf16_key(s):
        if 0 < unit < 0x80:
            out.append(unit)
        elif unit < 0x800:
            out += bytes((0xC0 | (unit >> 6), 0x80 | (unit & 0x3F)))
        else:
            out += bytes((0xE0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3F), 0x80 | (unit & 0x3F)))
    return bytes(out)


def _shorty(params: Iterable[str], ret: str) -> str:
    return "".join(t if t in _PRIMITIVES else "L" for t in (ret, *params))


def _check_type(t: str) -> str:
    base = t.lstrip("[")
    if base in _PRIMITIVES or (len(base) > 2 and base[0] == "L" and base[-1] == ";"):
        return t
    raise DexFormatError(f"not a DEX type descriptor: {t!r}")


@dataclass(frozen=True)
class _Proto:
    ret: str
    params: tuple[str, ...]


class _Pools:
    """Every string, type, proto and method the classes use, sorted and indexed."""

    def __init__(
        self,
        strings: list[str],
        types: list[str],
        protos: list[_Proto],
        methods: list[MethodRef],
    ) -> None:
        self.strings = sorted(set(strings), key=_utf16_key)
        self.string_idx = {s: i for i, s in enumerate(self.strings)}
        self.types = sorted(set(types), key=lambda t: self.string_idx[t])
        self.type_idx = {t: i for i, t in enumerate(self.types)}
        self.protos = sorted(set(protos), key=self._proto_key)
        self.proto_idx = {p: i for i, p in enumerate(self.protos)}
        self.methods = sorted(set(methods), key=self._method_key)
        self.method_idx = {m: i for i, m in enumerate(self.methods)}

    def _proto_key(self, p: _Proto) -> tuple[int, tuple[int, ...]]:
        return self.type_idx[p.ret], tuple(self.type_idx[t] for t in p.params)

    def _method_key(self, m: MethodRef) -> tuple[int, int, int]:
        proto = _Proto(m.ret, m.params)
        return self.type_idx[m.cls], self.string_idx[m.name], self.proto_idx[proto]

    @classmethod
    def collect(cls, classes: Sequence[ClassDef]) -> _Pools:
        strings: list[str] = []
        types: list[str] = []
        protos: list[_Proto] = []
        methods: list[MethodRef] = []

        def add_method(m: MethodRef) -> None:
            for t in (m.cls, m.ret, *m.params):
                types.append(_check_type(t))
            strings.extend((m.name, _shorty(m.params, m.ret)))
            protos.append(_Proto(m.ret, m.params))
            methods.append(m)

        for c in classes:
            types.extend((_check_type(c.descriptor), _check_type(c.superclass)))
            for dm in c.direct_methods:
                add_method(MethodRef(c.descriptor, dm.name, dm.params, dm.ret))
                for insn in dm.code.insns:
                    if isinstance(insn, ConstString):
                        strings.append(insn.value)
                    elif isinstance(insn, InvokeStatic | InvokeDirect):
                        add_method(insn.method)
        strings.extend(types)
        return cls(strings, types, protos, methods)


# --- encoding ------------------------------------------------------------------------------


def _uleb128(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _encode_insn(insn: Insn, pools: _Pools) -> list[int]:
    """The 16-bit code units of one instruction."""
    if isinstance(insn, ReturnVoid):
        return [0x000E]
    if isinstance(insn, MoveException | Throw):
        if not 0 <= insn.reg <= 0xFF:
            raise DexFormatError(f"register out of range: v{insn.reg}")
        return [(0x0D if isinstance(insn, MoveException) else 0x27) | (insn.reg << 8)]
    if isinstance(insn, ConstString):
        idx = pools.string_idx[insn.value]
        if not 0 <= insn.reg <= 0xFF or idx > 0xFFFF:
            raise DexFormatError(f"const-string out of range: v{insn.reg}, string@{idx}")
        return [0x1A | (insn.reg << 8), idx]
    opcode = 0x71 if isinstance(insn, InvokeStatic) else 0x70
    regs = insn.regs
    midx = pools.method_idx[insn.method]
    if len(regs) > 4 or any(not 0 <= r <= 0xF for r in regs) or midx > 0xFFFF:
        raise DexFormatError(f"invoke out of range: {regs}, method@{midx}")
    nibbles = [*regs, 0, 0, 0, 0][:4]
    low = nibbles[0] | (nibbles[1] << 4) | (nibbles[2] << 8) | (nibbles[3] << 12)
    return [opcode | (len(regs) << 12), midx, low]


def _tries(tries: Sequence[CatchAll], encoded: Sequence[Sequence[int]]) -> bytes:
    """The padding, ``try_item``s and ``encoded_catch_handler_list`` after a method's
    instructions; ``encoded`` holds each instruction's code units (addresses count them)."""
    addresses = [0]
    for units in encoded:
        addresses.append(addresses[-1] + len(units))
    out = bytearray(b"\x00\x00" if addresses[-1] % 2 else b"")
    handlers = bytearray(_uleb128(len(tries)))
    items = bytearray()
    for t in tries:
        if not 0 <= t.start < t.end <= len(encoded) or not 0 <= t.handler < len(encoded):
            raise DexFormatError(f"try block out of range: {t}")
        count = addresses[t.end] - addresses[t.start]
        items += struct.pack("<IHH", addresses[t.start], count, len(handlers))
        handlers += b"\x00" + _uleb128(addresses[t.handler])  # sleb128(0): catch-all only
    return bytes(out + items + handlers)


def _align(buf: bytearray, n: int) -> None:
    buf.extend(b"\x00" * (-len(buf) % n))


class _Layout:
    """Places every section and produces the final bytes."""

    def __init__(self, pools: _Pools, classes: Sequence[ClassDef]) -> None:
        self.p = pools
        self.classes = classes
        self.map: list[tuple[int, int, int]] = []  # (type, size, offset)

    def build(self) -> bytes:
        p = self.p
        ids_size = (
            len(p.strings) * 4
            + len(p.types) * 4
            + len(p.protos) * 12
            + len(p.methods) * 8
            + len(self.classes) * 32
        )
        data_off = HEADER_SIZE + ids_size
        data = bytearray()
        code_offs = self._write_code(data, data_off)
        param_offs = self._write_type_lists(data, data_off)
        string_offs = self._write_string_data(data, data_off)
        class_data_offs = self._write_class_data(data, data_off, code_offs)
        _align(data, 4)
        map_off = data_off + len(data)
        file_size = map_off + 4 + 12 * (len(self.map) + 7)  # + header, 5 id sections, map

        ids = bytearray()
        ids += b"".join(struct.pack("<I", off) for off in string_offs)
        ids += b"".join(struct.pack("<I", p.string_idx[t]) for t in p.types)
        for proto in p.protos:
            shorty = p.string_idx[_shorty(proto.params, proto.ret)]
            ids += struct.pack("<III", shorty, p.type_idx[proto.ret], param_offs.get(proto, 0))
        for m in p.methods:
            proto_idx = p.proto_idx[_Proto(m.ret, m.params)]
            ids += struct.pack("<HHI", p.type_idx[m.cls], proto_idx, p.string_idx[m.name])
        for c, cd_off in zip(self.classes, class_data_offs, strict=True):
            ids += struct.pack(
                "<8I",
                p.type_idx[c.descriptor],
                c.access_flags,
                p.type_idx[c.superclass],
                0,
                NO_INDEX,
                0,
                cd_off,
                0,
            )
        assert len(ids) == ids_size
        self._map_ids()
        self.map.append((_TYPE_MAP_LIST, 1, map_off))
        self.map.sort(key=lambda item: item[2])
        map_list = struct.pack("<I", len(self.map)) + b"".join(
            struct.pack("<HHII", t, 0, size, off) for t, size, off in self.map
        )
        body = bytes(ids) + bytes(data) + map_list
        assert HEADER_SIZE + len(body) == file_size
        return _finish_header(self._header(file_size, map_off, data_off), body)

    def _map_ids(self) -> None:
        p = self.p
        off = HEADER_SIZE
        self.map.append((_TYPE_HEADER, 1, 0))
        for kind, count, width in (
            (_TYPE_STRING_ID, len(p.strings), 4),
            (_TYPE_TYPE_ID, len(p.types), 4),
            (_TYPE_PROTO_ID, len(p.protos), 12),
            (_TYPE_METHOD_ID, len(p.methods), 8),
            (_TYPE_CLASS_DEF, len(self.classes), 32),
        ):
            if count:
                self.map.append((kind, count, off))
            off += count * width

    def _header(self, file_size: int, map_off: int, data_off: int) -> bytes:
        p = self.p
        sizes = [len(p.strings), len(p.types), len(p.protos), 0, len(p.methods), len(self.classes)]
        widths = [4, 4, 12, 8, 8, 32]
        fields: list[int] = []
        off = HEADER_SIZE
        for count, width in zip(sizes, widths, strict=True):
            fields += [count, off if count else 0]
            off += count * width
        return (
            MAGIC
            + b"\x00" * 24  # checksum + signature, filled in by _finish_header
            + struct.pack("<IIIII", file_size, HEADER_SIZE, ENDIAN_TAG, 0, 0)
            + struct.pack("<I", map_off)
            + struct.pack("<12I", *fields)
            + struct.pack("<II", file_size - data_off, data_off)
        )

    def _write_code(self, data: bytearray, base: int) -> dict[MethodRef, int]:
        offs: dict[MethodRef, int] = {}
        first = None
        count = 0
        for c in self.classes:
            for dm in c.direct_methods:
                _align(data, 4)
                off = base + len(data)
                first = off if first is None else first
                encoded = [_encode_insn(insn, self.p) for insn in dm.code.insns]
                units = [u for insn_units in encoded for u in insn_units]
                tries = dm.code.tries
                data += struct.pack(
                    "<HHHHII",
                    dm.code.registers,
                    dm.code.ins,
                    dm.code.outs,
                    len(tries),
                    0,
                    len(units),
                )
                data += struct.pack(f"<{len(units)}H", *units)
                if tries:
                    data += _tries(tries, encoded)
                offs[MethodRef(c.descriptor, dm.name, dm.params, dm.ret)] = off
                count += 1
        if first is not None:
            self.map.append((_TYPE_CODE, count, first))
        return offs

    def _write_type_lists(self, data: bytearray, base: int) -> dict[_Proto, int]:
        offs: dict[_Proto, int] = {}
        lists = [proto for proto in self.p.protos if proto.params]
        for proto in lists:
            _align(data, 4)
            offs[proto] = base + len(data)
            data += struct.pack("<I", len(proto.params))
            data += b"".join(struct.pack("<H", self.p.type_idx[t]) for t in proto.params)
        if lists:
            self.map.append((_TYPE_TYPE_LIST, len(lists), offs[lists[0]]))
        return offs

    def _write_string_data(self, data: bytearray, base: int) -> list[int]:
        offs: list[int] = []
        for s in self.p.strings:
            offs.append(base + len(data))
            data += _uleb128(len(_utf16_key(s))) + mutf8(s) + b"\x00"
        if offs:
            self.map.append((_TYPE_STRING_DATA, len(offs), offs[0]))
        return offs

    def _write_class_data(
        self, data: bytearray, base: int, code_offs: dict[MethodRef, int]
    ) -> list[int]:
        offs: list[int] = []
        for c in self.classes:
            offs.append(base + len(data))
            refs = [MethodRef(c.descriptor, m.name, m.params, m.ret) for m in c.direct_methods]
            order = sorted(range(len(refs)), key=lambda i: self.p.method_idx[refs[i]])
            data += _uleb128(0) + _uleb128(0) + _uleb128(len(refs)) + _uleb128(0)
            previous = 0
            for i in order:
                idx = self.p.method_idx[refs[i]]
                data += _uleb128(idx - previous)
                data += _uleb128(c.direct_methods[i].access_flags)
                data += _uleb128(code_offs[refs[i]])
                previous = idx
        if offs:
            self.map.append((_TYPE_CLASS_DATA, len(offs), offs[0]))
        return offs


def _finish_header(header: bytes, body: bytes) -> bytes:
    """Fill in the SHA-1 signature (bytes 32..) and the adler32 checksum (bytes 12..)."""
    after_signature = header[32:] + body
    signature = hashlib.sha1(after_signature).digest()
    after_checksum = signature + after_signature
    checksum = zlib.adler32(after_checksum)
    return MAGIC + struct.pack("<I", checksum) + after_checksum
