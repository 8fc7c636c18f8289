"""``clone demo``: a guided run without a phone (see ``clone.demo``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from clone.cli.output import emit_json


@click.command("demo")
@click.option(
    "--apk", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Clone this APK (default: uiautomator2's sample APK, fetched once with pip).",
)  # fmt: skip
@click.option("--keep", is_flag=True, hidden=True)  # the demo always keeps its clones now
@click.option("--json", "as_json", is_flag=True, help="Print the steps and its home as JSON.")
def demo(apk: Path | None, keep: bool, as_json: bool) -> None:
    """Build two clones of a real APK and run a Linux app as two isolated host clones.

    It works in $CLONE_HOME/demo (your own clones are not touched) and leaves its clones
    there, in a CLONE_HOME of their own that 'clone list' and 'clone ui' show when pointed
    at it; the next 'clone demo' starts afresh.
    """
    from clone.demo.tour import Tour
    from clone.home import Home

    home = Home.from_env()
    root = home.demo_dir
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    shown = []
    for step in Tour(root, apk, home.cache_dir / "demo").steps():
        done = step()
        shown.append({"title": done.title, "lines": list(done.lines)})
        if not as_json:
            click.secho(done.title, bold=True)
            for line in done.lines:
                click.echo(f"   {line}")
            click.echo()
    demo_home = home.demo_home
    if as_json:
        emit_json({"steps": shown, "home": str(demo_home)})
        return
    click.echo(f"The demo's clones stay in {demo_home}; see them with")
    click.echo(f"   CLONE_HOME={demo_home} clone list")
    click.echo(f"   CLONE_HOME={demo_home} clone ui")
