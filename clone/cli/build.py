"""``clone build APK…``: write N signed clone APKs of one app."""

from __future__ import annotations

import os
from pathlib import Path

import click

from clone.cli.output import emit_json, progress, table, warn
from clone.home import DEFAULT_COUNT, DEFAULT_TEMPLATE, KEY_PASSWORD_ENV
from clone.space import Space


@click.command("build")
@click.argument("apks", nargs=-1, required=True, metavar="APK...", type=click.Path(path_type=Path))
@click.option(
    "--count", "-n", type=int, default=DEFAULT_COUNT, show_default=True,
    help="How many clones.",
)  # fmt: skip
@click.option(
    "--out", default=Path("dist"), show_default=True, type=click.Path(path_type=Path),
    help="Directory for the clone APKs (created if missing).",
)  # fmt: skip
@click.option(
    "--name-template", default=DEFAULT_TEMPLATE, show_default=True,
    help="Package of clone N; {package} is the original, {n} the clone number.",
)  # fmt: skip
@click.option(
    "--hooks", type=click.Choice(["gadget", "none"]), default="gadget", show_default=True,
    help="Embed the hook payload (Frida Gadget + agent), or nothing.",
)  # fmt: skip
@click.option(
    "--gadget-dir", type=click.Path(path_type=Path),
    help="Directory with frida-gadget-<version>-android-<arch>.so files, or the .so.xz "
    "Frida publishes, for the ABIs the app ships (an app without native code: those given; "
    "a warning names the others) (default: $CLONE_HOME/cache/gadget/<version>/, downloaded "
    "when missing).",
)  # fmt: skip
@click.option(
    "--seed", type=click.IntRange(min=0),
    help="Draw the identities the clones' hook policies carry from this seed: the same "
    "seed gives the same identity to each clone number (default: random).",
)  # fmt: skip
@click.option(
    "--key", type=click.Path(path_type=Path),
    help=f"Sign with this key (PEM or PKCS#12; password from ${KEY_PASSWORD_ENV}).",
)  # fmt: skip
@click.option("--cert", type=click.Path(path_type=Path), help="Certificate (PEM) for --key.")
@click.option("--force", is_flag=True, help="Replace clone APKs an earlier build left in OUT.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def build_cmd(
    space: Space,
    apks: tuple[Path, ...],
    count: int,
    out: Path,
    name_template: str,
    hooks: str,
    gadget_dir: Path | None,
    seed: int | None,
    key: Path | None,
    cert: Path | None,
    force: bool,
    as_json: bool,
) -> None:
    """Write COUNT signed clones of APK, each under its own package name.

    APK is an .apk, an .apks/.xapk, a directory of split APKs, or several split APKs
    of one app. A plain APK gives OUT/<package>.apk per clone; a split set gives the
    directory OUT/<package>/ with base.apk and split_<name>.apk. Nothing is left in
    --out if any clone fails. With --hooks gadget (the default) each clone carries the
    Frida Gadget, the agent and its own policy with its own identity; warnings go to
    stderr as 'clone: warning: …' lines (with --json, into the "hooks" object). A clone
    APK already in OUT is replaced only with --force. The clones are not registered:
    'clone install' builds and installs the ones 'clone list' shows.
    """
    with progress("building clones", count) as advance:
        result = space.build(
            apks, count, out, name_template=name_template, hooks=hooks, gadget_dir=gadget_dir,
            key=key, cert=cert, key_password=os.environ.get(KEY_PASSWORD_ENV), seed=seed,
            force=force, advance=advance,
        )  # fmt: skip
    if as_json:
        emit_json(result.to_json())
        return
    warn(result.warnings)
    rows = ((c.index, c.package, c.apk) for c in result.clones)
    click.echo(table(("N", "PACKAGE", "APK"), rows))
    click.echo("(not registered: 'clone install' builds and installs clones 'clone list' shows)")
