"""Device commands: install, devices, list, launch, stop, wipe, remove (thin over workflows)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from clone.cli.output import emit_json, progress, table, warn
from clone.space import Space

if TYPE_CHECKING:
    from clone.handle import Clone

_ADB_HELP = "adb server as HOST:PORT (default: $ANDROID_ADB_SERVER_HOST/_PORT or local 5037)"


def _checked_adb(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuses a bad --adb (exit 2) before the command runs, even one that needs no device."""
    if value is not None:
        Space.check_adb(value)
    return value


adb_option = click.option(
    "--adb", "adb", metavar="HOST:PORT", default=None, help=_ADB_HELP, callback=_checked_adb
)


@click.command("install")
@click.argument("apk", type=click.Path(path_type=Path))
@click.option("--count", type=int, default=1, show_default=True, help="How many clones.")
@click.option("--device", "serial", metavar="SERIAL", help="Device serial ($ANDROID_SERIAL).")
@click.option(
    "--backend",
    type=click.Choice(["package", "virtual", "user"]),
    default="package",
    show_default=True,
    help="How the clones are made distinct.",
)
@click.option(
    "--frida-server",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="frida-server binary for --backend virtual (else $CLONE_HOME/cache/frida-server/).",
)
@click.option(
    "--hooks",
    type=click.Choice(["gadget", "none"]),
    default="gadget",
    show_default=True,
    help="package backend: embed the hook payload (Frida Gadget + agent) or not.",
)
@click.option(
    "--gadget-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory of frida-gadget-<version>-android-<arch>.so files.",
)
@click.option(
    "--seed", type=click.IntRange(min=0),
    help="Draw the clones' identities from this seed: the same seed gives clone N the same "
    "identity on every install (default: random).",
)  # fmt: skip
@adb_option
@click.option("--json", "as_json", is_flag=True, help="Print the new clones as JSON.")
@click.pass_obj
def install_cmd(
    space: Space,
    apk: Path,
    count: int,
    serial: str | None,
    backend: str,
    frida_server: Path | None,
    hooks: str,
    gadget_dir: Path | None,
    seed: int | None,
    adb: str | None,
    as_json: bool,
) -> None:
    """Build and install COUNT clones of APK on a device (all or nothing).

    With the package backend and --hooks gadget (the default) each clone carries the Frida
    Gadget, the agent and its own identity (the one 'clone identity show' prints); warnings
    go to stderr as 'clone: warning: …' lines (with --json, into each clone's "hooks").
    """
    with progress("installing clones", max(count, 0)) as advance:
        clones = space.install(
            apk, count=count, device=serial, backend=backend, adb=adb,
            frida_server=frida_server, hooks=hooks, gadget_dir=gadget_dir, seed=seed,
            advance=advance,
        )  # fmt: skip
    if as_json:
        emit_json([c.to_json() | _hooks_json(c) for c in clones])
        return
    warn(_warnings(clones))
    for c in clones:
        click.echo(f"{c.name}\t{c.package}\t{c.record.device}")


def _warnings(clones: list[Clone]) -> list[str]:
    """The build warnings of the new clones, each once (they share one build)."""
    found = (_hooks_json(c).get("hooks", {}).get("warnings", []) for c in clones)
    return list(dict.fromkeys(str(w) for warnings in found for w in warnings))


def _hooks_json(clone: Clone) -> dict[str, Any]:
    """``{"hooks": …}`` of a package clone built with this install (its payload summary)."""
    from clone import PackageState

    state = clone.state
    hooks = state.hooks if isinstance(state, PackageState) else None
    return {"hooks": dict(hooks)} if hooks is not None else {}


@click.command("devices")
@adb_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def devices_cmd(adb: str | None, as_json: bool) -> None:
    """List connected devices: serial, state, model, SDK, ABIs, rooted."""
    found = Space.devices(adb)
    if as_json:
        emit_json([d.to_json() for d in found])
        return
    for d in found:
        root = "rooted" if d.rooted else "-"
        click.echo(f"{d.serial}\t{d.state}\t{d.model}\tsdk {d.sdk}\t{','.join(d.abis)}\t{root}")


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
    if not rows:
        click.echo(
            "no clones yet: 'clone install APK', 'clone host run …' or 'clone demo'", err=True
        )
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


def _clone_command(name: str, verb: str, doc: str) -> click.Command:
    @click.command(name, help=doc)
    @click.argument("clone")
    @adb_option
    @click.pass_obj
    def command(space: Space, clone: str, adb: str | None) -> None:
        handle = space.get(clone, adb=adb)
        getattr(handle, verb)()

    return command


@click.command("launch")
@click.argument("clone")
@adb_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def launch_cmd(space: Space, clone: str, adb: str | None, as_json: bool) -> None:
    """Start CLONE's launcher activity (and say how it was put on screen)."""
    launched = space.get(clone, adb=adb).launch()
    if as_json:
        how = None if launched is None else {"how": launched.how, "text": launched.text}
        emit_json({"clone": clone, "launched": how})
    elif launched is not None:
        click.echo(f"{clone}: {launched.text}")


stop_cmd = _clone_command("stop", "stop", "Force-stop CLONE.")
wipe_cmd = _clone_command("wipe", "wipe", "Clear CLONE's data (the other clones keep theirs).")
remove_cmd = _clone_command("remove", "remove", "Uninstall CLONE and forget it.")
