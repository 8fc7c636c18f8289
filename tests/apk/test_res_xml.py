"""Resource XML that names the app's package (shortcuts, sync adapter, searchable) is renamed
in every clone, checked with ``aapt dump xmltree``.

None of the real APKs the tests fetch carries such a file (their ``res/**.xml`` hold no
``targetPackage``, ``contentAuthority`` or ``searchSuggestAuthority``), so the app here is
built with the test factories: the referencing manifest of ``arsc_factory`` (its provider
authority ``org.example.app.files`` is a reference) and these compiled XML files.
"""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest

from apk import android_attrs as attrs
from apk.axml import ResValue, XmlAttr, XmlElement, build_document
from apk.pipeline import CloneSpec, build_clones
from apk.signing import load_or_create
from apk.signing.keys import SigningKey
from apk.splits import load_app
from tests.apk import arsc_factory as af
from tests.apk import factory
from tests.apk.signing.apksigner import verify

PKG = af.PACKAGE
OWN_AUTHORITY = f"{PKG}.files"
CONTACTS = "com.android.contacts"


def _xml(root: XmlElement) -> bytes:
    return build_document(root).to_bytes()


def _shortcuts() -> bytes:
    intent = XmlElement(
        "intent",
        (
            XmlAttr("action", "android.intent.action.VIEW", 0x0101002D),
            XmlAttr("targetPackage", PKG, attrs.TARGET_PACKAGE),
            XmlAttr("targetClass", f"{PKG}.Main", 0x0101002F),
        ),
    )
    other = XmlElement(
        "intent", (XmlAttr("targetPackage", "com.android.settings", attrs.TARGET_PACKAGE),)
    )
    shortcut = XmlElement("shortcut", (XmlAttr("shortcutId", "compose", 0x01010527),), (intent,))
    return _xml(XmlElement("shortcuts", (), (shortcut, XmlElement("shortcut", (), (other,)))))


def _sync_adapter(authority: str | ResValue) -> bytes:
    return _xml(
        XmlElement(
            "sync-adapter",
            (
                XmlAttr("contentAuthority", authority, attrs.CONTENT_AUTHORITY),
                XmlAttr("accountType", "org.example.account", 0x0101028F),
            ),
        )
    )


def _searchable() -> bytes:
    return _xml(
        XmlElement(
            "searchable",
            (XmlAttr("searchSuggestAuthority", OWN_AUTHORITY, attrs.SEARCH_SUGGEST_AUTHORITY),),
        )
    )


FILES = {
    "res/xml/shortcuts.xml": _shortcuts(),
    "res/xml/syncadapter.xml": _sync_adapter(ResValue(af.TYPE_REFERENCE, af.AUTHORITY)),
    "res/xml/contacts_sync.xml": _sync_adapter(CONTACTS),
    "res/-Y.xml": _searchable(),  # a shrunk APK's path
}


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> SigningKey:
    return load_or_create(tmp_path_factory.mktemp("keys"))


def _app(path: Path) -> Path:
    entries = [("resources.arsc", af.referencing_table(), zipfile.ZIP_STORED)]
    entries += [(name, data, zipfile.ZIP_DEFLATED) for name, data in FILES.items()]
    path.write_bytes(factory.apk_bytes(af.referencing_manifest(), *entries))
    return path


def _xmltree(apk: Path, name: str) -> str:
    argv = ["aapt", "dump", "xmltree", str(apk), name]
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout


def test_res_xml_naming_the_package_is_renamed_in_every_clone(
    tmp_path: Path, key: SigningKey
) -> None:
    source = _app(tmp_path / "app.apk")
    assert f'targetPackage(0x01010021)="{PKG}"' in _xmltree(source, "res/xml/shortcuts.xml")
    specs = [CloneSpec(i, f"{PKG}.clone{i}") for i in (1, 2)]
    for clone in build_clones(load_app([source]), specs, tmp_path / "out", key):
        new = clone.package
        shortcuts = _xmltree(clone.apk, "res/xml/shortcuts.xml")
        assert f'android:targetPackage(0x01010021)="{new}"' in shortcuts
        assert f'android:targetClass(0x0101002f)="{PKG}.Main"' in shortcuts  # classes keep
        assert '"com.android.settings"' in shortcuts  # another app's package stays
        sync = _xmltree(clone.apk, "res/xml/syncadapter.xml")
        assert f'android:contentAuthority(0x01010290)="{new}.files"' in sync  # was @string
        assert '"org.example.account"' in sync
        contacts = _xmltree(clone.apk, "res/xml/contacts_sync.xml")
        assert f'contentAuthority(0x01010290)="{CONTACTS}"' in contacts  # not the app's own
        search = _xmltree(clone.apk, "res/-Y.xml")
        assert f'searchSuggestAuthority(0x010101d6)="{new}.files"' in search
        assert verify(clone.apk).verifies


def test_an_app_without_such_files_keeps_its_res_xml_bytes(tmp_path: Path, key: SigningKey) -> None:
    source = tmp_path / "plain.apk"
    keyboard = _xml(XmlElement("Keyboard", (XmlAttr("keyWidth", "10%p", 0x0101023D),)))
    source.write_bytes(factory.apk_bytes(factory.manifest(), ("res/xml/k.xml", keyboard, 8)))
    (clone,) = build_clones(load_app([source]), [CloneSpec(1, "org.example.app.c1")], tmp_path, key)
    with zipfile.ZipFile(clone.apk) as zf:
        assert zf.read("res/xml/k.xml") == keyboard
