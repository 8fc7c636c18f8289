"""``clone list``: the registered clones and their state, in a module of its own so that
the command run most loads no other command's (host clones need no device). An empty
registry is listed without click, by clone/cli/quick_list.py, when the arguments allow."""

from __future__ import annotations

import click

from clone.cli.options import adb_option
from clone.cli.output import emit_json, table
from clone.cli.quick_list import nothing_listed
from clone.space import Space


@click.command("list")
@adb_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def list_cmd(space: Space, adb: str | None, as_json: bool) -> None:
    """List the registered clones with their state on the device."""
    rows = space.list_clones(adb)
    if as_json:
        emit_json([r.to_json() for r in rows])
        return
    if not rows:  # what clone/cli/quick_list.py gives without click
        click.echo(nothing_listed(space.home), err=True)
        return
    headers = ("CLONE", "BACKEND", "PACKAGE", "DEVICE", "STATE", "PIDS")
    click.echo(
        table(
            headers,
            (
                (r.record.name, r.record.backend, r.record.package or "-",
                 r.record.device or "-", r.state, ",".join(map(str, r.pids)) or "-")
                for r in rows
            ),
        )
    )  # fmt: skip
