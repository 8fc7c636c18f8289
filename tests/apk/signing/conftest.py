"""Keys and APK-like zips shared by the signing tests."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from apk.signing import keys
from apk.signing.keys import KeyAlgorithm, SigningKey
from apk.signing.p256 import P256PrivateKey
from tests.realapks import UIAUTOMATOR, real_apk


@pytest.fixture(scope="session")
def rsa_key() -> SigningKey:
    return keys.generate(algorithm=KeyAlgorithm.RSA, bits=2048)


@pytest.fixture(scope="session")
def ec_key() -> SigningKey:
    return keys.generate(algorithm=KeyAlgorithm.EC)


@pytest.fixture(scope="session")
def own_ec_key(tmp_path_factory: pytest.TempPathFactory) -> SigningKey:
    """A clone's EC key as ``clone build`` reads it back: signed with in pure Python."""
    key = keys.load_or_create(tmp_path_factory.mktemp("keys"), algorithm=KeyAlgorithm.EC)
    assert isinstance(key.signer, P256PrivateKey)
    return key


@pytest.fixture(scope="session")
def uiautomator_apk() -> Path:
    return real_apk(UIAUTOMATOR)


@pytest.fixture(scope="session")
def small_apk(uiautomator_apk: Path) -> bytes:
    """An unsigned APK-like zip: the real AndroidManifest.xml plus a few entries."""
    with zipfile.ZipFile(uiautomator_apk) as zf:
        manifest = zf.read("AndroidManifest.xml")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("AndroidManifest.xml", manifest, zipfile.ZIP_DEFLATED)
        zf.writestr("classes.dex", b"dex\n035\0" + bytes(3000), zipfile.ZIP_DEFLATED)
        zf.writestr("res/raw/stored.bin", bytes(range(256)) * 10, zipfile.ZIP_STORED)
        zf.writestr("META-INF/androidx.core_core.version", b"1.9.0\n", zipfile.ZIP_DEFLATED)
        zf.writestr("assets/" + "long-name-" * 12 + ".txt", b"wrapped", zipfile.ZIP_DEFLATED)
    return out.getvalue()
