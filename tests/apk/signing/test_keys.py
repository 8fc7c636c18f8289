"""The key store of $CLONE_HOME and the user's own keys (PEM, DER, PKCS#12; RSA and EC)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from apk.signing import keys
from apk.signing.keys import (
    KeyAlgorithm,
    KeyCertMismatchError,
    KeyFileMissingError,
    KeyPasswordError,
    SigningKey,
    SigningKeyError,
    UnsupportedKeyError,
)

PKCS8 = serialization.PrivateFormat.PKCS8
PEM = serialization.Encoding.PEM
DER = serialization.Encoding.DER


def _key_pem(key: SigningKey, password: bytes | None = None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_key.private_bytes(PEM, PKCS8, encryption)


def _cert_pem(key: SigningKey) -> bytes:
    return key.certificate.public_bytes(PEM)


def test_home_key_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    keys_dir = tmp_path / "home" / "keys"
    first = keys.load_or_create(keys_dir)
    files = list(keys_dir.iterdir())
    assert [f.name for f in files] == [keys.HOME_KEY_FILE]  # no temporary file left behind
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(keys_dir.stat().st_mode) == 0o700
    assert first.algorithm is KeyAlgorithm.RSA and first.key_size == keys.HOME_KEY_BITS
    cn = first.certificate.subject.rfc4514_string()
    assert cn == "CN=Clonespace"
    lifetime = first.certificate.not_valid_after_utc - first.certificate.not_valid_before_utc
    assert lifetime.days >= 25 * 365
    second = keys.load_or_create(keys_dir)
    assert second.certificate_der == first.certificate_der
    assert _key_pem(second) == _key_pem(first)


def test_concurrent_first_use_yields_one_key(tmp_path: Path) -> None:
    keys_dir = tmp_path / "keys"
    results: list[bytes] = []
    errors: list[BaseException] = []

    def make() -> None:
        try:
            results.append(keys.load_or_create(keys_dir).certificate_der)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=make) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 4 and len(set(results)) == 1
    assert [f.name for f in keys_dir.iterdir()] == [keys.HOME_KEY_FILE]


def test_concurrent_processes_share_one_key(tmp_path: Path) -> None:
    keys_dir = tmp_path / "keys"
    code = (
        "import sys; from pathlib import Path; from apk.signing import keys; "
        "sys.stdout.write(keys.load_or_create(Path(sys.argv[1])).certificate_der.hex())"
    )
    root = Path(__file__).resolve().parents[3]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(keys_dir)], cwd=root, stdout=subprocess.PIPE
        )
        for _ in range(3)
    ]
    outputs = {proc.communicate(timeout=120)[0] for proc in procs}
    assert all(proc.returncode == 0 for proc in procs)
    assert len(outputs) == 1
    assert keys.load_or_create(keys_dir).certificate_der.hex() == outputs.pop().decode()


def test_an_interrupted_write_leaves_no_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        keys.load_or_create(tmp_path)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    (tmp_path / f".{keys.HOME_KEY_FILE}.99.dead.tmp").write_bytes(b"-----BEGIN half")  # a crash
    assert keys.load_or_create(tmp_path).algorithm is KeyAlgorithm.RSA


def test_a_file_that_appears_meanwhile_wins(tmp_path: Path, ec_key: SigningKey) -> None:
    path = tmp_path / keys.HOME_KEY_FILE
    keys._publish(path, ec_key.to_pem())
    keys._publish(path, keys.generate(bits=2048).to_pem())  # loses the race: ignored
    assert keys.load_or_create(tmp_path).certificate_der == ec_key.certificate_der


@pytest.mark.parametrize("algorithm", [KeyAlgorithm.RSA, KeyAlgorithm.EC])
def test_user_pem_key_and_cert(
    tmp_path: Path, algorithm: KeyAlgorithm, rsa_key: SigningKey, ec_key: SigningKey
) -> None:
    key = rsa_key if algorithm is KeyAlgorithm.RSA else ec_key
    (tmp_path / "k.pem").write_bytes(_key_pem(key))
    (tmp_path / "c.pem").write_bytes(_cert_pem(key))
    loaded = keys.load_user_key(tmp_path / "k.pem", tmp_path / "c.pem")
    assert loaded.algorithm is algorithm
    assert loaded.certificate_der == key.certificate_der


def test_user_combined_pem_and_encrypted_pem(tmp_path: Path, ec_key: SigningKey) -> None:
    (tmp_path / "both.pem").write_bytes(_cert_pem(ec_key) + _key_pem(ec_key, b"s3cret"))
    loaded = keys.load_user_key(tmp_path / "both.pem", password="s3cret")
    assert loaded.public_key_der == ec_key.public_key_der
    with pytest.raises(KeyPasswordError, match="encrypted; give its password"):
        keys.load_user_key(tmp_path / "both.pem")
    with pytest.raises(KeyPasswordError, match="wrong password"):
        keys.load_user_key(tmp_path / "both.pem", password="nope")


def test_user_der_pk8_and_der_cert_like_apksigner(tmp_path: Path, rsa_key: SigningKey) -> None:
    der_key = rsa_key.private_key.private_bytes(DER, PKCS8, serialization.NoEncryption())
    (tmp_path / "key.pk8").write_bytes(der_key)
    (tmp_path / "cert.der").write_bytes(rsa_key.certificate_der)
    loaded = keys.load_user_key(tmp_path / "key.pk8", tmp_path / "cert.der")
    assert loaded.certificate_der == rsa_key.certificate_der


@pytest.mark.parametrize("algorithm", [KeyAlgorithm.RSA, KeyAlgorithm.EC])
def test_user_pkcs12(
    tmp_path: Path, algorithm: KeyAlgorithm, rsa_key: SigningKey, ec_key: SigningKey
) -> None:
    key = rsa_key if algorithm is KeyAlgorithm.RSA else ec_key
    p12 = pkcs12.serialize_key_and_certificates(
        b"release",
        key.private_key,
        key.certificate,
        None,
        serialization.BestAvailableEncryption(b"pw"),
    )
    path = tmp_path / "release.p12"
    path.write_bytes(p12)
    assert keys.load_user_key(path, password=b"pw").certificate_der == key.certificate_der
    with pytest.raises(KeyPasswordError, match="needs a password"):
        keys.load_user_key(path)
    with pytest.raises(KeyPasswordError, match="wrong password"):
        keys.load_user_key(path, password="bad")


def test_mismatched_key_and_cert(tmp_path: Path, rsa_key: SigningKey, ec_key: SigningKey) -> None:
    (tmp_path / "k.pem").write_bytes(_key_pem(rsa_key))
    (tmp_path / "c.pem").write_bytes(_cert_pem(ec_key))
    with pytest.raises(KeyCertMismatchError, match="not the private key"):
        keys.load_user_key(tmp_path / "k.pem", tmp_path / "c.pem")


def test_missing_files(tmp_path: Path, rsa_key: SigningKey) -> None:
    with pytest.raises(KeyFileMissingError, match=r"no such .*absent\.pem"):
        keys.load_user_key(tmp_path / "absent.pem")
    (tmp_path / "k.pem").write_bytes(_key_pem(rsa_key))
    with pytest.raises(KeyFileMissingError, match=r"cert\.pem"):
        keys.load_user_key(tmp_path / "k.pem", tmp_path / "cert.pem")
    with pytest.raises(KeyFileMissingError, match="is a directory"):
        keys.load_user_key(tmp_path)
    with pytest.raises(UnsupportedKeyError, match="no certificate"):
        keys.load_user_key(tmp_path / "k.pem")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: rsa.generate_private_key(65537, 1024), "1024 bits"),
        (lambda: ec.generate_private_key(ec.SECP384R1()), "secp384r1"),
        (lambda: ed25519.Ed25519PrivateKey.generate(), "Ed25519"),
    ],
)
def test_unsupported_keys(tmp_path: Path, make: object, message: str) -> None:
    assert callable(make)
    private = make()
    pem = private.private_bytes(PEM, PKCS8, serialization.NoEncryption())
    (tmp_path / "k.pem").write_bytes(pem)
    (tmp_path / "c.pem").write_bytes(b"")  # never reached: the key is refused first
    with pytest.raises(UnsupportedKeyError, match=message):
        keys.load_user_key(tmp_path / "k.pem", tmp_path / "c.pem")


def test_garbage_files(tmp_path: Path, rsa_key: SigningKey) -> None:
    (tmp_path / "junk").write_bytes(b"not a key at all")
    with pytest.raises(UnsupportedKeyError, match="not a PEM, DER"):
        keys.load_user_key(tmp_path / "junk")
    with pytest.raises(UnsupportedKeyError, match="not a PEM, DER"):
        keys.load_user_key(tmp_path / "junk", tmp_path / "junk")
    (tmp_path / "k.pem").write_bytes(_key_pem(rsa_key))
    with pytest.raises(UnsupportedKeyError, match=r"not an X\.509 certificate"):
        keys.load_user_key(tmp_path / "k.pem", tmp_path / "junk")


def test_errors_are_value_errors() -> None:
    for error in (KeyFileMissingError, KeyPasswordError, KeyCertMismatchError, UnsupportedKeyError):
        assert issubclass(error, SigningKeyError) and issubclass(error, ValueError)


def test_encrypted_der_key(tmp_path: Path, rsa_key: SigningKey) -> None:
    encrypted = rsa_key.private_key.private_bytes(
        DER, PKCS8, serialization.BestAvailableEncryption(b"pw")
    )
    (tmp_path / "key.pk8").write_bytes(encrypted)
    (tmp_path / "cert.pem").write_bytes(_cert_pem(rsa_key))
    loaded = keys.load_user_key(tmp_path / "key.pk8", tmp_path / "cert.pem", "pw")
    assert loaded.certificate_der == rsa_key.certificate_der
    with pytest.raises(KeyPasswordError, match="give its password"):
        keys.load_user_key(tmp_path / "key.pk8", tmp_path / "cert.pem")
    with pytest.raises(KeyPasswordError, match="wrong password"):
        keys.load_user_key(tmp_path / "key.pk8", tmp_path / "cert.pem", "bad")


def test_unsupported_encrypted_key_is_not_a_password_error(tmp_path: Path) -> None:
    small = rsa.generate_private_key(65537, 1024)
    pem = small.private_bytes(PEM, PKCS8, serialization.BestAvailableEncryption(b"pw"))
    (tmp_path / "k.pem").write_bytes(pem)
    with pytest.raises(UnsupportedKeyError, match="1024 bits"):
        keys.load_user_key(tmp_path / "k.pem", tmp_path / "k.pem", "pw")


def test_an_own_key_file_is_still_checked_against_its_certificate(tmp_path: Path) -> None:
    one, other = keys.generate(bits=2048), keys.generate(bits=2048)
    pem = one.to_pem()
    swapped = pem[: pem.index(b"-----BEGIN CERTIFICATE")] + other.certificate.public_bytes(
        serialization.Encoding.PEM
    )
    (tmp_path / keys.HOME_KEY_FILE).write_bytes(swapped)
    with pytest.raises(keys.KeyCertMismatchError):
        keys.load_or_create(tmp_path)
    (tmp_path / keys.HOME_KEY_FILE).write_bytes(pem)
    assert keys.load_or_create(tmp_path).public_key_der == one.public_key_der
