"""Two clones of each real APK, checked with Android's own tools."""

from __future__ import annotations

import hashlib
import os
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from apk import pipeline
from apk.file_bytes import FileBytes, FileChangedError, FileSpan
from apk.manifest import read_manifest_info
from apk.pipeline import CloneSpec, ExtraEntry, build_clones
from apk.signing import load_or_create, v2v3
from apk.signing.keys import SigningKey
from apk.signing.v1 import is_signature_file
from apk.source import ARSC_NAME, MANIFEST_NAME, ApkInputError, load_source, parse_source
from apk.splits import group, load_app
from apk.zip_read import ZipEntry, parse_zip
from apk.zip_write import Piece, join_pieces
from tests.apk import arsc_factory as af
from tests.apk import factory, oracles
from tests.apk.signing.apksigner import verify
from tests.realapks import ALL, NATIVE, UIAUTOMATOR, real_apk


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> SigningKey:
    return load_or_create(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory, key: SigningKey
) -> Callable[[str], list[pipeline.BuiltClone]]:
    cache: dict[str, list[pipeline.BuiltClone]] = {}

    def build(name: str) -> list[pipeline.BuiltClone]:
        if name not in cache:
            app = load_app([real_apk(name)])
            specs = [CloneSpec(i, f"{app.package}.clone{i}") for i in (1, 2)]
            cache[name] = build_clones(app, specs, tmp_path_factory.mktemp("out"), key)
        return cache[name]

    return build


@pytest.mark.slow
@pytest.mark.parametrize("name", ALL)
def test_clones_verify_align_and_keep_the_launcher(
    name: str, built: Callable[[str], list[pipeline.BuiltClone]]
) -> None:
    original = oracles.badging(real_apk(name))
    assert original.launchable_activity is not None
    for clone in built(name):
        verdict = verify(clone.apk)
        assert verdict.verifies, verdict.output
        assert verdict.schemes[2] and verdict.schemes[3]
        assert oracles.zipalign_ok(clone.apk)
        badging = oracles.badging(clone.apk)
        assert badging.package == clone.package
        assert badging.launchable_activity == original.launchable_activity
        assert oracles.resource_package(clone.apk) == clone.package


@pytest.mark.slow
@pytest.mark.parametrize("name", ALL)
def test_no_authority_or_permission_is_shared(
    name: str, built: Callable[[str], list[pipeline.BuiltClone]]
) -> None:
    sets = [oracles.manifest_names(real_apk(name))]
    sets += [oracles.manifest_names(c.apk) for c in built(name)]
    for i, a in enumerate(sets):
        for b in sets[i + 1 :]:
            assert not a.authorities & b.authorities
            assert not a.declared_permissions & b.declared_permissions
    assert all(len(s.authorities) == len(sets[0].authorities) for s in sets)
    assert all(len(s.declared_permissions) == len(sets[0].declared_permissions) for s in sets)


@pytest.mark.slow
@pytest.mark.parametrize("name", ALL)
def test_every_other_entry_is_kept_with_its_crc(
    name: str, built: Callable[[str], list[pipeline.BuiltClone]]
) -> None:
    with zipfile.ZipFile(real_apk(name)) as zf:
        expected = {
            i.filename: (i.CRC, i.compress_type)
            for i in zf.infolist()
            if not is_signature_file(i.filename) and i.filename not in (MANIFEST_NAME, ARSC_NAME)
        }
    for clone in built(name):
        with zipfile.ZipFile(clone.apk) as zf:
            got = {i.filename: (i.CRC, i.compress_type) for i in zf.infolist()}
            order = [i.filename for i in zf.infolist() if i.filename in expected]
            arsc = zf.getinfo(ARSC_NAME)
        assert {n: got[n] for n in expected} == expected
        assert order == list(expected)  # untouched entries keep their order
        assert arsc.compress_type == zipfile.ZIP_STORED


@pytest.mark.slow
@pytest.mark.parametrize("name", ALL)
def test_manifest_facts_are_kept(
    name: str, built: Callable[[str], list[pipeline.BuiltClone]]
) -> None:
    source = load_source(real_apk(name)).info
    for clone in built(name):
        with zipfile.ZipFile(clone.apk) as zf:
            info = read_manifest_info(zf.read(MANIFEST_NAME))
        assert info.extract_native_libs == source.extract_native_libs
        assert (info.min_sdk, info.target_sdk, info.version_code) == (
            source.min_sdk,
            source.target_sdk,
            source.version_code,
        )


def test_shared_work_is_done_once_per_build(
    tmp_path: Path, key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = load_app([real_apk(UIAUTOMATOR)])
    assert app.base.info.min_sdk < 24  # so v1 is needed
    digested: list[str] = []
    real_digest = pipeline._streamed_digest
    content_digests: list[int] = []
    real_top = v2v3.top_digest

    def count_digest(archive: object, entry: ZipEntry, algorithm: object) -> bytes:
        digested.append(entry.name)
        return real_digest(archive, entry, algorithm)  # type: ignore[arg-type]

    def count_top(chunks: list[bytes], name: str = "sha256") -> bytes:
        content_digests.append(1)
        return real_top(chunks, name)

    monkeypatch.setattr(pipeline, "_streamed_digest", count_digest)
    monkeypatch.setattr(v2v3, "top_digest", count_top)
    specs = [CloneSpec(i, f"{app.package}.clone{i}") for i in (1, 2, 3)]
    build_clones(app, specs, tmp_path, key)
    assert len(digested) == len(set(digested))  # each untouched entry digested once
    assert MANIFEST_NAME not in digested
    assert len(content_digests) == 3  # one v2/v3 content digest per clone


def test_extra_entries_and_application_name_reach_the_clone(
    tmp_path: Path, key: SigningKey
) -> None:
    app = load_app([real_apk(UIAUTOMATOR)])
    extra = (
        ExtraEntry("lib/arm64-v8a/libpayload.so", b"\x7fELF" + bytes(3000), compress=False),
        ExtraEntry("assets/payload.json", b'{"a": 1}', compress=True),
    )
    spec = CloneSpec(1, "com.github.uiautomator.clone1", extra, "org.example.Boot")
    (clone,) = build_clones(app, [spec], tmp_path, key)
    assert verify(clone.apk).verifies
    assert oracles.zipalign_ok(clone.apk)
    assert oracles.manifest_names(clone.apk).application_name == "org.example.Boot"
    with zipfile.ZipFile(clone.apk) as zf:
        assert zf.read("assets/payload.json") == b'{"a": 1}'
        lib = zf.getinfo("lib/arm64-v8a/libpayload.so")
    assert lib.compress_type == zipfile.ZIP_STORED
    entry = parse_zip(clone.apk.read_bytes()).entry("lib/arm64-v8a/libpayload.so")
    assert entry.data_offset % 16384 == 0


def test_an_extra_entry_may_not_replace_an_app_entry(tmp_path: Path, key: SigningKey) -> None:
    app = load_app([real_apk(UIAUTOMATOR)])
    spec = CloneSpec(1, "com.github.uiautomator.clone1", (ExtraEntry("classes.dex", b"x"),))
    with pytest.raises(ValueError, match=r"classes\.dex"):
        build_clones(app, [spec], tmp_path / "out", key)
    assert not (tmp_path / "out").exists()


def test_a_failure_leaves_nothing_behind(
    tmp_path: Path, key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "deep" / "out"
    app = load_app([real_apk(UIAUTOMATOR)])
    calls: list[int] = []
    real_write = pipeline.CloneImage.write

    def fail_second(self: pipeline.CloneImage, path: Path) -> str:
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_write(self, path)

    monkeypatch.setattr(pipeline.CloneImage, "write", fail_second)
    specs = [CloneSpec(i, f"{app.package}.clone{i}") for i in (1, 2)]
    with pytest.raises(OSError, match="No space"):
        build_clones(app, specs, out, key)
    assert not (tmp_path / "deep").exists()


def test_a_source_read_from_its_file_gives_the_same_clones_as_one_in_memory(
    tmp_path: Path, key: SigningKey
) -> None:
    path = real_apk(NATIVE)
    from_file = load_app([path])
    assert isinstance(from_file.base.data, FileBytes)
    in_memory = group([parse_source(path.read_bytes(), str(path))])
    specs = [CloneSpec(i, f"{from_file.package}.clone{i}") for i in (1, 2)]
    one = build_clones(from_file, specs, tmp_path / "file", key)
    two = build_clones(in_memory, specs, tmp_path / "memory", key)
    for a, b in zip(one, two, strict=True):
        assert a.apk.read_bytes() == b.apk.read_bytes()  # the signatures are deterministic
        assert a.sha256 == b.sha256 == hashlib.sha256(a.apk.read_bytes()).hexdigest()


def test_a_source_changed_during_the_build_leaves_nothing_behind(
    tmp_path: Path, key: SigningKey
) -> None:
    source = tmp_path / "app.apk"
    source.write_bytes(real_apk(UIAUTOMATOR).read_bytes())
    app = load_app([source])
    os.truncate(source, source.stat().st_size // 2)
    specs = [CloneSpec(i, f"{app.package}.clone{i}") for i in (1, 2)]
    with pytest.raises(FileChangedError, match=r"app\.apk changed while it was read"):
        build_clones(app, specs, tmp_path / "out", key)
    assert not (tmp_path / "out").exists()


def test_existing_files_in_out_survive_a_failure(
    tmp_path: Path, key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    app = load_app([real_apk(UIAUTOMATOR)])

    def fail(self: pipeline.CloneImage, path: Path) -> str:
        raise OSError(5, "I/O error")

    monkeypatch.setattr(pipeline.CloneImage, "write", fail)
    with pytest.raises(OSError):
        build_clones(app, [CloneSpec(1, f"{app.package}.clone1")], tmp_path, key)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_native_apk_keeps_exactly_its_abis(tmp_path: Path, key: SigningKey) -> None:
    app = load_app([real_apk(NATIVE)])
    (clone,) = build_clones(app, [CloneSpec(1, f"{app.package}.clone1")], tmp_path, key)
    with zipfile.ZipFile(clone.apk) as zf:
        abis = {n.split("/")[1] for n in zf.namelist() if n.startswith("lib/")}
    assert abis == {"arm64-v8a", "armeabi-v7a"}


def test_replaced_entries_change_in_place_in_every_clone(tmp_path: Path, key: SigningKey) -> None:
    app = load_app([real_apk(UIAUTOMATOR)])
    kept = (MANIFEST_NAME, ARSC_NAME)
    names = [n for n in app.base.archive.names if not is_signature_file(n) and n not in kept]
    new_dex = b"dex\n035\x00" + bytes(2000)
    specs = [CloneSpec(i, f"{app.package}.clone{i}") for i in (1, 2)]
    built = build_clones(app, specs, tmp_path, key, replaced_entries={"classes.dex": new_dex})
    for clone in built:
        assert verify(clone.apk).verifies
        with zipfile.ZipFile(clone.apk) as zf:
            assert zf.read("classes.dex") == new_dex
            order = [n for n in zf.namelist() if n in names]
        assert order == names  # classes.dex is still where it was


@pytest.mark.parametrize(
    ("name", "reason"), [("nope.bin", "no such entry"), (MANIFEST_NAME, "cannot be replaced")]
)
def test_replacing_what_cannot_be_replaced_is_refused(
    tmp_path: Path, key: SigningKey, name: str, reason: str
) -> None:
    app = load_app([real_apk(UIAUTOMATOR)])
    spec = CloneSpec(1, f"{app.package}.clone1")
    with pytest.raises(ValueError, match=reason):
        build_clones(app, [spec], tmp_path / "out", key, replaced_entries={name: b"x"})
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------------- references


def _referencing_apk(path: Path, table: bytes | None = af.referencing_table()) -> Path:
    arsc = () if table is None else (("resources.arsc", table, zipfile.ZIP_STORED),)
    path.write_bytes(factory.apk_bytes(af.referencing_manifest(), *arsc))
    return path


def _xmltree(apk: Path) -> str:
    done = subprocess.run(
        ["aapt", "dump", "xmltree", str(apk), MANIFEST_NAME],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_referenced_authorities_and_permissions_are_renamed(
    tmp_path: Path, key: SigningKey
) -> None:
    source = _referencing_apk(tmp_path / "app.apk")
    app = load_app([source])
    assert app.warnings() == ()
    assert app.base.info.provider_authorities == (f"{af.PACKAGE}.files",)
    specs = [CloneSpec(i, f"{af.PACKAGE}.clone{i}") for i in (1, 2)]
    built = build_clones(app, specs, tmp_path / "out", key)
    assert "android:authorities(0x01010018)=@0x7f010001" in _xmltree(source)
    assert oracles.manifest_names(source).authorities == frozenset()  # aapt shows no literal
    for clone in built:
        names = oracles.manifest_names(clone.apk)
        assert names.authorities == {f"{clone.package}.files"}
        assert names.declared_permissions == {f"{clone.package}.permission.SECRET"}
        assert oracles.badging(clone.apk).package == clone.package
        assert verify(clone.apk).verifies


@pytest.mark.parametrize(
    "table", [None, af.strings_table(["org.example.app.files"])], ids=["no table", "no alias"]
)
def test_unresolvable_references_are_kept_and_warned_about(
    tmp_path: Path, key: SigningKey, table: bytes | None
) -> None:
    app = load_app([_referencing_apk(tmp_path / "app.apk", table)])
    warnings = app.warnings()
    assert len(warnings) == 3
    assert "<provider android:authorities> is @0x7f010001" in warnings[2]
    assert all(w.startswith(str(tmp_path / "app.apk")) for w in warnings)
    (clone,) = build_clones(app, [CloneSpec(1, f"{af.PACKAGE}.clone1")], tmp_path / "out", key)
    assert "android:authorities(0x01010018)=@0x7f010001" in _xmltree(clone.apk)
    assert verify(clone.apk).verifies


def test_a_damaged_table_is_reported_when_a_reference_needs_it(tmp_path: Path) -> None:
    table = bytearray(af.referencing_table())
    table[4:8] = (len(table) + 4).to_bytes(4, "little")  # the table says it is longer
    with pytest.raises(ApkInputError, match=r"app\.apk: resources\.arsc says it is"):
        load_app([_referencing_apk(tmp_path / "app.apk", bytes(table))])


def test_shared_prefix_chunks_match_the_joined_bytes(tmp_path: Path) -> None:
    chunk = v2v3.CHUNK_SIZE
    (tmp_path / "file").write_bytes(b"e" * 5 + b"f" * (chunk + 3) + b"g")
    pieces: list[Piece] = [
        b"a" * 10,
        memoryview(b"b" * (chunk - 10)),
        b"c" * (2 * chunk + 5),
        FileSpan(FileBytes(tmp_path / "file"), 5, chunk + 3),  # read from the file
        b"d" * 7,
    ]
    joined = join_pieces(pieces)
    assert b"f" * (chunk + 3) + b"d" * 7 in joined
    prefix = pipeline.SharedPrefix(pieces, len(joined))
    whole = len(joined) // chunk * chunk
    assert prefix.chunk_digests("sha256") == v2v3.chunk_digests(joined[:whole])
    assert prefix.remainder == joined[whole:]
    assert prefix.sha256.hexdigest() == hashlib.sha256(joined).hexdigest()


def test_v1_digests_are_cached_by_the_apks_sha256(
    tmp_path: Path, key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = load_app([real_apk(UIAUTOMATOR)])
    cache = tmp_path / "digests"
    first = build_clones(
        app, [CloneSpec(1, f"{app.package}.c1")], tmp_path / "a", key, None, None, cache
    )
    [stored] = cache.iterdir()
    assert stored.name.startswith(app.base.sha256)

    def no_inflating(*args: object) -> bytes:
        raise AssertionError("a cached APK was inflated again")

    monkeypatch.setattr(pipeline, "_streamed_digest", no_inflating)
    again = build_clones(
        app, [CloneSpec(1, f"{app.package}.c1")], tmp_path / "b", key, None, None, cache
    )
    assert first[0].apk.read_bytes() == again[0].apk.read_bytes()
    stored.write_text('{"odd": "zz"}')  # a damaged cache is recomputed, not trusted
    monkeypatch.undo()
    third = build_clones(
        app, [CloneSpec(1, f"{app.package}.c1")], tmp_path / "c", key, None, None, cache
    )
    assert third[0].apk.read_bytes() == first[0].apk.read_bytes()


def test_digests_on_threads_keep_every_result_and_raise_an_error() -> None:
    entries = parse_zip(real_apk(NATIVE).read_bytes()).entries[:40]
    done = pipeline._start_threads(entries, 3, lambda e: e.name.encode())()
    assert done == {e.name: e.name.encode() for e in entries}

    def fail_one(entry: ZipEntry) -> bytes:
        if entry is entries[7]:
            raise ApkInputError(f"entry {entry.name!r} is damaged")
        return b""

    with pytest.raises(ApkInputError, match=f"entry {entries[7].name!r} is damaged"):
        pipeline._start_threads(entries, 3, fail_one)()
