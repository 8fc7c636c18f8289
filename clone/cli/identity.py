"""``clone identity show|regen|set`` and ``clone accounts list|add|remove``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import click

from clone.cli.group import SuggestingGroup
from clone.cli.names import complete_clone_names
from clone.cli.options import adb_option
from clone.cli.output import emit_json
from clone.space import Space
from identity import Identity

if TYPE_CHECKING:
    from clone import DeviceUpdate


def _show(ident: Identity, as_json: bool, update: DeviceUpdate | None = None) -> None:
    data: dict[str, object] = dict(ident.to_dict())
    if as_json:
        emit_json(data if update is None else {**data, "on_device": update.to_json()})
        return
    width = max(len(k) for k in data)
    for key, value in data.items():
        click.echo(f"{key:<{width}}  {value}")
    if update is not None:
        _say(update)


def _say(update: DeviceUpdate) -> None:
    """What the change did on the phone, one line (nothing for a host clone: no phone)."""
    if update.backend != "host":
        click.echo(f"{update.clone}: {update.message}")


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
@adb_option
@click.pass_obj
def regen(space: Space, clone_name: str, seed: int | None, as_json: bool, adb: str | None) -> None:
    """Draw a new identity for CLONE; a package clone on a phone is reinstalled with it."""
    ident = space.regen_identity(clone_name, seed)
    _show(ident, as_json, space.update_device(clone_name, adb))


@identity_group.command("push")
@click.argument("clone_name", metavar="CLONE")
@click.option("--json", "as_json", is_flag=True, help="Print what happened as JSON.")
@adb_option
@click.pass_obj
def push(space: Space, clone_name: str, as_json: bool, adb: str | None) -> None:
    """Take CLONE's identity and accounts to its phone again (after the phone was away)."""
    update = space.update_device(clone_name, adb)
    if as_json:
        emit_json({"on_device": update.to_json()})
    else:
        _say(update)


@identity_group.command("set")
@click.argument("clone_name", metavar="CLONE", shell_complete=complete_clone_names)
@click.argument("field")
@click.argument("value")
@click.option("--json", "as_json", is_flag=True, help="Print the changed identity as JSON.")
@adb_option
@click.pass_obj
def set_field(
    space: Space, clone_name: str, field: str, value: str, as_json: bool, adb: str | None
) -> None:
    """Set one FIELD of CLONE's identity to VALUE (validated, e.g. IMEI Luhn).

    FIELD is one of the names 'clone identity show' lists, or 'profile' with a real device
    profile (pixel_7, pixel_6, pixel_5, galaxy_s21, galaxy_a52, oneplus_9, redmi_note_10,
    moto_g_power) to set all build fields at once. A bad value changes nothing (exit 2).
    A package clone on a phone is reinstalled with the change, keeping its data.
    """
    ident = space.set_identity(clone_name, field, value)
    update = space.update_device(clone_name, adb)
    if as_json:
        emit_json({**ident.to_dict(), "on_device": update.to_json()})
    else:
        shown = ident.model if field == "profile" else getattr(ident, field)
        click.echo(f"{clone_name}: {field} = {shown}")
        _say(update)


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
@click.option("--json", "as_json", is_flag=True, help="Print what happened as JSON.")
@adb_option
@click.pass_obj
def add(
    space: Space, clone_name: str, type_: str, name: str, as_json: bool, adb: str | None
) -> None:
    """Add the account NAME of TYPE (e.g. com.google) to CLONE (a package clone on a phone
    is reinstalled with it, keeping its data)."""
    account = space.add_account(clone_name, type_, name)
    update = space.update_device(clone_name, adb)
    _account_changed(update, clone_name, "added", account.to_dict(), as_json)


def _account_changed(
    update: DeviceUpdate, clone: str, action: str, account: Mapping[str, str], as_json: bool
) -> None:
    """What an account change did: a line for people (then the phone's), or JSON."""
    if as_json:
        emit_json(
            {"action": action, "clone": clone, "account": dict(account),
             "on_device": update.to_json()}
        )  # fmt: skip
        return
    where = "to" if action == "added" else "from"
    click.echo(f"{action} the {account['type']} account {account['name']} {where} {clone}")
    _say(update)


@accounts_group.command("remove")
@click.argument("clone_name", metavar="CLONE", shell_complete=complete_clone_names)
@click.argument("type_", metavar="TYPE")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print what happened as JSON.")
@adb_option
@click.pass_obj
def remove(
    space: Space, clone_name: str, type_: str, name: str, as_json: bool, adb: str | None
) -> None:
    """Remove the account NAME of TYPE from CLONE (a package clone on a phone is
    reinstalled without it, keeping its data)."""
    space.remove_account(clone_name, type_, name)
    account = {"type": type_, "name": name}
    _account_changed(space.update_device(clone_name, adb), clone_name, "removed", account, as_json)
