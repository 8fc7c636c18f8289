"""Must-show of issue 10: one ``Clone`` handle for every backend, written only against the
documented Python API (``from clone import Space, Clone``).

The host clone runs real programs under the hook engine; the package clone is installed on
the FAKE adb server of tests/device/fake_adb.py (labelled fake), so its half shows the
handle's bookkeeping, not Android's behaviour.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from clone import Clone, CommandNotFound, NotSupported, Space
from tests.device.fake_adb import FakeAdbServer, FakePhone

SOURCE = "com.github.uiautomator"


def test_a_host_clone_runs_has_an_identity_wipes_and_goes(tmp_path: Path) -> None:
    data = tmp_path / "notes"
    with Space(tmp_path / "home") as space:
        c = space.host_clone("notes", 1, data=[data])
        assert isinstance(c, Clone)
        done = c.run(["sh", "-c", f"echo alice > {data}/login && cat {data}/login"])
        assert (done.returncode, done.stdout) == (0, "alice\n")
        assert (c.store / "data" / "0" / "login").read_text() == "alice\n"
        assert not data.exists()  # the program wrote to the clone's store, not the real path
        ident = c.identity
        assert ident == space.get("notes:1").identity
        c.wipe()
        assert not (c.store / "data").exists()
        assert c.identity == ident  # wipe empties the data, the identity stays
        c.remove()
        assert space.records() == []
        assert not c.store.exists()


def test_a_package_clone_launches_has_an_identity_wipes_and_goes(
    fake_adb: FakeAdbServer, fake_phone: FakePhone, uiautomator_apk: Path, tmp_path: Path
) -> None:
    with Space(tmp_path / "home") as space:
        [c] = space.install(uiautomator_apk, hooks="none")
        assert isinstance(c, Clone)
        assert (c.name, c.package) == (f"{SOURCE}:1", f"{SOURCE}.clone1")
        c.launch()
        assert c.pids() == [fake_phone.pid_of(f"{SOURCE}.clone1")]
        assert c.identity == space.get(c.name).identity
        c.wipe()
        assert ["pm", "clear", f"{SOURCE}.clone1"] in fake_phone.commands
        c.remove()
        assert fake_phone.packages == {}
        assert space.records() == []


def test_what_a_backend_cannot_do_says_which_can(
    fake_adb: FakeAdbServer, uiautomator_apk: Path, tmp_path: Path
) -> None:
    with Space(tmp_path / "home") as space:
        host = space.host_clone("notes", 1, data=[tmp_path / "d"])
        [phone] = space.install(uiautomator_apk, hooks="none")
        with pytest.raises(
            NotSupported,
            match="notes:1 is a host clone: launch works on package, virtual or user clones",
        ) as caught:
            host.launch()
        assert caught.value.exit_code == 2
        with pytest.raises(NotSupported, match="is a package clone: run works on host clones"):
            phone.run(["true"])
        with pytest.raises(NotSupported, match="store works on host clones"):
            _ = phone.store


def test_run_follows_subprocess_run(tmp_path: Path) -> None:
    with Space(tmp_path / "home") as space:
        c = space.host_clone("notes", 1, data=[tmp_path / "d"])
        with pytest.raises(TypeError, match=r"not a string: use run\(\['echo hi'\]\)"):
            c.run("echo hi")
        assert c.run(["cat"], input="fed\n").stdout == "fed\n"
        assert c.run(["pwd"], cwd=tmp_path).stdout == f"{tmp_path}\n"
        assert (
            c.run(["sh", "-c", "echo $X"], env={"X": "y", "PATH": "/usr/bin:/bin"}).stdout == "y\n"
        )
        assert c.run(["sh", "-c", "exit 3"]).returncode == 3
        with pytest.raises(subprocess.CalledProcessError) as failed:
            c.run(["sh", "-c", "exit 3"], check=True)
        assert failed.value.returncode == 3 and failed.value.cmd == ["sh", "-c", "exit 3"]
        with pytest.raises(CommandNotFound, match="command not found: 'no-such-program'"):
            c.run(["no-such-program"])
        with pytest.raises(subprocess.TimeoutExpired):
            c.run(["sleep", "30"], timeout=1)


def test_api_errors_carry_no_cli_advice(tmp_path: Path) -> None:
    """A Python caller gets no "see 'clone … --help'"; the CLI adds it (test_cli_host)."""
    from clone.errors import BadInput

    with Space(home=tmp_path / "home") as space:
        try:
            space.host_clone("notes", 1, data=["relative/path"])
        except BadInput as e:
            assert "clone " not in str(e)
        else:
            raise AssertionError("a relative --data path was accepted")
