"""``apksigner verify`` (the official verifier, Java) as the oracle for our signatures."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from apk.signing import keys, v1, zipsign
from apk.signing.keys import SigningKey
from apk.signing.v2v3 import SignatureAlgorithm
from apk.signing.verify import verify_apk
from tests.apk.signing import apksigner
from tests.realapks import YOSEMITE, real_apk


def _write(tmp_path: Path, data: bytes, name: str = "signed.apk") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("key_name", "min_sdk"),
    # 14: SHA-1 JAR digests; own_ec_key: signed in pure Python (apk.signing.p256)
    [("rsa_key", 19), ("ec_key", 21), ("rsa_key", 14), ("own_ec_key", 18)],
)
def test_v1_v2_v3_verify(
    small_apk: bytes, tmp_path: Path, key_name: str, min_sdk: int, request: pytest.FixtureRequest
) -> None:
    key: SigningKey = request.getfixturevalue(key_name)
    apk = _write(tmp_path, zipsign.sign_zip(small_apk, key, min_sdk=min_sdk))
    verdict = apksigner.verify(apk, min_sdk=min_sdk)
    assert verdict.verifies, verdict.output
    assert verdict.schemes[1] and verdict.schemes[2] and verdict.schemes[3], verdict.output
    assert verdict.certificate_dn() == "CN=Clonespace"
    assert "ERROR" not in verdict.output


@pytest.mark.parametrize("key_name", ["rsa_key", "own_ec_key"])
def test_old_platforms_verify_the_v1_signature_alone(
    small_apk: bytes, tmp_path: Path, key_name: str, request: pytest.FixtureRequest
) -> None:
    key: SigningKey = request.getfixturevalue(key_name)
    apk = _write(tmp_path, zipsign.sign_zip(small_apk, key, min_sdk=19))
    verdict = apksigner.verify(apk, min_sdk=19, max_sdk=23)
    assert verdict.verifies and verdict.schemes[1], verdict.output


def test_no_v1_from_api_24(small_apk: bytes, tmp_path: Path, ec_key: SigningKey) -> None:
    apk = _write(tmp_path, zipsign.sign_zip(small_apk, ec_key, min_sdk=24))
    verdict = apksigner.verify(apk, min_sdk=24)
    assert verdict.verifies, verdict.output
    assert verdict.schemes == {1: False, 2: True, 3: True, 4: False}
    below = apksigner.verify(apk, min_sdk=23)  # an API 23 device needs v1
    assert not below.verifies


def test_stripping_v2_v3_is_detected_through_v1(
    small_apk: bytes, tmp_path: Path, rsa_key: SigningKey
) -> None:
    signed = zipsign.sign_zip(small_apk, rsa_key, min_sdk=19)
    stripped = _write(tmp_path, zipsign.split_zip(signed).sections.assemble())
    verdict = apksigner.verify(stripped, min_sdk=19)
    assert not verdict.verifies
    assert "Signature stripped?" in verdict.output


def test_our_digest_agrees_with_apksigner_signing(
    small_apk: bytes, tmp_path: Path, rsa_key: SigningKey
) -> None:
    key_file = tmp_path / "key.pk8"
    key_file.write_bytes(
        rsa_key.private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_file = tmp_path / "cert.der"
    cert_file.write_bytes(rsa_key.certificate_der)
    unsigned = _write(tmp_path, small_apk, "unsigned.apk")
    out = tmp_path / "by-apksigner.apk"
    cmd = ["apksigner", "sign", "--key", key_file, "--cert", cert_file, "--out", out, unsigned]
    subprocess.run([str(c) for c in cmd], check=True, capture_output=True, timeout=120)
    report = verify_apk(out.read_bytes())  # recomputes the content digest our way
    assert report.v2 is not None and report.v2.certificate_der == rsa_key.certificate_der
    assert report.v3 is not None


def _crcs(data: bytes) -> dict[str, int]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: i.CRC for i in zf.infolist() if not v1.is_signature_file(i.filename)}


def test_real_apk_resigned_with_the_home_key(uiautomator_apk: Path, tmp_path: Path) -> None:
    original = uiautomator_apk.read_bytes()
    key = keys.load_or_create(tmp_path / "home" / "keys")
    signed = zipsign.sign_zip(zipsign.strip_signatures(original), key, min_sdk=19)
    verdict = apksigner.verify(_write(tmp_path, signed))  # minSdk 19 from the manifest
    assert verdict.verifies, verdict.output
    assert verdict.schemes[1] and verdict.schemes[2] and verdict.schemes[3], verdict.output
    assert verdict.certificate_dn() == "CN=Clonespace"
    assert "key size (bits): 3072" in verdict.output
    assert _crcs(signed) == _crcs(original)


@pytest.mark.slow
def test_big_multidex_native_apk(tmp_path: Path, rsa_key: SigningKey) -> None:
    original = real_apk(YOSEMITE).read_bytes()  # 24.6 MB, minSdk 18
    signed = zipsign.sign_zip(zipsign.strip_signatures(original), rsa_key, min_sdk=18)
    verdict = apksigner.verify(_write(tmp_path, signed))
    assert verdict.verifies, verdict.output
    assert verdict.schemes[1] and verdict.schemes[2] and verdict.schemes[3], verdict.output
    assert _crcs(signed) == _crcs(original)


def test_rsa_4096_uses_sha512(small_apk: bytes, tmp_path: Path) -> None:
    key = keys.generate(bits=4096)
    signed = zipsign.sign_zip(small_apk, key, min_sdk=24)
    report = verify_apk(signed)
    assert report.v2 is not None and report.v2.algorithm is SignatureAlgorithm.RSA_PKCS1_V1_5_SHA512
    assert len(report.v2.content_digest) == 64
    verdict = apksigner.verify(_write(tmp_path, signed), min_sdk=24)
    assert verdict.verifies and verdict.schemes[2] and verdict.schemes[3], verdict.output
