"""``clone export CLONE FILE`` and ``clone import FILE`` (thin over workflows.transfer)."""

from __future__ import annotations

from pathlib import Path

import click

from clone.cli.names import complete_clone_names
from clone.cli.output import emit_json, progress, warn
from clone.space import Space


@click.command("export")
@click.argument("clone_name", metavar="CLONE", shell_complete=complete_clone_names)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
@click.pass_obj
def export_cmd(space: Space, clone_name: str, file: Path, force: bool, as_json: bool) -> None:
    """Write CLONE (APP:N or package name) to FILE, one .tar.gz archive.

    It holds the clone's record, identity and accounts and, for a host clone, its whole
    store. A device clone's app data stays on its phone and is not included (a warning
    says so). FILE appears whole or not at all (mode 0600: it holds the identity).
    """
    result = space.export_clone(clone_name, file, force=force, progress=progress)
    warn(result.warnings)
    if as_json:
        emit_json(result.to_json())
        return
    click.echo(
        f"exported {result.name} to {result.path} "
        f"({result.backend.value}, {result.files} files, {result.bytes} bytes)"
    )


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--as",
    "as_name",
    metavar="APP:N",
    help="Register it under this name: any free name for a host clone, another N for a "
    "user-backend clone; package and virtual clones keep theirs.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the imported clone as JSON.")
@click.pass_obj
def import_cmd(space: Space, file: Path, as_name: str | None, as_json: bool) -> None:
    """Register the clone exported in FILE, with its identity, accounts and store.

    The whole archive is checked first; anything wrong changes nothing (exit 2). A taken
    name is refused; --as gives another where the backend allows it.
    """
    result = space.import_clone(file, as_name=as_name, progress=progress)
    warn(result.warnings)
    if as_json:
        emit_json(result.to_json())
        return
    click.echo(
        f"imported {result.name} from {result.path} "
        f"({result.record.backend.value}, {result.files} files, {result.bytes} bytes)"
    )
