"""Device commands: install, devices, doctor, launch, guard, stop, wipe, remove (thin over
workflows; ``clone list`` is clone/cli/listing.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from clone.cli.names import complete_clone_names
from clone.cli.options import adb_option
from clone.cli.output import SCHEMA, emit_json, progress, table, warn
from clone.errors import BadInput, OperationFailed
from clone.home import DEFAULT_COUNT
from clone.space import Space

if TYPE_CHECKING:
    from clone.handle import Clone
    from hooks.spawn_gate import GatedStart


@click.command("install")
@click.argument("apk", type=click.Path(path_type=Path))
@click.option(
    "--count", "-n", type=int, default=DEFAULT_COUNT, show_default=True,
    help="How many clones.",
)  # fmt: skip
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
    help="Directory of frida-gadget-<version>-android-<arch>.so (or .so.xz) files.",
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
    rows = ((c.name, c.record.backend.value, c.package or "-", c.record.device) for c in clones)
    click.echo(table(("CLONE", "BACKEND", "PACKAGE", "DEVICE"), rows))


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
    if not found:
        click.echo(
            "no device: connect a phone with USB debugging on (or start an emulator) and "
            "accept its prompt; 'adb devices' should list it",
            err=True,
        )
        return
    rows = (
        (
            d.serial,
            d.state,
            d.model or "-",
            d.sdk or "-",
            ",".join(d.abis),
            "yes" if d.rooted else "no",
        )
        for d in found
    )
    click.echo(table(("SERIAL", "STATE", "MODEL", "SDK", "ABIS", "ROOT"), rows))


@click.command("doctor")
@adb_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def doctor_cmd(space: Space, adb: str | None, as_json: bool) -> None:
    """Check each connected device: adb, Android version, ABI, root, frida-server,
    multi-user; say which backends work there and what to do about the others."""
    reports = space.doctor(adb)
    if as_json:
        emit_json([r.to_json() for r in reports])
        return
    for i, report in enumerate(reports):
        info = report.info
        if i:
            click.echo()
        click.echo(f"{info.serial} ({info.model or 'unknown model'}, state {info.state})")
        rows = (
            ("ok" if c.ok else "no", c.name, c.detail + (f"; {c.hint}" if c.hint else ""))
            for c in report.checks
        )
        click.echo(table(("", "CHECK", "DETAIL"), rows))
        usable = [name for name, ok in report.backends.items() if ok]
        click.echo(f"backends: {', '.join(usable) if usable else 'none'}")


def interactive() -> bool:
    """Whether a person can answer a question (stdin and stderr are terminals)."""
    import sys

    return sys.stdin.isatty() and sys.stderr.isatty()


def confirm(verb: str, what: str, yes: bool, as_json: bool) -> None:
    """Asks before a destructive action on a terminal; in a script (no tty, or --json)
    it needs --yes. Refusing is bad input (exit 2), declining at the prompt an abort."""
    if yes:
        return
    if as_json or not interactive():
        raise BadInput(
            f"'{verb}' needs confirmation and there is no terminal to ask on",
            hint=f"pass --yes to {verb} {what} without asking",
        )
    if not click.confirm(f"{verb} {what}?", err=True):
        raise OperationFailed(f"{verb} {what} not confirmed; nothing changed")


_DONE = {"stop": "stopped", "wipe": "wiped", "remove": "removed"}
_DETAIL = {
    "wipe": "its data is cleared, its identity and accounts stay",
    "remove": "uninstalled or its store deleted, and forgotten",
}


def _clone_command(name: str, doc: str, *, destructive: bool = False) -> click.Command:
    @click.command(name, help=doc)
    @click.argument("clone", shell_complete=complete_clone_names)
    @adb_option
    @click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
    @click.pass_obj
    def command(space: Space, /, clone: str, adb: str | None, as_json: bool, **kw: bool) -> None:
        handle = space.get(clone, adb=adb)
        if destructive:
            confirm(name, handle.name, kw["yes"], as_json)
        record = handle.to_json()
        getattr(handle, name)()
        if as_json:
            emit_json({"action": _DONE[name], "clone": record})
            return
        where = f" ({handle.package})" if handle.package else ""
        detail = f": {_DETAIL[name]}" if name in _DETAIL else ""
        click.echo(f"{_DONE[name]} {handle.name}{where}{detail}")

    if destructive:
        command = click.option(
            "--yes", "-y", is_flag=True, help="Do not ask for confirmation (needed in scripts)."
        )(command)
    return command


@click.command("launch")
@click.argument("clone", shell_complete=complete_clone_names)
@adb_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def launch_cmd(space: Space, clone: str, adb: str | None, as_json: bool) -> None:
    """Start CLONE's launcher activity (and say how it was put on screen)."""
    handle = space.get(clone, adb=adb)
    record = handle.to_json()
    launched = handle.launch()
    how = None if launched is None else {"how": launched.how, "text": launched.text}
    gate = _gate(handle)
    if as_json:
        extra = {} if gate is None else {"gate": gate}
        emit_json({"action": "launched", "clone": record, "launched": how, **extra})
        return
    where = f" ({handle.package})" if handle.package else ""
    click.echo(f"launched {handle.name}{where}" + (f": {launched.text}" if launched else ""))
    if gate is not None:
        click.echo(gate["text"])


def _gate(handle: Clone) -> dict[str, Any] | None:
    """For a virtual clone: whether a guard on this host holds the gate of its app's other
    starts (a push, a job, a tap), or that they run unhooked and what to run."""
    from clone import Backend

    if handle.backend != Backend.VIRTUAL:
        return None
    package = handle.package or handle.record.source_package
    pid = handle.guard_pid()
    if pid is not None:
        text = f"clone guard (pid {pid}) holds the starts of {package} this launch did not make"
    else:
        text = (
            f"starts of {package} this launch did not make (a push, a job, a tap on the "
            f"icon) run unhooked; run 'clone guard {package}' to hold them"
        )
    return {"guard_pid": pid, "guarded": pid is not None, "text": text}


def start_line(done: GatedStart) -> str:
    """One gated start as a line of text."""
    what = f"{done.outcome} {done.process} (pid {done.pid})"
    if done.clone is not None:
        what += f" as {done.clone}"
    return what + (f": {done.reason}" if done.reason else "")


@click.command("guard")
@click.argument("app")
@click.option("--device", "serial", metavar="SERIAL", help="The device, when APP's virtual "
              "clones are on more than one.")  # fmt: skip
@adb_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per gated start.")
@click.pass_obj
def guard_cmd(space: Space, app: str, serial: str | None, adb: str | None, as_json: bool) -> None:
    """Hold every start of APP's virtual clones on the device until Ctrl-C: run it hooked as
    the active clone (the one 'clone launch' started last), or kill it when none is.

    A start the phone makes on its own (a push, a job, a tap on the icon) is held by
    frida-server's spawn gating; without a guard it runs unhooked, in the app's real data
    directory. One line per gated start on stdout: hooked, refused (killed) or passed
    (another app's). Exit 1 when the connection to frida-server is lost.
    """
    import json
    import signal
    import threading

    stop = threading.Event()

    def report(done: GatedStart) -> None:
        if as_json:
            fields: dict[str, Any] = {"schema": SCHEMA, "action": "gated", "pid": done.pid,
                                      "process": done.process, "outcome": done.outcome,
                                      "clone": done.clone, "reason": done.reason}  # fmt: skip
            click.echo(json.dumps(fields))
        else:
            click.echo(start_line(done))

    def ready(package: str, serial: str) -> None:
        click.echo(f"clone: holding every start of {package} on {serial}; Ctrl-C to stop", err=True)

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        space.guard(app, stop, report, device=serial, adb=adb, ready=ready)
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


stop_cmd = _clone_command("stop", "Force-stop CLONE.")
wipe_cmd = _clone_command(
    "wipe",
    "Clear CLONE's data (the other clones keep theirs). Asks first on a terminal.",
    destructive=True,
)
remove_cmd = _clone_command(
    "remove", "Uninstall CLONE and forget it. Asks first on a terminal.", destructive=True
)
