"""``clone build``: the JSON contract on a real APK, and bad input as one line, exit 2."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from apk.manifest import read_manifest_info
from apk.zip_read import parse_zip
from clone import Space
from tests.apk import arsc_factory, factory, oracles
from tests.apk.signing.apksigner import verify
from tests.conftest import RunCli
from tests.hooks.payload.variants import native_only
from tests.realapks import UIAUTOMATOR, real_apk


def _real_manifest() -> bytes:
    return parse_zip(real_apk(UIAUTOMATOR).read_bytes()).read("AndroidManifest.xml")


def _with_manifest(data: bytes) -> bytes:
    return factory.apk_bytes(data)


def _lying_chunk_size() -> bytes:
    manifest = bytearray(_real_manifest())
    struct.pack_into("<I", manifest, 4, len(manifest) * 4)  # the document says it is larger
    return bytes(manifest)


def _lying_inner_chunk() -> bytes:
    manifest = bytearray(_real_manifest())
    struct.pack_into("<I", manifest, 8 + 4, 0x7FFFFFF0)  # the string pool claims 2 GiB
    return bytes(manifest)


def _truncated_apk() -> bytes:
    data = real_apk(UIAUTOMATOR).read_bytes()
    return data[: len(data) * 2 // 3]


_HUGE = 300 << 20
BAD_INPUTS: dict[str, tuple[Callable[[], bytes] | None, str]] = {
    "empty file": (lambda: b"", "empty"),
    "not a zip": (lambda: b"%PDF-1.4 not an apk at all\n" * 40, "not a zip"),
    "truncated zip": (_truncated_apk, "truncated"),
    "no manifest": (lambda: factory.apk_bytes(None), "no AndroidManifest.xml"),
    "empty manifest": (lambda: _with_manifest(b""), "AndroidManifest.xml"),
    "garbage manifest": (lambda: _with_manifest(b"<manifest>text</manifest>" * 9), "Manifest"),
    "truncated manifest": (
        lambda: _with_manifest(_real_manifest()[:1500]),
        "AndroidManifest.xml",
    ),
    "chunk size lies": (lambda: _with_manifest(_lying_chunk_size()), "AndroidManifest.xml"),
    "inner chunk size lies": (lambda: _with_manifest(_lying_inner_chunk()), "AndroidManifest"),
    "manifest inflates to 300 MB": (
        lambda: factory.bomb_zip(declared_size=_HUGE, real_size=_HUGE),
        "AndroidManifest.xml",
    ),
    "manifest inflates to 300 MB, says 2 KB": (
        lambda: factory.bomb_zip(declared_size=2048, real_size=_HUGE),
        "AndroidManifest.xml",
    ),
    "absolute entry name": (
        lambda: factory.apk_bytes(factory.manifest(), ("/data/evil.so", b"x", 0)),
        "absolute",
    ),
    "dotdot entry name": (
        lambda: factory.apk_bytes(factory.manifest(), ("lib/../../evil.so", b"x", 0)),
        "'..'",
    ),
    "framework package": (lambda: factory.apk_bytes(factory.manifest("android")), "'android'"),
    "system uid": (
        lambda: factory.apk_bytes(
            factory.manifest("com.vendor.tool", shared_user_id="android.uid.system")
        ),
        "'android.uid.system'",
    ),
    "CR in a carried entry name, v1 needed": (
        lambda: factory.apk_bytes(factory.manifest(), ("assets/a\rb", b"x", 0)),
        "v1-entry-name",
    ),
    "missing file": (None, "no APK at"),
}


def _assert_one_line_error(stderr: str, reason: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("clone: error: "), stderr
    assert "Traceback" not in stderr
    assert reason.lower() in lines[0].lower(), lines[0]


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_exit_2_and_leaves_nothing(
    run_cli: RunCli, tmp_path: Path, case: str
) -> None:
    make, reason = BAD_INPUTS[case]
    apk = tmp_path / "input.apk"
    if make is not None:
        apk.write_bytes(make())
    out = tmp_path / "out"
    result = run_cli("build", apk, "--out", out, "--hooks", "none")
    assert result.exit_code == 2, result.stderr
    _assert_one_line_error(result.stderr, reason)
    assert not out.exists()
    assert result.stdout == ""


def test_a_directory_without_apks_is_bad_input(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run_cli("build", tmp_path / "empty", "--out", tmp_path / "out", "--hooks", "none")
    assert result.exit_code == 2
    _assert_one_line_error(result.stderr, "directory")
    assert not (tmp_path / "out").exists()


def test_existing_out_is_untouched_by_a_failure(run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    bad = tmp_path / "bad.apk"
    bad.write_bytes(factory.apk_bytes(factory.manifest("android")))
    assert run_cli("build", bad, "--out", out, "--hooks", "none").exit_code == 2
    assert [p.name for p in out.iterdir()] == ["mine.txt"]


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--count", "0"], "--count"),
        (["--name-template", "{package}.copy"], "{n}"),
        (["--name-template", "{package}.{user}{n}"], "{user}"),
        (["--name-template", "{package}.{n}"], "not a valid package name"),
        (["--name-template", "x"], "{n}"),
        (["--cert", "c.pem"], "--cert needs --key"),
        (["--key", "missing.pem"], "missing.pem"),
    ],
)
def test_bad_options_are_exit_2(
    run_cli: RunCli, tmp_path: Path, args: list[str], reason: str
) -> None:
    out = tmp_path / "out"
    result = run_cli("build", real_apk(UIAUTOMATOR), "--out", out, "--hooks", "none", *args)
    assert result.exit_code == 2, result.stderr
    _assert_one_line_error(result.stderr, reason)
    assert not out.exists()


def test_out_that_is_a_file_is_bad_input(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    result = run_cli("build", real_apk(UIAUTOMATOR), "--out", tmp_path / "f", "--hooks", "none")
    assert result.exit_code == 2
    _assert_one_line_error(result.stderr, "not a directory")


@pytest.mark.slow
def test_json_result_matches_the_files(run_cli: RunCli, tmp_path: Path) -> None:
    source = real_apk(UIAUTOMATOR)
    out = tmp_path / "dist"
    result = run_cli("build", source, "--count", "2", "--out", out, "--hooks", "none", "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["source"] == {
        "package": "com.github.uiautomator",
        "version_code": 2004001,
        "min_sdk": 19,
        "sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
    }
    assert [c["index"] for c in doc["clones"]] == [1, 2]
    for clone in doc["clones"]:
        assert set(clone) == {"index", "package", "apk", "sha256"}
        assert clone["package"] == f"com.github.uiautomator.clone{clone['index']}"
        apk = Path(clone["apk"])
        assert apk.parent == out.absolute()
        assert hashlib.sha256(apk.read_bytes()).hexdigest() == clone["sha256"]
        assert oracles.badging(apk).package == clone["package"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        Path(c["apk"]).name for c in doc["clones"]
    )


def test_text_result_and_name_template(run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    args = ("--count", "3", "--out", out, "--name-template", "{package}.u{n}", "--hooks", "none")
    result = run_cli("build", real_apk(UIAUTOMATOR), *args)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split() for line in lines[:4]] == [
        ["N", "PACKAGE", "APK"],
        *(
            [
                str(n),
                f"com.github.uiautomator.u{n}",
                str(out.absolute() / f"com.github.uiautomator.u{n}.apk"),
            ]
            for n in (1, 2, 3)
        ),
    ]
    # these are files, not registered clones: the output does not name them APP:N
    assert "com.github.uiautomator:1" not in result.stdout
    assert "not registered" in lines[4]


def test_a_pure_native_app_builds_without_hooks(run_cli: RunCli, tmp_path: Path) -> None:
    """An app without dex and with hasCode="false": without hooks nothing is added for
    Android to load, so the clone keeps hasCode false (tests/hooks/payload builds it hooked)."""
    source = native_only(real_apk(UIAUTOMATOR), tmp_path / "native.apk")
    args = ("-n", "1", "--out", tmp_path / "out", "--hooks", "none", "--json")
    result = run_cli("build", source, *args)
    assert result.exit_code == 0, result.stderr
    (clone,) = json.loads(result.stdout)["clones"]
    apk = Path(clone["apk"])
    assert verify(apk).verifies
    assert oracles.zipalign_ok(apk)
    assert oracles.badging(apk).launchable_activity == oracles.badging(source).launchable_activity
    manifest = parse_zip(apk.read_bytes()).read("AndroidManifest.xml")
    assert read_manifest_info(manifest).has_code is False


def _user_key(tmp_path: Path) -> tuple[Path, Path, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "QA Team")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(datetime.datetime(2024, 1, 1))
        .not_valid_after(datetime.datetime(2050, 1, 1))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = tmp_path / "k.pem", tmp_path / "c.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path, cert.fingerprint(hashes.SHA256()).hex()


@pytest.mark.slow
def test_user_key_signs_the_clones(run_cli: RunCli, tmp_path: Path) -> None:
    key, cert, fingerprint = _user_key(tmp_path)
    out = tmp_path / "dist"
    args = ("--count", "1", "--out", out, "--key", key, "--cert", cert, "--hooks", "none", "--json")
    result = run_cli("build", real_apk(UIAUTOMATOR), *args)
    assert result.exit_code == 0, result.stderr
    apk = Path(json.loads(result.stdout)["clones"][0]["apk"])
    verdict = verify(apk)
    assert verdict.verifies, verdict.output
    assert f"certificate SHA-256 digest: {fingerprint}" in verdict.output


def _certificate_sha256(apk: Path) -> str:
    """The signer's certificate digest, as ``apksigner verify --print-certs`` prints it."""
    verdict = verify(apk)
    assert verdict.verifies, verdict.output
    (digest,) = re.findall(r"^Signer #1 certificate SHA-256 digest: (\w+)$", verdict.output, re.M)
    return str(digest)


@pytest.mark.slow
def test_each_clone_has_its_own_key_kept_for_later_builds(
    run_cli: RunCli, clone_home: Path, tmp_path: Path
) -> None:
    """Since API 26 ANDROID_ID is per signing key: clones of one app must not share a key,
    and a later build of clone 1 (an update, a reinstall) must be signed with the same one."""
    first = run_cli(
        "build", real_apk(UIAUTOMATOR), "-n", "2", "--out", tmp_path / "a", "--hooks", "none"
    )
    assert first.exit_code == 0, first.stderr
    one, two = (tmp_path / "a" / f"com.github.uiautomator.clone{n}.apk" for n in (1, 2))
    assert _certificate_sha256(one) != _certificate_sha256(two)
    again = run_cli(
        "build", real_apk(UIAUTOMATOR), "-n", "1", "--out", tmp_path / "b", "--hooks", "none"
    )
    assert again.exit_code == 0, again.stderr
    rebuilt = tmp_path / "b" / "com.github.uiautomator.clone1.apk"
    assert _certificate_sha256(rebuilt) == _certificate_sha256(one)
    keys = clone_home / "keys"
    files = sorted(p for p in keys.rglob("*") if p.is_file())
    assert [p.relative_to(keys).as_posix() for p in files] == [
        "clones/com.github.uiautomator/1.pem",
        "clones/com.github.uiautomator/2.pem",
    ]
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in files)
    assert all(d.stat().st_mode & 0o777 == 0o700 for d in keys.rglob("*") if d.is_dir())


def test_space_build_api(clone_home: Path, tmp_path: Path) -> None:
    result = Space(home=clone_home).build(
        real_apk(UIAUTOMATOR), count=2, out=tmp_path / "d", hooks="none"
    )
    assert [c.package for c in result.clones] == [
        "com.github.uiautomator.clone1",
        "com.github.uiautomator.clone2",
    ]
    assert all(c.apk.is_file() for c in result.clones)
    assert result.to_json()["source"]["package"] == "com.github.uiautomator"


def test_references_nothing_resolves_are_warned_about(run_cli: RunCli, tmp_path: Path) -> None:
    """A provider authority, permission and sharedUserId given as @string references with no
    resources.arsc to resolve them: the clone is built (they stay as they are), and the user
    is told, one 'clone: warning:' line each, and in the --json result."""
    apk = tmp_path / "app.apk"
    apk.write_bytes(factory.apk_bytes(arsc_factory.referencing_manifest()))
    result = run_cli("build", apk, "--out", tmp_path / "out", "--hooks", "none")
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 3
    assert all(line.startswith(f"clone: warning: {apk}: <") for line in lines)
    assert any("<provider android:authorities> is @0x7f010001" in line for line in lines)
    as_json = run_cli("build", apk, "--out", tmp_path / "out2", "--hooks", "none", "--json")
    assert json.loads(as_json.stdout)["warnings"] == [
        line[len("clone: warning: ") :] for line in lines
    ]
