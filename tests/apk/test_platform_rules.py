"""The refusal table (``apk.platform_rules``): each row refused, and its neighbours accepted."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from apk.pipeline import CloneSpec, build_clones
from apk.platform_rules import (
    ANDROID_PACKAGE,
    RULES,
    SYSTEM_SHARED_USER,
    V1_ENTRY_NAME,
    app_refusal,
    entry_name_refusal,
)
from apk.signing import load_or_create
from apk.signing.keys import SigningKey
from apk.source import ApkInputError
from apk.splits import load_app
from apk.zip_read import DEFLATED, parse_zip
from tests.apk import factory


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> SigningKey:
    return load_or_create(tmp_path_factory.mktemp("keys"))


@pytest.mark.parametrize(
    ("package", "shared_user", "rule"),
    [
        ("android", None, ANDROID_PACKAGE),
        ("com.vendor.tool", "android.uid.system", SYSTEM_SHARED_USER),
        ("com.android.systemui", "android.uid.systemui", SYSTEM_SHARED_USER),
        ("com.android.phone", "android.uid.phone", SYSTEM_SHARED_USER),
    ],
)
def test_refused_apps(package: str, shared_user: str | None, rule: object) -> None:
    refusal = app_refusal(package, shared_user)
    assert refusal is not None and refusal.rule is rule
    assert refusal.rule.key in refusal.message()


@pytest.mark.parametrize(
    ("package", "shared_user"),
    [
        ("android.appsecurity.cts.tinyapp", None),  # apksig's test app: a CTS app, installable
        ("android.test.app", None),
        ("com.android.systemui", None),  # the name alone reserves nothing
        ("com.android.providers.contacts", None),
        ("com.google.android.gms", "com.google.uid.shared"),
        ("com.example", "com.example.shared"),
        ("com.example", "android.uidsystem"),
        ("androidx.app", None),
    ],
)
def test_accepted_apps(package: str, shared_user: str | None) -> None:
    assert app_refusal(package, shared_user) is None


@pytest.mark.parametrize("name", ["assets/a\rb", "res/raw/x\ny", "a\r\n"])
def test_cr_or_lf_is_refused_only_when_v1_is_needed(name: str) -> None:
    refusal = entry_name_refusal(["classes.dex", name], 23)
    assert refusal is not None and refusal.rule is V1_ENTRY_NAME
    assert entry_name_refusal(["classes.dex", name], 24) is None


def test_a_signature_file_re_signing_drops_may_have_any_name() -> None:
    assert entry_name_refusal(["META-INF/CERT\r.SF", "classes.dex"], 19) is None


def test_every_rule_has_a_source() -> None:
    assert len({r.key for r in RULES}) == len(RULES)
    assert all(r.refuses and r.android and r.source for r in RULES)


def _clone(tmp_path: Path, data: bytes, key: SigningKey) -> Path:
    apk = tmp_path / "in.apk"
    apk.write_bytes(data)
    app = load_app([apk])
    [built] = build_clones(app, [CloneSpec(1, f"{app.package}.clone1")], tmp_path / "out", key)
    return built.apk


def test_a_dropped_signature_file_with_method_21_is_no_reason(
    tmp_path: Path, key: SigningKey
) -> None:
    data = factory.apk_bytes(
        factory.manifest(), ("META-INF/CERT.RSA", b"\x00 not even deflate", zipfile.ZIP_STORED)
    )
    clone = _clone(tmp_path, factory.with_method(data, "META-INF/CERT.RSA", 21), key)
    names = parse_zip(clone.read_bytes()).names
    assert "META-INF/CERT.RSA" in names  # the clone's own signature, not the original's


def test_a_carried_entry_with_method_21_is_carried_as_deflate(
    tmp_path: Path, key: SigningKey
) -> None:
    data = factory.with_method(factory.apk_bytes(factory.manifest()), "classes.dex", 21)
    clone = parse_zip(_clone(tmp_path, data, key).read_bytes())
    assert clone.entry("classes.dex").method == DEFLATED
    assert clone.read("classes.dex").startswith(b"dex\n035")


def test_a_carried_entry_that_does_not_inflate_is_refused(tmp_path: Path, key: SigningKey) -> None:
    data = factory.apk_bytes(factory.manifest(), ("assets/x", b"BZh91AY&SY", zipfile.ZIP_STORED))
    with pytest.raises(ApkInputError, match="not valid deflate"):
        _clone(tmp_path, factory.with_method(data, "assets/x", 12), key)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_the_pipeline_itself_refuses_cr_names_when_signing_v1(
    tmp_path: Path, key: SigningKey
) -> None:
    data = factory.apk_bytes(factory.manifest(), ("assets/a\rb", b"x", zipfile.ZIP_STORED))
    with pytest.raises(ApkInputError, match="v1-entry-name"):
        _clone(tmp_path, data, key)


def test_the_readme_shows_every_rule() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    for rule in RULES:
        assert f"**{rule.key}**" in readme
