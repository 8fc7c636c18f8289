"""Facts a clone build reads off an APK besides its manifest: its dex files in the order ART
loads them, and the certificates it was signed with."""

from __future__ import annotations

from collections.abc import Iterable

from apk.source import SourceApk

MAX_DEX = 1 << 30


def _dex_name(n: int) -> str:
    return "classes.dex" if n == 1 else f"classes{n}.dex"


def dex_entry_names(entry_names: Iterable[str]) -> list[str]:
    """The app's own dex files in the order ART loads them (stops at the first gap)."""
    names = set(entry_names)
    found: list[str] = []
    while _dex_name(len(found) + 1) in names:
        found.append(_dex_name(len(found) + 1))
    return found


def next_dex_name(entry_names: Iterable[str]) -> str:
    """The first ``classesN.dex`` name the APK lacks. ART loads ``classes.dex``,
    ``classes2.dex``, … up to the first missing number, so that is where a new dex is seen."""
    return _dex_name(len(dex_entry_names(entry_names)) + 1)


def dex_files(source: SourceApk) -> dict[str, bytes]:
    """Each dex file ART would load, by entry name; ValueError when one cannot be read."""
    archive = source.archive
    return {n: archive.read(n, MAX_DEX) for n in dex_entry_names(archive.names)}


def signing_certificates(source: SourceApk) -> tuple[str, ...]:
    """The certificates ``source`` is signed with (hex DER): the v3/v2 signer's if it has
    one, else the v1 PKCS#7 block's first; empty when unsigned."""
    from apk.signing.verify import SignatureVerificationError, verify_apk

    try:
        report = verify_apk(source.data)  # a file is read in pieces
    except (SignatureVerificationError, ValueError):
        return _v1_certificates(source)
    signer = report.v3 or report.v2
    return (signer.certificate_der.hex(),) if signer else ()


def _v1_certificates(source: SourceApk) -> tuple[str, ...]:
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

    archive = source.archive
    for name in archive.names:
        if name.startswith("META-INF/") and name.endswith((".RSA", ".DSA", ".EC")):
            try:
                certs = pkcs7.load_der_pkcs7_certificates(archive.read(name))
            except ValueError:
                continue
            return tuple(c.public_bytes(Encoding.DER).hex() for c in certs[:1])
    return ()
