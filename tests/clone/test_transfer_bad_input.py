"""``clone import`` of bad and hostile archives: exit 2, one line, and nothing changed.

Every case compares the registry's rows and the whole store tree before and after, and
looks for anything an archive tried to plant outside the store.
"""

from __future__ import annotations

import copy
import gzip
import json
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from clone.space import Space
from clone.workflows import transfer_archive
from clone.workflows.identity import add_account
from tests.clone.transfer_helpers import (
    MANIFEST,
    clone_in,
    dir_info,
    file_info,
    host_clone_holding,
    manifest_of,
    members,
    ok,
    one_error,
    repack,
    state,
    write_tar,
)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A CLONE_HOME with host clone ``other:1`` (store files, account), untouched by imports."""
    path = tmp_path / "home"
    host_clone_holding(path, "other:1", [tmp_path / "other-data"], {"data/0/keep": "mine\n"})
    with Space(path) as space:
        add_account(space.registry, "other:1", "com.google", "carol@example.com")
    return path


@pytest.fixture
def good(tmp_path: Path) -> Path:
    """A real export of host clone ``notes:1`` (two data paths, files in both)."""
    source = tmp_path / "source-home"
    logins = {f"data/{k}/login": f"user{k}\n" for k in (0, 1)}
    host_clone_holding(source, "notes:1", [tmp_path / "a", tmp_path / "b"], logins)
    with Space(source) as space:
        add_account(space.registry, "notes:1", "com.google", "alice@example.com")
        space.export_clone("notes:1", tmp_path / "good.clone")
    return tmp_path / "good.clone"


def _refused(home: Path, archive: Path, *args: str) -> str:
    """Import ``archive`` into ``home``: exit 2, one line, registry and store unchanged."""
    before = state(home)
    error = one_error(clone_in(home, "import", archive, *args))
    assert state(home) == before
    assert not list(home.rglob(".import-*"))
    return error


def _evil_planted(tmp_path: Path) -> list[Path]:
    return [
        p for p in (tmp_path / "evil", tmp_path.parent / "evil", Path("/tmp/evil")) if p.exists()
    ]


def test_the_good_archive_imports(home: Path, good: Path) -> None:
    """The control: the archive the hostile ones are made from is fine."""
    ok(clone_in(home, "import", good))
    assert (
        home / "store" / "host" / "notes" / "1" / "data" / "1" / "login"
    ).read_text() == "user1\n"


# -- not an export -------------------------------------------------------------------------


def _zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(MANIFEST, "{}")


def _cut(end: int) -> Callable[[Path, Path], object]:
    return lambda p, good: p.write_bytes(good.read_bytes()[:end])


BAD_FILES: dict[str, tuple[Callable[[Path, Path], object], str]] = {
    "missing": (lambda p, good: None, "no file"),
    "a directory": (lambda p, good: p.mkdir(), "is a directory"),
    "empty": (lambda p, good: p.write_bytes(b""), "not a clonespace export"),
    "text": (lambda p, good: p.write_text("hello\n" * 100), "not a clonespace export"),
    "a zip": (lambda p, good: _zip(p), "not a clonespace export"),
    "gzip of text": (lambda p, good: p.write_bytes(gzip.compress(b"x" * 5000)), "damaged"),
    "plain tar": (lambda p, good: p.write_bytes(gzip.decompress(good.read_bytes())), "not a"),
    "cut in half": (_cut(400), "truncated"),
    "last byte cut": (_cut(-1), "truncated"),
    "gzip trailer cut": (_cut(-8), "truncated"),
    "crc flipped": (lambda p, good: p.write_bytes(_flip(good.read_bytes(), -6)), "CRC check"),
}


def _flip(data: bytes, at: int) -> bytes:
    b = bytearray(data)
    b[at] ^= 0xFF
    return bytes(b)


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_what_is_not_an_intact_export_is_refused(
    home: Path, good: Path, tmp_path: Path, case: str
) -> None:
    make, says = BAD_FILES[case]
    bad = tmp_path / "bad.clone"
    make(bad, good)
    assert says in _refused(home, bad)


def test_a_bad_archive_does_not_even_create_a_fresh_home(tmp_path: Path, good: Path) -> None:
    fresh = tmp_path / "fresh"
    bad = tmp_path / "bad.clone"
    bad.write_bytes(good.read_bytes()[:-100])
    one_error(clone_in(fresh, "import", bad))
    assert not fresh.exists()


# -- the manifest --------------------------------------------------------------------------


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(m: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for key in parents:
            m = m[key]
        m[last] = value

    return change


def _drop(path: str) -> Callable[[dict[str, Any]], None]:
    def change(m: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for key in parents:
            m = m[key]
        del m[last]

    return change


ACCOUNT = {"type": "com.google", "name": "x@example.com", "data": {}}
MANIFESTS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "newer version": (_set("version", 3), "newer clonespace; this one reads format 2; upgrade"),
    "key in format 1": (_set("version", 1), "unknown fields 'signing_key'"),
    "key of a host clone": (_set("signing_key", "x"), "a host clone has no signing_key"),
    "version as text": (_set("version", "1"), "unknown format version '1'"),
    "version missing": (_drop("version"), "unknown format version None"),
    "other format": (_set("format", "tarball"), "not a clonespace-export manifest"),
    "missing field": (_drop("accounts"), "the manifest lacks accounts"),
    "unknown field": (_set("extra", 1), "unknown fields 'extra'"),
    "bad IMEI": (_set("identity.imei", "490154203237519"), "bad identity: bad IMEI"),
    "identity number": (_set("identity.imei", 490154203237518), "identity.imei"),
    "unknown identity field": (_set("identity.shoe_size", "9"), "'shoe_size'"),
    "bad app name": (_set("clone.app", "../etc"), "bad app name '../etc'"),
    "index zero": (_set("clone.index", 0), "bad clone.index 0"),
    "index true": (_set("clone.index", True), "bad clone.index True"),
    "unknown backend": (_set("clone.backend", "cloud"), "unknown backend 'cloud'"),
    "relative data path": (_set("clone.meta.data", ["rel/dir", "/b"]), "'rel/dir'"),
    "no data paths": (_set("clone.meta", {}), "clone.meta.data"),
    "bad account type": (_set("accounts", [{**ACCOUNT, "type": "a b"}]), "bad account type"),
    "bad account name": (_set("accounts", [{**ACCOUNT, "name": "\n"}]), "bad account name"),
    "account twice": (_set("accounts", [ACCOUNT, ACCOUNT]), "one account twice"),
    "account fields": (_set("accounts", [{**ACCOUNT, "x": 1}]), "unknown fields 'x'"),
    "app data flag": (_set("app_data_included", False), "app_data_included is False"),
    "host with package": (_set("clone.package", "com.notes.x"), "must have no clone.package"),
    "package without package": (_set("clone.backend", "package"), "needs clone.package"),
    "created NaN": (_set("clone.created", float("nan")), "bad clone.created nan"),
    "bad time": (_set("exported_at", "yesterday"), "bad exported_at"),
}  # fmt: skip


def test_a_format_1_archive_still_imports(home: Path, good: Path, tmp_path: Path) -> None:
    """Archives written before keys travelled (format 1: no signing_key field)."""
    manifest = copy.deepcopy(manifest_of(good))
    assert manifest["version"] == 2 and manifest["signing_key"] is None
    manifest["version"] = 1
    del manifest["signing_key"]
    old = repack(good, tmp_path / "old.clone", manifest=manifest)
    done = ok(clone_in(home, "import", old, "--json"))
    assert json.loads(done.stdout)["name"] == "notes:1"


@pytest.mark.parametrize("case", list(MANIFESTS))
def test_a_bad_manifest_is_refused(home: Path, good: Path, tmp_path: Path, case: str) -> None:
    change, says = MANIFESTS[case]
    manifest = copy.deepcopy(manifest_of(good))
    change(manifest)
    bad = repack(good, tmp_path / "bad.clone", manifest=manifest)
    assert says in _refused(home, bad)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"{not json", "its manifest is not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "its manifest is not JSON"),
        (b"\xff\xfe", "its manifest is not JSON"),
        (b"[]", "the manifest must be a JSON object"),
    ],
)
def test_a_manifest_that_is_not_json_is_refused(
    home: Path, good: Path, tmp_path: Path, body: bytes, says: str
) -> None:
    assert says in _refused(home, repack(good, tmp_path / "bad.clone", manifest=body))


def test_a_missing_or_late_manifest_is_refused(home: Path, good: Path, tmp_path: Path) -> None:
    entries = [(info, data) for _, data, info in members(good)]
    only_store = write_tar(tmp_path / "a.clone", entries[1:])
    assert f"does not start with {MANIFEST}" in _refused(home, only_store)
    late = write_tar(tmp_path / "b.clone", [*entries[1:], entries[0]])
    assert f"does not start with {MANIFEST}" in _refused(home, late)
    twice = write_tar(tmp_path / "c.clone", [*entries, entries[0]])
    assert f"member '{MANIFEST}' is not part of a clone export" in _refused(home, twice)


def test_a_huge_manifest_is_refused_unread(home: Path, good: Path, tmp_path: Path) -> None:
    body = b" " * (transfer_archive.MAX_MANIFEST_BYTES + 1)
    assert "is over 1048576 bytes" in _refused(home, repack(good, tmp_path / "b", manifest=body))


# -- hostile members -----------------------------------------------------------------------


def _link(name: str, kind: bytes, target: str = "") -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    if kind in (tarfile.CHRTYPE, tarfile.BLKTYPE):
        info.devmajor, info.devminor = 1, 3
    return info, None


HOSTILE: dict[str, tuple[list[tuple[tarfile.TarInfo, bytes | None]], str]] = {
    "dotdot": ([file_info("../evil", b"x")], "'../evil' has an empty, '.' or '..' part"),
    "dotdot in store": ([file_info("store/data/0/../../../evil", b"x")], "'..' part"),
    "absolute": ([file_info("/tmp/evil", b"x")], "'/tmp/evil' is an absolute path"),
    "dot": ([file_info("store/./data/0/x", b"x")], "'.' or '..' part"),
    "empty part": ([file_info("store/data//0/x", b"x")], "empty"),
    "symlink": ([_link("store/data/0/evil", tarfile.SYMTYPE, "/etc/passwd")], "is a symbolic link"),
    "symlink dir then file": (
        [_link("store/data/0/d", tarfile.SYMTYPE, "/tmp"), file_info("store/data/0/d/evil", b"x")],
        "is a symbolic link",
    ),
    "hard link": ([_link("store/data/0/evil", tarfile.LNKTYPE, "/etc/passwd")], "is a hard link"),
    "char device": ([_link("store/data/0/evil", tarfile.CHRTYPE)], "is a character device"),
    "block device": ([_link("store/data/0/evil", tarfile.BLKTYPE)], "is a block device"),
    "fifo": ([_link("store/data/0/evil", tarfile.FIFOTYPE)], "is a FIFO"),
    "outside the store": ([file_info("evil", b"x")], "'evil' is not part of a clone export"),
    "store top level": ([file_info("store/evil", b"x")], "not part of a host clone's store"),
    "data index too high": ([file_info("store/data/2/x", b"x")], "for K below 2"),
    "data index padded": ([file_info("store/data/01/x", b"x")], "not part of a host clone's"),
    "file as data dir": ([file_info("store/data/0", b"x")], "not part of a host clone's store"),
    "machine-id as dir": ([dir_info("store/machine-id")], "not part of a host clone's store"),
    "twice": ([file_info("store/data/0/login", b"again")], "holds 'store/data/0/login' twice"),
    "below a file": ([file_info("store/data/0/login/x", b"x")], "lies below a file"),
    "long name": ([file_info("store/data/0/" + "n" * 256, b"x")], "over 255 bytes"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_member_is_refused(home: Path, good: Path, tmp_path: Path, case: str) -> None:
    extra, says = HOSTILE[case]
    bad = repack(good, tmp_path / "bad.clone", extra=extra)
    assert says in _refused(home, bad)
    assert _evil_planted(tmp_path) == []


def test_a_device_clones_archive_holds_no_store(home: Path, tmp_path: Path, good: Path) -> None:
    manifest = manifest_of(good)
    manifest["clone"] |= {"backend": "package", "package": "com.notes.clone1", "meta": {}}
    manifest["clone"] |= {"app": "com.notes", "source_package": "com.notes"}
    manifest["app_data_included"] = False
    bad = repack(good, tmp_path / "bad.clone", manifest=manifest)
    assert "holds a store member 'store'" in _refused(home, bad)


def test_a_huge_declared_size_is_refused_before_reading(
    home: Path, good: Path, tmp_path: Path
) -> None:
    info = tarfile.TarInfo("store/data/0/huge")
    info.size = 5 << 30  # the header says 5 GiB; the data is not there at all
    entries = [(i, d) for _, d, i in members(good)]
    bad = tmp_path / "bad.clone"
    with gzip.open(bad, "wb") as gz:
        for entry, data in entries:
            gz.write(entry.tobuf(tarfile.PAX_FORMAT))
            if data:
                gz.write(data + b"\0" * (-len(data) % 512))
        gz.write(info.tobuf(tarfile.PAX_FORMAT) + b"\0" * 4096)
    assert "more than 4294967296 bytes" in _refused(home, bad)


def test_more_content_than_the_limit_is_refused(
    home: Path, good: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer_archive, "MAX_BYTES", 20)
    extra = [file_info("store/data/1/more", b"x" * 10)]  # 6 + 6 + 10 bytes of files
    assert "more than 20 bytes" in _refused(home, repack(good, tmp_path / "b", extra=extra))


def test_too_many_members_are_refused(
    home: Path, good: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = len(members(good))
    monkeypatch.setattr(transfer_archive, "MAX_MEMBERS", count)
    extra = [dir_info("store/data/0/one-more")]
    error = _refused(home, repack(good, tmp_path / "b", extra=extra))
    assert f"more than {count} members" in error


def test_an_oversized_header_is_cut_off(home: Path, good: Path, tmp_path: Path) -> None:
    """A pax header claiming 64 MiB: refused after about 1 MiB, not read into memory."""
    (manifest_entry, body, _), *_ = [(i, d, n) for n, d, i in members(good)]
    assert body is not None
    pax = tarfile.TarInfo("././@PaxHeader")
    pax.type = tarfile.XHDTYPE
    pax.size = 64 << 20
    bad = tmp_path / "bad.clone"
    with gzip.open(bad, "wb", compresslevel=1) as gz:
        gz.write(manifest_entry.tobuf(tarfile.PAX_FORMAT) + body + b"\0" * (-len(body) % 512))
        gz.write(pax.tobuf(tarfile.USTAR_FORMAT))
        zeros = b"\0" * (1 << 20)
        for _ in range(64):
            gz.write(zeros)
    assert "more data than its members declare" in _refused(home, bad)


def test_trailing_data_after_the_tar_is_cut_off(home: Path, good: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.clone"
    with gzip.open(bad, "wb", compresslevel=1) as gz:
        gz.write(gzip.decompress(good.read_bytes()))
        gz.write(b"\0" * (4 << 20))
    assert "more data than its members declare" in _refused(home, bad)


def test_a_second_gzip_member_is_refused(home: Path, good: Path, tmp_path: Path) -> None:
    """gzip readers take concatenated members as one stream: a second member with a tar
    of its own (here the same export again) must not pass as part of the archive."""
    bad = tmp_path / "bad.clone"
    bad.write_bytes(good.read_bytes() + good.read_bytes())
    assert "trailing data" in _refused(home, bad)
    garbage = tmp_path / "garbage.clone"
    garbage.write_bytes(good.read_bytes() + b"x")
    assert "not a clonespace export" in _refused(home, garbage)  # gzip refuses it already


# -- names ---------------------------------------------------------------------------------


def test_a_taken_name_is_refused_with_a_free_one(home: Path, good: Path) -> None:
    ok(clone_in(home, "import", good))
    error = _refused(home, good)
    assert error == (
        "clone: error: clone notes:1 is already registered here; import it under another "
        "name with --as notes:2"
    )
    assert "--as other:2" in _refused(home, good, "--as", "other:1")


@pytest.mark.parametrize("as_name", ["notes", "notes:0", "no/tes:1", ":1", "notes:x"])
def test_a_bad_as_name_is_refused(home: Path, good: Path, as_name: str) -> None:
    assert "bad --as" in _refused(home, good, "--as", as_name)


def test_data_paths_inside_this_clone_home_are_refused(
    home: Path, good: Path, tmp_path: Path
) -> None:
    manifest = manifest_of(good)
    manifest["clone"]["meta"]["data"] = [str(home / "x"), str(tmp_path / "b")]
    bad = repack(good, tmp_path / "bad.clone", manifest=manifest)
    assert "cannot import notes:1 here" in _refused(home, bad)


def test_with_json_a_refusal_is_a_json_error_on_stdout(home: Path, tmp_path: Path) -> None:
    """--json turns the one error line into one JSON object on stdout, same exit code."""
    bad = tmp_path / "bad.clone"
    bad.write_bytes(b"junk")
    text = one_error(clone_in(home, "import", bad))
    result = clone_in(home, "import", bad, "--json")
    assert result.exit_code == 2 and result.stderr == ""
    doc = json.loads(result.stdout)
    assert doc["schema"] == 1
    error = doc["error"]
    shown = error["message"] + (f"; {error['hint']}" if error["hint"] else "")
    assert text == f"clone: error: {shown}"
