"""``clone demo``: a guided run without a phone (see ``clone.demo``)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import click


@click.command("demo")
@click.option(
    "--apk", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Clone this APK (default: uiautomator2's sample APK, fetched once with pip).",
)  # fmt: skip
@click.option("--keep", is_flag=True, help="Keep the demo's directory and print where it is.")
def demo(apk: Path | None, keep: bool) -> None:
    """Build two clones of a real APK and run a Linux app as two isolated host clones."""
    from clone.demo.tour import Tour
    from clone.home import Home

    root = Path(tempfile.mkdtemp(prefix="clonespace-demo-"))
    try:
        for step in Tour(root / "work", apk, Home.from_env().cache_dir / "demo").steps():
            shown = step()
            click.secho(shown.title, bold=True)
            for line in shown.lines:
                click.echo(f"   {line}")
            click.echo()
    finally:
        if keep:
            click.echo(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
