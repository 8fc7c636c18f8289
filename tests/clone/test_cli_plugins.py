"""The commands other packages add (clone/cli/plugins.py): entry points read from the
installed distributions' metadata as importlib.metadata reads them, without importing it."""

from __future__ import annotations

from importlib.metadata import entry_points, version
from pathlib import Path

from clone.cli.plugins import GROUP, command_entry_points, distribution_version


def _distribution(folder: Path, dirname: str, entry_points_txt: str) -> None:
    metadata = folder / dirname
    metadata.mkdir(parents=True)
    (metadata / "entry_points.txt").write_text(entry_points_txt)


def test_the_installed_commands_are_importlib_metadatas() -> None:
    expected = {ep.name: ep.value for ep in entry_points(group=GROUP)}
    assert command_entry_points() == expected
    assert expected["ui"] == "launcher_ui.command:UI"  # the launcher's row, installed here


def test_the_installed_version_is_importlib_metadatas() -> None:
    assert distribution_version("clonespace") == version("clonespace")
    assert distribution_version("Click") == version("click")  # names compare normalized
    assert distribution_version("no-such-distribution") is None


def test_the_version_is_the_first_distributions_on_the_path(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    (first / "tool-2.0.dist-info").mkdir(parents=True)
    (first / "tool-2.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: tool\nVersion: 2.0\n\nVersion: not a header\n"
    )
    (second / "tool.egg-info").mkdir(parents=True)
    (second / "tool.egg-info" / "PKG-INFO").write_text("Name: tool\nVersion: 1.0\n")
    assert distribution_version("tool", [str(first), str(second)]) == "2.0"
    assert distribution_version("tool", [str(second)]) == "1.0"


def test_only_the_group_is_read_and_the_first_distribution_on_the_path_wins(
    tmp_path: Path,
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    _distribution(
        first,
        "extra_tools-1.0.dist-info",
        "[console_scripts]\nnot-a-command = x:y\n\n"
        f"[{GROUP}]\n# a comment\nsnap = extra_tools.cli:snap_cmd [gui]\n",
    )
    _distribution(second, "Extra.Tools-0.9.dist-info", f"[{GROUP}]\nold = extra_tools.old:cmd\n")
    _distribution(second, "other.egg-info", f"[{GROUP}]\nzip = other.cli:zip_cmd\n")
    (second / "broken.dist-info").mkdir()  # no entry_points.txt
    found = command_entry_points(path=[str(first), str(second), str(tmp_path / "missing")])
    assert found == {"snap": "extra_tools.cli:snap_cmd", "zip": "other.cli:zip_cmd"}
