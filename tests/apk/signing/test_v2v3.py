"""The v2/v3 APK Signing Block: content digest, block layout, and our own verifier."""

from __future__ import annotations

import base64
import hashlib
import io
import random
import struct
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apk.sections import ZipSections
from apk.signing import v1, v2v3, zipsign
from apk.signing.keys import SigningKey
from apk.signing.v2v3 import SignatureAlgorithm
from apk.signing.verify import SignatureVerificationError, parse_block, verify_apk

EOCD = b"PK\x05\x06" + bytes(18)


def _reference_digest(sections: ZipSections, name: str = "sha256") -> bytes:
    """The chunked digest written plainly from the spec, as a cross-check."""
    eocd = bytearray(sections.eocd)
    eocd[16:20] = len(sections.entries).to_bytes(4, "little")
    chunks = []
    for part in (sections.entries, sections.central_directory, bytes(eocd)):
        i = 0
        while i < len(part):
            chunk = part[i : i + 1024 * 1024]
            chunks.append(hashlib.new(name, b"\xa5" + len(chunk).to_bytes(4, "little") + chunk))
            i += len(chunk)
    top = b"\x5a" + len(chunks).to_bytes(4, "little") + b"".join(c.digest() for c in chunks)
    return hashlib.new(name, top).digest()


_MIB = 1 << 20
_sizes = st.one_of(
    st.integers(0, 3000), st.sampled_from([_MIB - 1, _MIB, _MIB + 1, 2 * _MIB, 2 * _MIB + 7])
)


@settings(max_examples=25, deadline=None)
@given(_sizes, st.integers(0, 5000), st.integers(0, 100), st.sampled_from(["sha256", "sha512"]))
def test_content_digest_matches_the_spec(
    entries_size: int, cd_size: int, seed: int, name: str
) -> None:
    rng = random.Random(seed)
    sections = ZipSections(rng.randbytes(entries_size), rng.randbytes(cd_size), EOCD)
    assert v2v3.content_digest(sections, name) == _reference_digest(sections, name)


def test_eocd_is_digested_with_the_offset_of_the_block() -> None:
    base = ZipSections(b"e" * 100, b"c" * 50, EOCD)
    moved = ZipSections(b"e" * 100, b"c" * 50, base.eocd_with_cd_offset(12345))
    assert v2v3.content_digest(base) == v2v3.content_digest(moved)
    assert v2v3.content_digest(base) != v2v3.content_digest(
        ZipSections(b"e" * 101, b"c" * 49, EOCD)
    )


@pytest.mark.parametrize("value_size", [0, 1, 4040, 4045, 4046, 4051, 4052, 4053, 9000])
def test_block_is_padded_to_4096(value_size: int) -> None:
    block = v2v3.assemble_block([(v2v3.V2_BLOCK_ID, bytes(value_size))])
    assert len(block) % 4096 == 0
    pairs = parse_block(block)
    assert pairs[0] == (v2v3.V2_BLOCK_ID, bytes(value_size))
    unpadded = 8 + 12 + value_size + 24
    if unpadded % 4096 == 0:
        assert len(pairs) == 1 and len(block) == unpadded
    else:
        assert [i for i, _ in pairs[1:]] == [v2v3.PADDING_BLOCK_ID]
        assert pairs[1][1] == bytes(len(pairs[1][1]))


def test_unpadded_block_layout() -> None:
    block = v2v3.assemble_block([(7, b"abc")], pad=False)
    size = 15 + 8 + 16  # the pair (8 + 4 + 3), the second size field, the magic
    pair = struct.pack("<QI", 4 + 3, 7) + b"abc"
    assert block == struct.pack("<Q", size) + pair + struct.pack("<Q", size) + b"APK Sig Block 42"


def test_signature_algorithms(rsa_key: SigningKey, ec_key: SigningKey) -> None:
    assert v2v3.signature_algorithm(rsa_key) is SignatureAlgorithm.RSA_PKCS1_V1_5_SHA256
    assert v2v3.signature_algorithm(ec_key) is SignatureAlgorithm.ECDSA_SHA256


@pytest.mark.parametrize("key_name", ["rsa_key", "ec_key"])
def test_signed_zip_verifies(
    small_apk: bytes, key_name: str, request: pytest.FixtureRequest
) -> None:
    key: SigningKey = request.getfixturevalue(key_name)
    signed = zipsign.sign_zip(small_apk, key, min_sdk=24)
    report = verify_apk(signed)
    assert report.pair_ids == (v2v3.V2_BLOCK_ID, v2v3.V3_BLOCK_ID, v2v3.PADDING_BLOCK_ID)
    assert report.block_size % 4096 == 0
    assert report.v2 is not None and report.v3 is not None
    assert report.v2.attributes == ((v2v3.STRIPPING_PROTECTION_ATTR_ID, b"\x03\0\0\0"),)
    assert report.v3.attributes == ()
    assert (report.v3.min_sdk, report.v3.max_sdk) == (24, 0x7FFFFFFF)
    assert report.v2.certificate_der == report.v3.certificate_der == key.certificate_der
    assert report.v2.content_digest == report.v3.content_digest
    with zipfile.ZipFile(io.BytesIO(signed)) as zf:  # still a zip with the same entries
        assert zf.testzip() is None
        assert not any(n.startswith("META-INF/MANIFEST") for n in zf.namelist())


def test_v2_only(small_apk: bytes, rsa_key: SigningKey) -> None:
    sections = zipsign.split_zip(small_apk).sections
    report = verify_apk(sections.assemble(v2v3.signing_block(sections, rsa_key, v3=False)))
    assert report.v3 is None and report.v2 is not None and report.v2.attributes == ()


def test_resigning_replaces_the_old_block(
    small_apk: bytes, rsa_key: SigningKey, ec_key: SigningKey
) -> None:
    once = zipsign.sign_zip(small_apk, rsa_key, min_sdk=24)
    twice = zipsign.sign_zip(once, ec_key, min_sdk=24)
    report = verify_apk(twice)
    assert report.v2 is not None and report.v2.certificate_der == ec_key.certificate_der
    assert zipsign.split_zip(twice).sections == zipsign.split_zip(small_apk).sections


@pytest.mark.parametrize("where", ["entries", "central_directory", "signature"])
def test_tampering_is_detected(small_apk: bytes, rsa_key: SigningKey, where: str) -> None:
    signed = bytearray(zipsign.sign_zip(small_apk, rsa_key, min_sdk=24))
    split = zipsign.split_zip(bytes(signed))
    assert split.signing_block is not None
    block_at = len(split.sections.entries)
    if where == "entries":
        offset = 40
    elif where == "central_directory":
        offset = block_at + len(split.signing_block) + 20
    else:  # the last byte of the v2 signature: just before the public key's length prefix
        v2_value = parse_block(split.signing_block)[0][1]
        in_value = v2_value.rindex(rsa_key.public_key_der) - 5
        offset = block_at + split.signing_block.index(v2_value) + in_value
    signed[offset] ^= 0x01
    with pytest.raises(SignatureVerificationError, match="does not"):
        verify_apk(bytes(signed))


def test_unsigned_zip_is_refused(small_apk: bytes) -> None:
    with pytest.raises(SignatureVerificationError, match="no APK Signing Block"):
        verify_apk(small_apk)


def test_split_zip_errors(small_apk: bytes) -> None:
    with pytest.raises(ValueError, match="no end-of-central-directory"):
        zipsign.split_zip(b"PK\x03\x04 not a zip")
    with pytest.raises(ValueError, match="does not end at the EOCD"):
        zipsign.split_zip(small_apk[:100] + small_apk[101:])


def test_zip_comment_is_kept(small_apk: bytes, rsa_key: SigningKey) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("a.txt", b"a")
        zf.comment = b"clone comment"
    signed = zipsign.sign_zip(out.getvalue(), rsa_key, min_sdk=24)
    verify_apk(signed)
    with zipfile.ZipFile(io.BytesIO(signed)) as zf:
        assert zf.comment == b"clone comment"


def _v1_listing(zip_bytes: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as zf:
        manifest = zf.read("META-INF/MANIFEST.MF").replace(b"\r\n ", b"").decode()
    listed = {}
    for section in manifest.split("\r\n\r\n")[1:]:
        if section:
            headers = dict(line.split(": ", 1) for line in section.split("\r\n"))
            listed[headers["Name"]] = base64.b64decode(headers["SHA-256-Digest"])
    return listed


_entry_names = st.lists(
    st.from_regex(r"[a-zA-Z0-9_]{1,12}(/[a-zA-Z0-9_.]{1,20}){0,3}", fullmatch=True),
    min_size=1,
    max_size=8,
    unique=True,
)


@settings(max_examples=20, deadline=None)
@given(_entry_names, st.data(), st.integers(18, 33))
def test_random_zips_sign_and_verify(
    rsa_key: SigningKey, names: list[str], data: st.DataObject, min_sdk: int
) -> None:
    out = io.BytesIO()
    contents = {}
    with zipfile.ZipFile(out, "w") as zf:
        for name in names:
            contents[name] = data.draw(st.binary(max_size=2000))
            method = data.draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
            zf.writestr(name, contents[name], method)
    signed = zipsign.sign_zip(out.getvalue(), rsa_key, min_sdk=min_sdk)
    verify_apk(signed)
    with zipfile.ZipFile(io.BytesIO(signed)) as zf:
        assert zf.testzip() is None
        assert {n: zf.read(n) for n in names} == contents
    if min_sdk < 24:
        assert _v1_listing(signed) == {n: hashlib.sha256(c).digest() for n, c in contents.items()}
    else:
        assert "META-INF/MANIFEST.MF" not in zipfile.ZipFile(io.BytesIO(signed)).namelist()


def test_add_v1_refuses_an_already_signed_zip(small_apk: bytes, rsa_key: SigningKey) -> None:
    signed = zipsign.add_v1_signature(small_apk, rsa_key, min_sdk=19)
    with pytest.raises(ValueError, match="already has v1 signature files"):
        zipsign.add_v1_signature(signed, rsa_key, min_sdk=19)
    stripped = zipsign.strip_signatures(signed)
    assert not any(
        v1.is_signature_file(n) for n in zipfile.ZipFile(io.BytesIO(stripped)).namelist()
    )


def test_split_zip_skips_an_eocd_look_alike_in_the_comment(small_apk: bytes) -> None:
    real = zipsign.split_zip(small_apk).sections
    comment = b"PK\x05\x06" + bytes(18) + b"tail"  # a fake EOCD whose comment length is wrong
    eocd = real.eocd[:20] + struct.pack("<H", len(comment)) + comment
    split = zipsign.split_zip(real.entries + real.central_directory + eocd)
    assert split.sections.central_directory == real.central_directory
    assert split.sections.eocd == eocd and split.signing_block is None


def test_a_stripped_v3_block_is_detected(small_apk: bytes, rsa_key: SigningKey) -> None:
    split = zipsign.split_zip(zipsign.sign_zip(small_apk, rsa_key, min_sdk=24))
    assert split.signing_block is not None
    v2_only = [pair for pair in parse_block(split.signing_block) if pair[0] == v2v3.V2_BLOCK_ID]
    with pytest.raises(SignatureVerificationError, match="stripped"):
        verify_apk(split.sections.assemble(v2v3.assemble_block(v2_only)))


@pytest.mark.parametrize("min_sdk", [18, 24])
def test_an_entry_ending_in_the_block_magic_is_data_not_a_block(
    rsa_key: SigningKey, min_sdk: int
) -> None:
    """A stored entry whose data ends in "APK Sig Block 42" right before the central
    directory (found by Hypothesis): Android's findApkSigningBlock sees no block when the
    sizes do not agree, and the entry's data must come through whole."""
    content = b"\x00" * 8 + v2v3.MAGIC
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("0", content, zipfile.ZIP_STORED)
    signed = zipsign.sign_zip(out.getvalue(), rsa_key, min_sdk=min_sdk)
    verify_apk(signed)
    with zipfile.ZipFile(io.BytesIO(signed)) as zf:
        assert zf.read("0") == content
