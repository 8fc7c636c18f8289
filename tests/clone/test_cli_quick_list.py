"""``clone list`` on an empty registry is answered without click (clone/cli/quick_list.py):
for every argument list, state of ``$CLONE_HOME`` and kind of output stream below, the
``clone`` script prints, exits and leaves on disk what the click group run directly does,
and it is answered without click exactly where the table says so."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pytest

from clone.cli import main, quick_list
from clone.cli.group import cli
from clone.registry import Backend, CloneRecord, Registry
from clone.space import Space

# the script's entry point; afterwards whether click was loaded is written to argv[1]
_SCRIPT = """
import sys
from clone.cli import main
try:
    main(sys.argv[2:])
finally:
    with open(sys.argv[1], "w") as report:
        report.write(str("click" in sys.modules))
"""
_CLICK = "import sys; from clone.cli.group import cli; cli.main(sys.argv[1:])"


def _fresh(home: Path) -> None:
    """No ``$CLONE_HOME`` at all: the first command creates it."""


def _empty(home: Path) -> None:
    home.mkdir()
    Registry(home / "registry.sqlite").close()


def _demo(home: Path) -> None:
    """An empty registry beside the demo's clones: the note names the demo's home."""
    (home / "demo" / "clone-home").mkdir(parents=True)
    Registry(home / "demo" / "clone-home" / "registry.sqlite").close()


def _host_clone(home: Path) -> None:
    home.mkdir()
    with Registry(home / "registry.sqlite") as registry:
        registry.add(CloneRecord("notes", 1, Backend.HOST, source_package="notes", created=1.0))


def _not_a_database(home: Path) -> None:
    home.mkdir()
    (home / "registry.sqlite").write_bytes(b"this is not an SQLite file, " * 100)


def _newer_schema(home: Path) -> None:
    _empty(home)
    with sqlite3.connect(home / "registry.sqlite") as db:
        db.execute("PRAGMA user_version = 99")


def _home_is_a_file(home: Path) -> None:
    home.write_text("")


End = tuple[int, str, str, list[tuple[str, int]]]  # exit code, stdout, stderr, files left


def _run(argv: list[str], home: Path, env: dict[str, str]) -> End:
    done = subprocess.run(argv, env={**env, "CLONE_HOME": str(home)}, capture_output=True)
    left = sorted(
        (str(p.relative_to(home)), stat.S_IMODE(p.stat().st_mode)) for p in home.rglob("*")
    ) if home.is_dir() else []  # fmt: skip
    return done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8"), left


def _both(
    args: list[str], setup: Callable[[Path], None], tmp_path: Path, **env_extra: str
) -> tuple[End, End, bool]:
    """(the script's end, the click group's end, whether the script loaded click), each
    from the same state of the same ``$CLONE_HOME`` path."""
    env = {k: v for k, v in os.environ.items() if k not in ("_CLONE_COMPLETE", "CLONE_HOME")}
    env.update(env_extra)
    home, report = tmp_path / "home", tmp_path / "report"
    ends: list[End] = []
    for argv in (
        [sys.executable, "-c", _SCRIPT, str(report), *args],
        [sys.executable, "-c", _CLICK, *args],
    ):
        if home.is_dir():
            shutil.rmtree(home)
        elif home.exists():
            home.unlink()
        setup(home)
        ends.append(_run(argv, home, env))
    return ends[0], ends[1], report.read_text() == "True"


# (arguments, answered without click on an empty registry)
ARGUMENTS = [
    (["list"], True),
    (["list", "--json"], True),
    (["--debug", "list"], True),
    (["--debug", "--debug", "list", "--json"], True),
    (["list", "--json", "--json"], True),
    (["list", "--adb", "10.0.0.2:5037"], True),
    (["list", "--adb=farm", "--json"], True),
    (["list", "--adb=", "--json"], True),  # click reads "" as the default server
    (["list", "--adb", "[::1]:6000", "--adb", ":5038"], True),
    (["--debug", "list", "--json", "--adb", "localhost"], True),
    (["list", "--adb", "farm:0"], False),  # bad value: click refuses it (exit 2)
    (["list", "--adb", "farm:x", "--json"], False),
    (["list", "--adb", "farm:x", "--adb", "farm"], False),  # click keeps the last one
    (["list", "--adb"], False),
    (["list", "--adb", "--json"], True),  # as click reads it: --adb names a host "--json"
    (["list", "--json=yes"], False),
    (["list", "extra"], False),
    (["list", "--"], False),
    (["list", "--help"], False),
    (["list", "-h"], False),
    (["list", "--debug"], False),
    (["--version", "list"], False),
    (["lis"], False),
    (["host", "list"], False),
]


@pytest.mark.parametrize(("args", "quick"), ARGUMENTS)
def test_every_argument_list_ends_as_the_click_group_ends(
    args: list[str], quick: bool, tmp_path: Path
) -> None:
    script, click, loaded_click = _both(args, _fresh, tmp_path)
    assert script == click
    assert loaded_click is not quick


@pytest.mark.parametrize(
    ("setup", "quick"),
    [
        (_fresh, True),
        (_empty, True),
        (_demo, True),
        (_host_clone, False),
        (_not_a_database, False),
        (_newer_schema, False),
        (_home_is_a_file, False),
    ],
)
@pytest.mark.parametrize("args", [["list"], ["list", "--json"]])
def test_every_state_of_the_home_ends_as_the_click_group_ends(
    setup: Callable[[Path], None], quick: bool, args: list[str], tmp_path: Path
) -> None:
    script, click, loaded_click = _both(args, setup, tmp_path)
    assert script == click
    assert loaded_click is not quick


@pytest.mark.parametrize(
    ("encoding", "quick"),
    [("utf-8", True), ("UTF8", True), ("ascii", False), ("latin-1", False)],
)
@pytest.mark.parametrize("args", [["list"], ["list", "--json"]])
def test_every_stream_encoding_ends_as_the_click_group_ends(
    encoding: str, quick: bool, args: list[str], tmp_path: Path
) -> None:
    """click writes UTF-8 through a stream of its own where the encoding is ASCII, and
    fails (an internal error, exit 1) where it cannot encode the note's ``…``: those are
    its to print."""
    script, click, loaded_click = _both(args, _fresh, tmp_path, PYTHONIOENCODING=encoding)
    assert script == click
    assert loaded_click is not quick


def test_escape_sequences_in_the_note_are_clicks_to_strip(tmp_path: Path) -> None:
    """The note names the demo's home; click strips escape sequences from what it writes to
    a stream that is not a terminal."""
    base = tmp_path / "a\x1b[31mred"
    base.mkdir()
    script, click, loaded_click = _both(["list"], _demo, base)
    assert script == click and "\x1b" not in script[2] and "red" in script[2]
    assert loaded_click


def test_the_notes_are_the_ones_listing_prints(tmp_path: Path) -> None:
    script, _, _ = _both(["list"], _fresh, tmp_path)
    assert script[:3] == (
        0, "", "no clones yet: 'clone install APK', 'clone host run …' or 'clone demo'\n"
    )  # fmt: skip
    script, _, _ = _both(["list"], _demo, tmp_path)
    demo = tmp_path / "home" / "demo" / "clone-home"
    assert script[2] == (
        f"no clones yet here; the demo's are in {demo}: 'CLONE_HOME={demo} clone list' "
        "(or 'clone ui'); make your own with 'clone install APK' or 'clone host run …'\n"
    )


def test_shell_completion_is_clicks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_CLONE_COMPLETE", "bash_complete")
    assert quick_list.answer(["list"]) is None


@pytest.mark.parametrize("args", [["list"], ["list", "--json"]])
def test_ctrl_c_ends_as_it_ends_in_the_click_group(
    args: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Stopped while it asks the registry (the quick path) or while it lists (the click
    command, where click turns Ctrl-C into its Abort): ``aborted`` either way, exit 130."""

    def stop(*args: object) -> NoReturn:
        raise KeyboardInterrupt

    monkeypatch.setenv("CLONE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("_CLONE_COMPLETE", raising=False)
    monkeypatch.setattr(Space, "has_clones", stop)  # what only the quick path asks
    monkeypatch.setattr(Space, "list_clones", stop)  # what only the click command asks
    ends: list[tuple[object, str, str]] = []
    for run in (main, cli.main):
        with pytest.raises(SystemExit) as stopped:
            run(args)
        ends.append((stopped.value.code, *capsys.readouterr()))
    assert ends[0] == ends[1]
    code, out, err = ends[0]
    assert code == 130
    if "--json" in args:
        assert '"code": "aborted"' in out and err == "\n"
    else:
        assert (out, err) == ("", "\nclone: error: aborted\n")


@pytest.mark.parametrize(("args", "closed"), [(["list", "--json"], 1), (["list"], 2)])
def test_with_its_stream_closed_it_ends_as_the_click_group_does(
    args: list[str], closed: int, tmp_path: Path
) -> None:
    """click.echo prints nothing where there is no stream; nor does the quick answer."""
    env = {k: v for k, v in os.environ.items() if k != "_CLONE_COMPLETE"}
    ends: list[tuple[int, bytes, bytes]] = []
    for code in (["-m", "clone"], ["-c", _CLICK]):
        home = tmp_path / f"home{len(ends)}"
        argv = ["sh", "-c", f'"$0" "$@" {closed}>&-', sys.executable, *code, *args]
        done = subprocess.run(argv, env={**env, "CLONE_HOME": str(home)}, capture_output=True)
        ends.append((done.returncode, done.stdout, done.stderr))
    assert ends[0] == ends[1] == (0, b"", b"")
