"""``clone host run``: run a Linux program as a clone under the hook engine."""

from __future__ import annotations

from pathlib import Path

import click

from clone.cli.group import SuggestingGroup
from clone.cli.output import emit_json, table
from clone.errors import BadInput
from clone.space import Space


@click.group("host", cls=SuggestingGroup)
def host() -> None:
    """Run Linux programs as clones, under the same hook engine as on a phone."""


@host.command("run")
@click.option("--app", required=True, help="The app name, e.g. notes.")
@click.option(
    "--clone",
    "index",
    type=click.IntRange(min=1, max=Space.MAX_INDEX),
    required=True,
    help="Clone number N.",
)
@click.option(
    "--data",
    "data",
    multiple=True,
    required=True,
    help="An absolute path the program keeps its data in (repeatable).",
)
@click.option(
    "--trace",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write one JSON line per redirect, denial or spoof to this file.",
)
@click.option(
    "--require-boundary",
    is_flag=True,
    help="Fail (exit 1) where the kernel has no Landlock, instead of warning and running "
    "under the hooks and seccomp only.",
)
@click.option(
    "--json", "as_json", is_flag=True,
    help="After CMD's own output, print {clone, exit_status} as JSON; errors as JSON too.",
)  # fmt: skip
@click.argument("command", nargs=-1, required=True, metavar="-- CMD [ARG]...")
@click.pass_obj
def run(
    space: Space,
    app: str,
    index: int,
    data: tuple[str, ...],
    trace: Path | None,
    require_boundary: bool,
    as_json: bool,
    command: tuple[str, ...],
) -> int:
    """Run CMD as clone APP:N; its --data paths live in the clone's own store.

    The clone is registered on first use. The run ends when CMD and every process it
    started have exited: a background job keeps the clone's policy, and so do its children.
    Every process of the run is also inside a kernel boundary (Landlock + seccomp): out of
    other clones' stores, $CLONE_HOME and the real --data paths. Where the kernel has no
    Landlock that is one warning, or with --require-boundary an error (exit 1).

    The runs of one $CLONE_HOME are instrumented by one shared supervisor process, started
    by the first and gone after a minute without runs: less memory and a faster start than
    each clone process on its own. Where it cannot be used (Yama's ptrace_scope) a run is
    supervised in-process. CLONE_SUPERVISOR=in-process never shares; =shared warns when it
    falls back.

    Exit status: CMD's own, or 125 when Clonespace failed, 126 when CMD cannot be run, 127
    when it is not found, 2 for bad input, 1 when the boundary is required but missing.
    """
    if require_boundary:
        space.require_boundary = True
    try:
        status = space.run_host(
            app, index, data, command, trace=trace, tell=lambda line: click.echo(line, err=True)
        )
    except BadInput as e:  # the API's message names no command; the CLI points at its help
        if e.hint is None:
            e.hint = "see 'clone host run --help'"
        raise
    if as_json:
        emit_json({"clone": f"{app}:{index}", "exit_status": status})
    return status


@host.command("supervisor")
@click.option(
    "--stop",
    is_flag=True,
    help="Have them take no more runs; each leaves once the runs it took have ended.",
)
@click.option("--json", "as_json", is_flag=True, help="Print them as JSON.")
@click.pass_obj
def supervisor(space: Space, stop: bool, as_json: bool) -> None:
    """Show the shared supervisors of this $CLONE_HOME's host runs, or stop them.

    The first run of a home starts its supervisor, which instruments every run of the
    home and leaves after CLONE_SUPERVISOR_IDLE_S seconds without runs (60). Stopping it
    cuts no run short: the next run starts a new one.
    """
    why_not = space.why_not_shared()  # first: a bad CLONE_SUPERVISOR stops nothing
    found = space.stop_supervisors() if stop else space.supervisors()
    if as_json:
        shown = [s.to_json() for s in found]
        emit_json({"home": str(space.home.root), "shared": why_not is None, "why_not": why_not,
                   "supervisors": shown})  # fmt: skip
        return
    if why_not is not None:
        click.echo(f"runs here are supervised in-process: {why_not}")
    if not found:
        click.echo(f"no shared supervisor runs for {space.home.root}")
        return
    rows = [
        (
            s.pid,
            "?" if s.build is None else s.build + ("" if s.this_build else " (other)"),
            s.state,
            "?" if s.runs is None else s.runs,
            "" if s.idle_s is None else f"{s.idle_s:.0f} s",
        )
        for s in found
    ]
    click.echo(table(("PID", "BUILD", "STATE", "RUNS", "IDLE"), rows))
