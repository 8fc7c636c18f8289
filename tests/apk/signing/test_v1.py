"""v1 (JAR) signature files: their text format, digests, and the PKCS#7 block."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7
from hypothesis import given, settings
from hypothesis import strategies as st

from apk.signing import v1
from apk.signing.keys import SigningKey
from apk.signing.v1 import DigestAlgorithm


def _sections(text: bytes) -> list[dict[str, str]]:
    """Parse a manifest/.SF: unwrap continuation lines, split into sections of headers."""
    assert b"\n" not in text.replace(b"\r\n", b""), "bare LF in a JAR manifest"
    lines = text.split(b"\r\n")
    for line in lines:
        assert len(line) <= 72, f"line of {len(line)} bytes: {line!r}"
    unwrapped = re.sub(rb"\r\n ", b"", text).decode()
    out = []
    for block in unwrapped.split("\r\n\r\n"):
        if block:
            out.append(dict(line.split(": ", 1) for line in block.split("\r\n")))
    return out


def _raw_sections(text: bytes) -> list[bytes]:
    """The byte ranges of each section including its trailing blank line."""
    parts = text.split(b"\r\n\r\n")
    return [p + b"\r\n\r\n" for p in parts if p]


DIGESTS = {
    "AndroidManifest.xml": v1.entry_digest(b"manifest"),
    "classes.dex": v1.entry_digest(b"dex"),
    "assets/" + "x" * 150 + "/é.txt": v1.entry_digest(b"long"),
}


def test_manifest_and_signature_file(rsa_key: SigningKey) -> None:
    sig = v1.sign(DIGESTS, rsa_key)
    manifest = _sections(sig.manifest)
    assert manifest[0] == {"Manifest-Version": "1.0", "Created-By": v1.CREATED_BY}
    listed = {s["Name"]: base64.b64decode(s["SHA-256-Digest"]) for s in manifest[1:]}
    assert listed == DIGESTS
    assert [s["Name"] for s in manifest[1:]] == sorted(DIGESTS)

    sf = _sections(sig.signature_file)
    main = sf[0]
    assert main["Signature-Version"] == "1.0"
    assert main["X-Android-APK-Signed"] == "2, 3"
    assert (
        base64.b64decode(main["SHA-256-Digest-Manifest"]) == hashlib.sha256(sig.manifest).digest()
    )
    raw = _raw_sections(sig.manifest)[1:]
    for section, entry, raw_section in zip(sf[1:], manifest[1:], raw, strict=True):
        assert section["Name"] == entry["Name"]
        expected = hashlib.sha256(raw_section).digest()
        assert base64.b64decode(section["SHA-256-Digest"]) == expected


def test_files_names_and_order(rsa_key: SigningKey, ec_key: SigningKey) -> None:
    names = [name for name, _ in v1.sign(DIGESTS, rsa_key).files()]
    assert names == ["META-INF/MANIFEST.MF", "META-INF/CERT.SF", "META-INF/CERT.RSA"]
    names = [name for name, _ in v1.sign(DIGESTS, ec_key, signer_name="CLONE").files()]
    assert names == ["META-INF/MANIFEST.MF", "META-INF/CLONE.SF", "META-INF/CLONE.EC"]


@pytest.mark.parametrize("key_name", ["rsa_key", "ec_key"])
def test_signature_block_is_detached_pkcs7_over_the_sf(
    key_name: str, request: pytest.FixtureRequest
) -> None:
    key: SigningKey = request.getfixturevalue(key_name)
    sig = v1.sign(DIGESTS, key)
    certs = pkcs7.load_der_pkcs7_certificates(sig.signature_block)
    assert [c.public_bytes(Encoding.DER) for c in certs] == [key.certificate_der]
    signature = _octet_string_at_end(sig.signature_block)
    public = key.certificate.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        public.verify(signature, sig.signature_file, padding.PKCS1v15(), hashes.SHA256())
    else:
        assert isinstance(public, ec.EllipticCurvePublicKey)
        public.verify(signature, sig.signature_file, ec.ECDSA(hashes.SHA256()))


def _children(element: bytes) -> list[bytes]:
    """The encoded child elements of one constructed DER element."""
    _, header = _der_length(element, 1)
    body, out = element[1 + header :], []
    while body:
        length, size = _der_length(body, 1)
        out.append(body[: 1 + size + length])
        body = body[1 + size + length :]
    return out


def _der_length(data: bytes, at: int) -> tuple[int, int]:
    """(content length, size of the length field) of the element whose length starts at ``at``."""
    first = data[at]
    if first < 0x80:
        return first, 1
    n = first & 0x7F
    return int.from_bytes(data[at + 1 : at + 1 + n], "big"), 1 + n


def _octet_string_at_end(block: bytes) -> bytes:
    """ContentInfo -> [0] -> SignedData -> signerInfos -> SignerInfo -> signature."""
    signed_data = _children(_children(block)[1])[0]
    version, digest_algorithms, content, certificates, signer_infos = _children(signed_data)
    assert content == bytes.fromhex("300b06092a864886f70d010701")  # id-data, no content: detached
    assert certificates[0] == 0xA0 and version == b"\x02\x01\x01"
    assert digest_algorithms == bytes.fromhex("310f300d06096086480165030402010500")  # SHA-256
    signer_info = _children(signer_infos)[0]
    signature = _children(signer_info)[-1]
    assert signature[0] == 0x04
    return signature[1 + _der_length(signature, 1)[1] :]


def test_sha1_below_api_18(rsa_key: SigningKey, ec_key: SigningKey) -> None:
    assert v1.digest_algorithm(rsa_key, 17) is DigestAlgorithm.SHA1
    assert v1.digest_algorithm(rsa_key, 18) is DigestAlgorithm.SHA256
    assert v1.digest_algorithm(ec_key, 18) is DigestAlgorithm.SHA256
    with pytest.raises(ValueError, match="minSdkVersion >= 18"):
        v1.digest_algorithm(ec_key, 17)
    digests = {"a.txt": v1.entry_digest(b"a", DigestAlgorithm.SHA1)}
    sig = v1.sign(digests, rsa_key, algorithm=DigestAlgorithm.SHA1)
    assert b"SHA1-Digest: " + base64.b64encode(hashlib.sha1(b"a").digest()) in sig.manifest
    assert b"SHA1-Digest-Manifest: " in sig.signature_file


def test_needs_v1() -> None:
    assert v1.needs_v1(23) and not v1.needs_v1(24)


@pytest.mark.parametrize(
    ("name", "listed"),
    [
        ("classes.dex", True),
        ("res/", False),
        ("META-INF/MANIFEST.MF", False),
        ("META-INF/CERT.SF", False),
        ("META-INF/cert.rsa", False),
        ("META-INF/KEY.DSA", False),
        ("META-INF/X.EC", False),
        ("META-INF/SIG-foo", False),
        ("META-INF/androidx.core_core.version", True),
        ("META-INF/services/x.SF", True),  # subdirectories are listed
        ("META-INF/", False),
    ],
)
def test_needs_digest(name: str, listed: bool) -> None:
    assert v1.needs_digest(name) is listed
    assert v1.is_signature_file(name) is (
        name.startswith("META-INF/") and not listed and name != "META-INF/"
    )


def test_bad_input(rsa_key: SigningKey) -> None:
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        v1.sign({"a\nb": v1.entry_digest(b"")}, rsa_key)
    with pytest.raises(ValueError, match="digest of 20 bytes is not SHA256"):
        v1.sign({"a": hashlib.sha1(b"").digest()}, rsa_key)
    with pytest.raises(ValueError, match="signer name"):
        v1.sign({}, rsa_key, signer_name="TOO-LONG-NAME")
    with pytest.raises(ValueError, match="upper case"):
        v1.sign({}, rsa_key, signer_name="cert")


_names = st.text(
    st.characters(codec="utf-8", exclude_characters="\r\n\0"),
    min_size=1,
    max_size=200,
)


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(_names, st.binary(max_size=64), max_size=8))
def test_any_names_round_trip_through_the_manifest(
    rsa_key: SigningKey, entries: dict[str, bytes]
) -> None:
    digests = {name: v1.entry_digest(data) for name, data in entries.items()}
    sig = v1.sign(digests, rsa_key)
    listed = {s["Name"]: base64.b64decode(s["SHA-256-Digest"]) for s in _sections(sig.manifest)[1:]}
    assert listed == digests
    assert len(sig.signature_file) % 1024 != 0
