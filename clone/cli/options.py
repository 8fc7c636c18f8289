"""Options several commands share."""

from __future__ import annotations

import click

from clone.space import Space

_ADB_HELP = "adb server as HOST:PORT (default: $ANDROID_ADB_SERVER_HOST/_PORT or local 5037)"


def _checked_adb(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuses a bad --adb (exit 2) before the command runs, even one that needs no device."""
    if value is not None:
        Space.check_adb(value)
    return value


adb_option = click.option(
    "--adb", "adb", metavar="HOST:PORT", default=None, help=_ADB_HELP, callback=_checked_adb
)
