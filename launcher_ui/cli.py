"""``clone ui``: the Kivy launcher over the clones of $CLONE_HOME.

The command belongs to the launcher and is registered with the ``clone`` CLI through the
entry point group ``clonespace.commands`` (pyproject; its row is launcher_ui/command.py), so
``clone`` never imports upward. Kivy is imported only when the window opens, and ``clone``
(its registry, its identity model) only when the command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from clone import Space


def _checked_adb(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from clone import Space

    return Space.check_adb(value)


adb_option = click.option(
    "--adb", "adb", metavar="HOST:PORT", default=None, callback=_checked_adb,
    help="adb server as HOST:PORT (default: $ANDROID_ADB_SERVER_HOST/_PORT or local 5037)",
)  # fmt: skip


def _screenshot_path(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    if value is None:
        return None
    from launcher_ui import parse_screenshot_path

    try:
        return parse_screenshot_path(value)
    except ValueError as e:
        raise click.BadParameter(str(e), ctx, param) from e


@click.command("ui")
@click.option(
    "--screenshot",
    metavar="PNG",
    callback=_screenshot_path,
    help="Render the clones screen once, save it to this .png file and quit.",
)
@click.option(
    "--dump-widgets",
    "dump",
    type=click.Path(dir_okay=False, path_type=Path),
    hidden=True,
    help="With --screenshot: also write the texts of the widgets shown, as JSON (for tests).",
)
@adb_option
@click.pass_obj
def ui_cmd(space: Space, screenshot: Path | None, dump: Path | None, adb: str | None) -> None:
    """Open the launcher: the clones under their app; tap one to launch it, long-press for more.

    Needs a display (a desktop session, or xvfb-run) and Kivy (pip install 'clonespace[ui]').
    """
    if dump is not None and screenshot is None:
        raise click.UsageError("--dump-widgets needs --screenshot")
    from launcher_ui import launch

    launch(space, screenshot, dump=dump, adb=adb)
