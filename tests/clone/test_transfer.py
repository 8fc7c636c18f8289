"""``clone export`` / ``clone import``: real host clones go out and come back whole.

The slow tests run real programs under the real hooks (``clone host run``, the console
script): what the program wrote is what travels, and after an import a new run finds it,
which shows the store landed where the hooks look.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

import pytest

from clone.errors import BadInput
from clone.registry import Backend, CloneRecord
from clone.space import Space
from clone.state import HostState, PackageState, UserState, VirtualState
from clone.workflows.identity import assign_identity
from tests.clone.transfer_helpers import (
    MANIFEST,
    clone_in,
    host_clone_holding,
    identity_of,
    manifest_of,
    members,
    ok,
    one_error,
    records,
    registry_rows,
    state,
    tree,
)
from tests.hooks.programs import HostRun, host_run

IMEI = "490154203237518"


def _sh(home: Path, data: Path, script: str, *, app: str = "notes", index: int = 1) -> HostRun:
    done = host_run(home, app, index, [data], ["sh", "-c", script])
    assert done.returncode == 0, done.stderr
    return done


def _store(home: Path, index: int = 1, app: str = "notes") -> Path:
    return home / "store" / "host" / app / str(index)


def _facts(home: Path, name: str = "notes:1") -> tuple[Any, ...]:
    """What scripts see of a clone (identity, accounts) and its registry rows by name."""
    identity = json.loads(ok(clone_in(home, "identity", "show", name, "--json")).stdout)
    accounts = json.loads(ok(clone_in(home, "accounts", "list", name, "--json")).stdout)
    return identity, accounts, registry_rows(home, ids=False)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "notes-data"
    path.mkdir()
    return path


@pytest.mark.slow
def test_a_host_clone_run_for_real_comes_back_whole(tmp_path: Path, data: Path) -> None:
    home, fresh = tmp_path / "home", tmp_path / "fresh-home"
    login = data / "login"
    _sh(home, data, f"echo alice > {login} && mkdir {data}/cache && printf x > {data}/cache/b")
    assert not login.exists()  # the hooks wrote it into the clone's store
    ok(clone_in(home, "identity", "set", "notes:1", "imei", IMEI))
    ok(clone_in(home, "accounts", "add", "notes:1", "com.google", "alice@example.com"))
    before, files = _facts(home), tree(_store(home))
    assert files["data/0/login"][2] == b"alice\n"

    archive = tmp_path / "notes1.clone"
    exported = json.loads(ok(clone_in(home, "export", "notes:1", archive, "--json")).stdout)
    assert (exported["files"], exported["app_data_included"]) == (3, True)  # login, b, machine-id
    ok(clone_in(home, "remove", "--yes", "notes:1"))
    assert not _store(home).exists() and registry_rows(home) == [[], [], []]

    for target in (home, fresh):
        done = ok(clone_in(target, "import", archive))
        assert done.stderr == ""
        assert _facts(target) == before
        assert before[0]["imei"] == IMEI and before[1] == [
            {"schema": 1, "type": "com.google", "name": "alice@example.com"}
        ]
        assert tree(_store(target)) == files
        assert _sh(target, data, f"cat {login}").stdout == "alice\n"
    assert not login.exists()


@pytest.mark.slow
def test_a_copy_beside_the_original_gets_its_own_store(tmp_path: Path, data: Path) -> None:
    home = tmp_path / "home"
    _sh(home, data, f"echo alice > {data}/login")
    archive = tmp_path / "notes1.clone"
    ok(clone_in(home, "export", "notes:1", archive))

    taken = one_error(clone_in(home, "import", archive))
    assert "notes:1 is already registered" in taken and "--as notes:2" in taken

    done = ok(clone_in(home, "import", archive, "--as", "notes:2", "--json"))
    result = json.loads(done.stdout)
    assert (result["name"], result["imported_from"]) == ("notes:2", "notes:1")
    assert result["store"] == str(_store(home, 2))
    (warning,) = done.stderr.strip().splitlines()
    assert warning.startswith("clone: warning: notes:2 has the same identity as notes:1")
    assert "clone identity regen notes:2" in warning

    _sh(home, data, f"echo bob > {data}/login", index=2)  # the copy writes its own store
    assert _sh(home, data, f"cat {data}/login", index=2).stdout == "bob\n"
    assert _sh(home, data, f"cat {data}/login", index=1).stdout == "alice\n"


@pytest.mark.slow
def test_data_paths_that_do_not_exist_here_still_work(tmp_path: Path) -> None:
    home, fresh = tmp_path / "home", tmp_path / "fresh-home"
    gone = tmp_path / "elsewhere" / "notes"  # exists only inside the clone
    _sh(home, gone, f"echo bob > {gone}/login")
    assert not (tmp_path / "elsewhere").exists()
    archive = tmp_path / "n.clone"
    ok(clone_in(home, "export", "notes:1", archive))

    done = ok(clone_in(fresh, "import", archive))
    (note,) = done.stderr.strip().splitlines()
    assert note.startswith("clone: warning: --data path ") and str(gone) in note
    assert "does not exist on this machine" in note
    assert _sh(fresh, gone, f"cat {gone}/login").stdout == "bob\n"


def test_files_modes_times_and_empty_dirs_travel(tmp_path: Path) -> None:
    """Through the Python API: a store with nested, binary, executable and empty parts."""
    one, two = tmp_path / "one", tmp_path / "two"
    paths = [tmp_path / "a", tmp_path / "b"]
    with Space(one) as space:
        h = space.host_clone("notes", 4, data=paths)
        (h.store / "data" / "0" / "deep" / "er").mkdir(parents=True)
        (h.store / "data" / "0" / "deep" / "er" / "bin").write_bytes(bytes(range(256)) * 99)
        (h.store / "data" / "1" / "empty").mkdir(parents=True)
        tool = h.store / "data" / "1" / "tool.sh"
        tool.write_text("#!/bin/sh\n")
        tool.chmod(0o750)
        os.utime(tool, (1_600_000_000, 1_600_000_000))
        (h.store / "machine-id").write_text("0" * 32 + "\n")
        space.regen_identity("notes:4", seed=7)
        result = space.export_clone("notes:4", tmp_path / "x.clone")
    assert (result.name, result.backend, result.files) == ("notes:4", Backend.HOST, 3)
    assert result.bytes == 256 * 99 + len("#!/bin/sh\n") + 33
    with Space(two) as space:
        imported = space.import_clone(tmp_path / "x.clone")
        assert imported.record.state == HostState(tuple(str(p) for p in paths))
        assert imported.store == _store(two, 4)
        assert space.identity("notes:4") == identity_of(one, "notes:4")
    assert tree(_store(two, 4)) == tree(_store(one, 4))
    assert tree(_store(two, 4))["data/1/tool.sh"][1::2] == (0o750, 1_600_000_000)


def test_as_may_rename_a_host_clone_to_another_app(tmp_path: Path) -> None:
    with Space(tmp_path / "home") as space:
        space.host_clone("notes", 1, data=[tmp_path / "d"])
        space.export_clone("notes:1", tmp_path / "n.clone")
        result = space.import_clone(tmp_path / "n.clone", as_name="memo:3")
        record = space.record("memo:3")
        assert (record.app, record.index, record.source_package) == ("memo", 3, "memo")
        assert result.store == _store(tmp_path / "home", 3, "memo") and result.store.is_dir()
        with pytest.raises(BadInput, match="bad --as"):
            space.import_clone(tmp_path / "n.clone", as_name="memo")


def test_export_json_and_archive_layout(tmp_path: Path, data: Path) -> None:
    home = tmp_path / "home"
    host_clone_holding(home, "notes:1", [data], {"data/0/login": "alice\n"})
    archive = tmp_path / "out" / "n.clone"
    archive.parent.mkdir()
    result = json.loads(ok(clone_in(home, "export", "notes:1", archive, "--json")).stdout)
    assert set(result) == {
        "schema", "clone", "backend", "file", "size", "sha256", "format_version",
        "app_data_included", "signing_key_included", "files", "bytes", "warnings",
    }  # fmt: skip
    assert result["file"] == str(archive) and result["size"] == archive.stat().st_size
    assert (result["clone"], result["backend"], result["format_version"]) == ("notes:1", "host", 2)
    assert result["signing_key_included"] is False  # a host clone signs nothing
    assert (result["files"], result["bytes"], result["warnings"]) == (1, 6, [])
    assert len(result["sha256"]) == 64
    assert archive.stat().st_mode & 0o777 == 0o600
    names = [name for name, _, _ in members(archive)]
    assert names == [MANIFEST, "store", "store/data", "store/data/0", "store/data/0/login"]
    manifest = manifest_of(archive)
    assert (manifest["format"], manifest["version"]) == ("clonespace-export", 2)
    assert manifest["clone"]["meta"] == {"data": [str(data)]}
    assert manifest["clonespace_version"] == "0.1.0"
    assert os.listdir(archive.parent) == ["n.clone"]  # no temporary file left

    text = ok(clone_in(home, "export", "notes:1", tmp_path / "t.clone"))
    assert text.stdout.startswith(f"exported notes:1 to {tmp_path / 't.clone'} (host, 1 files")


def test_import_json_shape(tmp_path: Path) -> None:
    with Space(tmp_path / "one") as space:
        space.host_clone("notes", 2, data=[tmp_path / "d"])
        space.export_clone("notes:2", tmp_path / "n.clone")
    result = json.loads(
        ok(clone_in(tmp_path / "two", "import", tmp_path / "n.clone", "--json")).stdout
    )
    assert result == {
        "schema": 1, "name": "notes:2", "app": "notes", "index": 2, "backend": "host",
        "package": None, "device": None, "imported_from": "notes:2",
        "file": str(tmp_path / "n.clone"),
        "app_data_included": True, "store": str(_store(tmp_path / "two", 2)),
        "signing_key": None, "files": 0, "bytes": 0,
        "warnings": [
            f"--data path {tmp_path / 'd'} of notes:2 does not exist on this machine; that is "
            "fine, the program sees it through the clone's store"
        ],
    }  # fmt: skip
    listed = json.loads(ok(clone_in(tmp_path / "two", "list", "--json")).stdout)
    assert [c["name"] for c in listed] == ["notes:2"]


def test_an_existing_file_is_kept_unless_force(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Space(home) as space:
        space.host_clone("notes", 1, data=[tmp_path / "d"])
    archive = tmp_path / "n.clone"
    archive.write_text("precious")
    error = one_error(clone_in(home, "export", "notes:1", archive))
    assert str(archive) in error and "exists" in error and "--force" in error
    assert archive.read_text() == "precious"

    ok(clone_in(home, "export", "notes:1", archive, "--force"))
    assert manifest_of(archive)["clone"]["app"] == "notes"
    assert sorted(os.listdir(tmp_path)) == ["home", "n.clone"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("notes:9", "{tmp}/x.clone"), "no clone named 'notes:9'"),
        (("notes:1", "{tmp}/no/such/dir/x.clone"), "does not exist"),
        (("notes:1", "{tmp}"), "is a directory"),
        (("notes:0", "{tmp}/x.clone"), "bad clone name"),
        (("notes:1", "{tmp}/home/store/host/notes/1/x.clone"), "inside notes:1's own store"),
    ],
)
def test_bad_export_arguments_are_exit_2(tmp_path: Path, args: tuple[str, str], says: str) -> None:
    home = tmp_path / "home"
    with Space(home) as space:
        space.host_clone("notes", 1, data=[tmp_path / "d"])
    before = sorted(os.listdir(tmp_path))
    error = one_error(clone_in(home, "export", *(a.format(tmp=tmp_path) for a in args)))
    assert says in error
    assert sorted(os.listdir(tmp_path)) == before


def test_a_symlink_in_the_store_stops_the_export(tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = host_clone_holding(home, "notes:1", [tmp_path / "d"], {})
    (store / "data" / "0").mkdir(parents=True)
    (store / "data" / "0" / "link").symlink_to("/etc/passwd")
    error = one_error(clone_in(home, "export", "notes:1", tmp_path / "x.clone"), code=1)
    assert "data/0/link" in error and "symbolic link" in error
    assert not (tmp_path / "x.clone").exists()
    assert [p for p in os.listdir(tmp_path) if p.endswith(".part")] == []


@pytest.mark.parametrize("failure", [errno.ENOSPC, errno.EACCES])
def test_a_failed_write_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: int
) -> None:
    home = tmp_path / "home"
    with Space(home) as space:
        space.host_clone("notes", 1, data=[tmp_path / "d"])

    def fail(fd: int) -> None:
        raise OSError(failure, os.strerror(failure))

    monkeypatch.setattr(os, "fsync", fail)
    error = one_error(clone_in(home, "export", "notes:1", tmp_path / "x.clone"), code=1)
    assert os.strerror(failure) in error
    assert sorted(os.listdir(tmp_path)) == ["home"]


def test_a_failed_import_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    with Space(one) as space:
        h = space.host_clone("notes", 1, data=[tmp_path / "d"])
        (h.store / "machine-id").write_text("1" * 32 + "\n")
        space.export_clone("notes:1", tmp_path / "n.clone")
    with Space(two) as space:
        space.host_clone("other", 1, data=[tmp_path / "d"])
    before = state(two)

    def no_space(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "rename", no_space)
    error = one_error(clone_in(two, "import", tmp_path / "n.clone"), code=1)
    assert "No space left on device" in error and "nothing was imported" in error
    assert state(two) == before


# -- device clones: the record travels, the app data stays on the phone ---------------------

DEVICE_CLONES = {
    Backend.PACKAGE: CloneRecord(
        "com.example", 2, Backend.PACKAGE, "com.example", "com.example.clone2", "emulator-5554",
        state=PackageState(launcher="com.example.clone2/com.example.Main", hooks={"mode": "none"}),
    ),
    Backend.USER: CloneRecord(
        "com.example", 3, Backend.USER, "com.example", "com.example", "R58M12345",
        state=UserState(11, installed_source=True),
    ),
    Backend.VIRTUAL: CloneRecord(
        "com.example", 4, Backend.VIRTUAL, "com.example", "com.example", "emulator-5556",
        state=VirtualState("app_clonespace/4", installed_source=False),
    ),
}  # fmt: skip


def _register(home: Path, record: CloneRecord) -> None:
    with Space(home) as space, space.registry.transaction():
        space.registry.add(record)
        assign_identity(space.registry, record, seed=record.index)
        space.registry.add_account(record.name, "com.google", "bob@example.com", {"token": 1})


@pytest.mark.parametrize("backend", list(DEVICE_CLONES))
def test_a_device_clones_record_identity_and_accounts_travel(
    tmp_path: Path, backend: Backend
) -> None:
    record = DEVICE_CLONES[backend]
    one, two = tmp_path / "one", tmp_path / "two"
    _register(one, record)
    archive = tmp_path / "d.clone"
    done = ok(clone_in(one, "export", record.name, archive, "--json"))
    (warning,) = done.stderr.strip().splitlines()
    assert warning.startswith(f"clone: warning: {record.name} is a {backend.value} clone")
    assert f"app data lives on the phone (device {record.device})" in warning
    assert "not in the archive" in warning
    result = json.loads(done.stdout)
    assert (result["app_data_included"], result["files"]) == (False, 0)
    assert result["warnings"] == [warning.removeprefix("clone: warning: ")]
    assert [name for name, _, _ in members(archive)] == [MANIFEST]

    imported = ok(clone_in(two, "import", archive, "--json"))
    assert "app data lives on the phone" in imported.stderr
    assert json.loads(imported.stdout)["app_data_included"] is False
    assert json.loads(imported.stdout)["store"] is None
    assert registry_rows(two, ids=False) == registry_rows(one, ids=False)
    assert _facts(two, record.name) == _facts(one, record.name)
    assert not (two / "store" / "host").exists()

    again = one_error(clone_in(two, "import", archive, "--as", f"com.example:{record.index + 10}"))
    if backend is Backend.USER:  # the same Android user on the same phone: already here
        assert f"already registered here as {record.name}" in again
    else:
        assert "--as cannot change its number" in again


@pytest.mark.parametrize(
    ("backend", "as_name", "expect"),
    [
        (Backend.PACKAGE, "com.example:2", "com.example:2"),
        (
            Backend.PACKAGE,
            "com.example:5",
            "its number is part of its installed package com.example.clone2",
        ),
        (Backend.PACKAGE, "com.other:2", "--as cannot change it"),
        (Backend.USER, "com.example:7", "com.example:7"),
        (Backend.USER, "com.other:3", "use --as com.example:N"),
        (Backend.VIRTUAL, "com.example:5", "storage root 4"),
    ],
)
def test_as_for_device_clones(tmp_path: Path, backend: Backend, as_name: str, expect: str) -> None:
    record = DEVICE_CLONES[backend]
    _register(tmp_path / "one", record)
    ok(clone_in(tmp_path / "one", "export", record.name, tmp_path / "d.clone"))
    done = clone_in(tmp_path / "two", "import", tmp_path / "d.clone", "--as", as_name)
    if ":" in expect and " " not in expect:
        ok(done)
        (moved,) = records(tmp_path / "two")
        assert moved.name == expect
        assert (moved.package, moved.device, moved.state) == (
            record.package, record.device, record.state,
        )  # fmt: skip
    else:
        assert expect in one_error(done)
        assert registry_rows(tmp_path / "two") is None  # not even a registry was made


@pytest.mark.parametrize("backend", [Backend.PACKAGE, Backend.VIRTUAL])
def test_a_taken_name_of_a_package_clone_points_to_another_home(
    tmp_path: Path, backend: Backend
) -> None:
    record = DEVICE_CLONES[backend]
    one, two = tmp_path / "one", tmp_path / "two"
    _register(one, record)
    ok(clone_in(one, "export", record.name, tmp_path / "d.clone"))
    other_phone = CloneRecord(
        record.app,
        record.index,
        backend,
        record.source_package,
        record.package,
        "phone-2",
        state=record.state,
    )
    _register(two, other_phone)
    before = state(two)
    error = one_error(clone_in(two, "import", tmp_path / "d.clone"))
    assert f"clone {record.name} is already registered here" in error
    assert "keeps its name" in error and "another CLONE_HOME" in error
    assert state(two) == before


def test_what_is_not_the_clones_data_is_left_out_and_named(tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = host_clone_holding(home, "notes:1", [tmp_path / "d"], {"data/0/login": "alice\n"})
    (store / "data" / "3").mkdir()  # no --data path 3: not the clone's
    (store / "machine-id.tmp").write_text("left by a crash\n")
    done = ok(clone_in(home, "export", "notes:1", tmp_path / "n.clone"))
    assert done.stderr.strip().splitlines() == [
        f"clone: warning: left out {_store(home) / 'data/3'}: not part of notes:1's data",
        f"clone: warning: left out {_store(home) / 'machine-id.tmp'}: not part of notes:1's data",
    ]
    names = [name for name, _, _ in members(tmp_path / "n.clone")]
    assert names == [MANIFEST, "store", "store/data", "store/data/0", "store/data/0/login"]
    ok(clone_in(tmp_path / "fresh", "import", tmp_path / "n.clone"))
