"""``clone identity show|regen|set`` and ``clone accounts list|add|remove``."""

from __future__ import annotations

import click

from clone.cli import SuggestingGroup
from clone.cli.names import complete_clone_names
from clone.cli.output import emit_json
from clone.space import Space
from identity import Identity


def _show(ident: Identity, as_json: bool) -> None:
    data = ident.to_dict()
    if as_json:
        emit_json(data)
        return
    width = max(len(k) for k in data)
    for key, value in data.items():
        click.echo(f"{key:<{width}}  {value}")


@click.group("identity", cls=SuggestingGroup)
def identity_group() -> None:
    """Show or change the device identity a clone answers with."""


@identity_group.command("show")
@click.argument("clone_name", metavar="CLONE", shell_complete=complete_clone_names)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def show(space: Space, clone_name: str, as_json: bool) -> None:
    """Show the identity of CLONE (APP:N or package name)."""
    _show(space.identity(clone_name), as_json)


@identity_group.command("regen")
@click.argument("clone_name", metavar="CLONE", shell_complete=complete_clone_names)
@click.option("--seed", type=click.IntRange(min=0), help="Same seed, same identity.")
@click.option("--json", "as_json", is_flag=True, help="Print the new identity as JSON.")
@click.pass_obj
def regen(space: Space, clone_name: str, seed: int | None, as_json: bool) -> None:
    """Draw a new identity for CLONE."""
    _show(space.regen_identity(clone_name, seed), as_json)


@identity_group.command("set")
@click.argument("clone_name", metavar="CLONE", shell_complete=complete_clone_names)
@click.argument("field")
@click.argument("value")
@click.option("--json", "as_json", is_flag=True, help="Print the changed identity as JSON.")
@click.pass_obj
def set_field(space: Space, clone_name: str, field: str, value: str, as_json: bool) -> None:
    """Set one FIELD of CLONE's identity to VALUE (validated, e.g. IMEI Luhn).

    FIELD is one of the names 'clone identity show' lists, or 'profile' with a real device
    profile (pixel_7, pixel_6, pixel_5, galaxy_s21, galaxy_a52, oneplus_9, redmi_note_10,
    moto_g_power) to set all build fields at once. A bad value changes nothing (exit 2).
    """
    ident = space.set_identity(clone_name, field, value)
    if as_json:
        emit_json(ident.to_dict())
    else:
        shown = ident.model if field == "profile" else getattr(ident, field)
        click.echo(f"{clone_name}: {field} = {shown}")


@click.group("accounts", cls=SuggestingGroup)
def accounts_group() -> None:
    """The accounts a clone's apps see (AccountManager)."""


@accounts_group.command("list")
@click.argument("clone_name", metavar="CLONE", shell_complete=complete_clone_names)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_obj
def list_(space: Space, clone_name: str, as_json: bool) -> None:
    """List CLONE's accounts."""
    accounts = space.accounts(clone_name)
    if as_json:
        emit_json([a.to_dict() for a in accounts])
        return
    for account in accounts:
        click.echo(f"{account.type}\t{account.name}")


@accounts_group.command("add")
@click.argument("clone_name", metavar="CLONE", shell_complete=complete_clone_names)
@click.argument("type_", metavar="TYPE")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the added account as JSON.")
@click.pass_obj
def add(space: Space, clone_name: str, type_: str, name: str, as_json: bool) -> None:
    """Add the account NAME of TYPE (e.g. com.google) to CLONE."""
    account = space.add_account(clone_name, type_, name)
    if as_json:
        emit_json({"action": "added", "clone": clone_name, "account": account.to_dict()})
        return
    click.echo(f"added the {account.type} account {account.name} to {clone_name}")


@accounts_group.command("remove")
@click.argument("clone_name", metavar="CLONE", shell_complete=complete_clone_names)
@click.argument("type_", metavar="TYPE")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print what was removed as JSON.")
@click.pass_obj
def remove(space: Space, clone_name: str, type_: str, name: str, as_json: bool) -> None:
    """Remove the account NAME of TYPE from CLONE."""
    space.remove_account(clone_name, type_, name)
    if as_json:
        account = {"type": type_, "name": name}
        emit_json({"action": "removed", "clone": clone_name, "account": account})
        return
    click.echo(f"removed the {type_} account {name} from {clone_name}")
