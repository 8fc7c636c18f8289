"""A corpus of APK variants made from a real APK the way apksig's test suite makes its own.

``make_corpus(source, keys, into)`` writes each ``Variant`` of ``source`` into ``into`` and
returns them with their paths. Signing uses ``apksigner`` with two throwaway RSA keys
(``Signer``); everything else is a zip rewrite. ``refusal`` is ``None`` for a variant Android
installs (its clone must too) or the rule key / reason for one Android refuses.
"""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from apk.pipeline import CloneSpec, build_clones
from apk.signing import load_or_create
from apk.signing.v1 import is_signature_file
from apk.splits import load_app
from tests.apk import factory


@dataclass(frozen=True)
class Signer:
    key: Path  # PKCS#8 DER
    cert: Path  # PEM


def make_signer(into: Path, name: str) -> Signer:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    start = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start.replace(year=2050))
        .sign(key, hashes.SHA256())
    )
    signer = Signer(into / f"{name}.pk8", into / f"{name}.pem")
    signer.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    signer.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return signer


@dataclass(frozen=True)
class Context:
    source: bytes
    first: Signer
    second: Signer
    work: Path


@dataclass(frozen=True)
class Variant:
    name: str
    make: Callable[[Context], bytes]
    refusal: str | None = None  # what the one-line error names when Android refuses it too
    why: str = ""


def _rewrite(
    data: bytes,
    keep: Callable[[zipfile.ZipInfo], bool] = lambda _: True,
    method: Callable[[zipfile.ZipInfo], int] = lambda i: i.compress_type,
    first: tuple[tuple[str, bytes], ...] = (),
    extra: tuple[tuple[str, bytes], ...] = (),
    comment: bytes = b"",
) -> bytes:
    """A plain zip rewrite (no alignment, no signing block) of ``data``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name, content in first:
            dst.writestr(zipfile.ZipInfo(name, (1981, 1, 1, 1, 1, 2)), content)
        for info in src.infolist():
            if keep(info):
                copy = zipfile.ZipInfo(info.filename, info.date_time)
                copy.compress_type = method(info)
                dst.writestr(copy, src.read(info))
        for name, content in extra:
            dst.writestr(zipfile.ZipInfo(name, (1981, 1, 1, 1, 1, 2)), content)
        dst.comment = comment
    return out.getvalue()


def _unsigned(ctx: Context) -> bytes:
    return _rewrite(ctx.source, keep=lambda i: not is_signature_file(i.filename))


def _apksigner(ctx: Context, data: bytes, name: str, *args: str | Path) -> bytes:
    tool = shutil.which("apksigner") or "apksigner"
    src, out = ctx.work / f"{name}.in.apk", ctx.work / f"{name}.apk"
    src.write_bytes(data)
    cmd = [tool, "sign", "--out", out, *args, src]
    subprocess.run([str(c) for c in cmd], check=True, capture_output=True, timeout=120)
    return out.read_bytes()


def _signed(name: str, *schemes: str, two: bool = False) -> Callable[[Context], bytes]:
    def make(ctx: Context) -> bytes:
        flags = [
            f"--v{n}-signing-enabled={'true' if str(n) in schemes else 'false'}" for n in (1, 2, 3)
        ]
        signers: list[str | Path] = ["--key", ctx.first.key, "--cert", ctx.first.cert]
        if two:
            signers += ["--next-signer", "--key", ctx.second.key, "--cert", ctx.second.cert]
        return _apksigner(ctx, _unsigned(ctx), name, *signers, *flags)

    return make


def _v3_lineage(ctx: Context) -> bytes:
    tool = shutil.which("apksigner") or "apksigner"
    lineage = ctx.work / "lineage"
    old = ["--old-signer", "--key", ctx.first.key, "--cert", ctx.first.cert]
    new = ["--new-signer", "--key", ctx.second.key, "--cert", ctx.second.cert]
    cmd = [tool, "rotate", "--out", lineage, *old, *new]
    subprocess.run([str(c) for c in cmd], check=True, capture_output=True, timeout=120)
    signers: list[str | Path] = ["--key", ctx.first.key, "--cert", ctx.first.cert]
    signers += ["--next-signer", "--key", ctx.second.key, "--cert", ctx.second.cert]
    return _apksigner(ctx, _unsigned(ctx), "v3-lineage", "--lineage", lineage, *signers)


def _renamed(package: str) -> Callable[[Context], bytes]:
    """The source under another package name, made by the pipeline itself (v1+v2+v3)."""

    def make(ctx: Context) -> bytes:
        src = ctx.work / f"{package}.src.apk"
        src.write_bytes(ctx.source)
        key = load_or_create(ctx.work / "keys")
        out = ctx.work / f"{package}.out"
        [built] = build_clones(load_app([src]), [CloneSpec(1, package)], out, key)
        return built.apk.read_bytes()

    return make


def _flip(info: zipfile.ZipInfo) -> int:
    return zipfile.ZIP_DEFLATED if info.compress_type == zipfile.ZIP_STORED else zipfile.ZIP_STORED


def _signature_block_name(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return next(n for n in zf.namelist() if n.endswith((".RSA", ".EC", ".DSA")))


VARIANTS = (
    Variant("original", lambda ctx: ctx.source),
    Variant("unsigned", _unsigned),
    Variant("v1-only", _signed("v1-only", "1")),
    Variant("v2-only", _signed("v2-only", "2")),
    Variant("v1-v2-two-signers", _signed("two-signers", "1", "2", two=True)),
    Variant("v3-with-lineage", _v3_lineage),
    Variant(
        "unaligned",
        lambda ctx: _rewrite(_unsigned(ctx), first=(("a", b"x"),)),  # shifts every offset by 1
    ),
    Variant(
        "stored-deflated-swapped",  # resources.arsc deflated, every deflated entry stored
        lambda ctx: _rewrite(_unsigned(ctx), method=_flip),
    ),
    Variant(
        "method-21-on-dropped-signature-file",  # apksig's weird-compression-method.apk
        lambda ctx: factory.with_method(ctx.source, _signature_block_name(ctx.source), 21),
    ),
    Variant(
        "method-21-on-classes-dex",  # Android reads any non-stored method as deflate
        lambda ctx: factory.with_method(ctx.source, "classes.dex", 21),
    ),
    Variant(
        "max-eocd-comment",
        lambda ctx: _rewrite(ctx.source, comment=b"c" * 0xFFFF),
    ),
    Variant(
        "cts-package-under-android",  # like apksig's android.appsecurity.cts.tinyapp
        _renamed("android.appsecurity.cts.tinyapp"),
    ),
    Variant(
        "cr-in-entry-name",
        lambda ctx: _rewrite(_unsigned(ctx), extra=(("assets/a\rb.txt", b"x"),)),
        refusal="v1-entry-name",
        why="minSdkVersion 19 needs v1, and a JAR manifest cannot name the entry "
        "(apksig: JAR_SIG_UNNNAMED_MANIFEST_SECTION; it refuses to v1-sign it)",
    ),
    Variant(
        "no-manifest",
        lambda ctx: _rewrite(_unsigned(ctx), keep=lambda i: i.filename != "AndroidManifest.xml"),
        refusal="no AndroidManifest.xml",
        why="not an APK: INSTALL_PARSE_FAILED_BAD_MANIFEST",
    ),
)
