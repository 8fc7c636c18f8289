"""The commands other packages add (clone/cli/plugins.py): entry points read from the
installed distributions' metadata as importlib.metadata reads them, without importing it."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

from clone.cli.plugins import GROUP, command_entry_points


def _distribution(folder: Path, dirname: str, entry_points_txt: str) -> None:
    metadata = folder / dirname
    metadata.mkdir(parents=True)
    (metadata / "entry_points.txt").write_text(entry_points_txt)


def test_the_installed_commands_are_importlib_metadatas() -> None:
    expected = {ep.name: ep.value for ep in entry_points(group=GROUP)}
    assert command_entry_points() == expected
    assert expected["ui"] == "launcher_ui.cli:ui_cmd"  # the launcher, installed here


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
