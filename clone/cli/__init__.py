"""The ``clone`` command: a thin click layer over ``Space`` and ``Clone``.

Subcommands live in small modules (one per area) and are imported only when used, so
``clone --help`` stays fast; frida, lief and kivy are imported inside the commands that
need them. This is the only place that turns a ``CloneError`` into output and an exit code.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from clone.errors import CloneError

# name -> ("module:attribute" of the click command, the first paragraph of its help). Add a
# line here to add a command. ``clone --help`` lists the commands from this table, so it
# imports none of their modules; a command's module is imported when that command runs
# (tests/clone/test_cli_imports.py checks that the summaries are the commands' own).
_COMMANDS: dict[str, tuple[str, str]] = {
    "build": (
        "clone.cli.build:build_cmd",
        "Write COUNT signed clones of APK, each under its own package name.",
    ),
    "identity": (
        "clone.cli.identity:identity_group",
        "Show or change the device identity a clone answers with.",
    ),
    "accounts": (
        "clone.cli.identity:accounts_group",
        "The accounts a clone's apps see (AccountManager).",
    ),
    "host": (
        "clone.cli.host:host",
        "Run Linux programs as clones, under the same hook engine as on a phone.",
    ),
    "install": (
        "clone.cli.device:install_cmd",
        "Build and install COUNT clones of APK on a device (all or nothing).",
    ),
    "devices": (
        "clone.cli.device:devices_cmd",
        "List connected devices: serial, state, model, SDK, ABIs, rooted.",
    ),
    "doctor": (
        "clone.cli.device:doctor_cmd",
        "Check each connected device: adb, Android version, ABI, root, frida-server, "
        "multi-user; say which backends work there and what to do about the others.",
    ),
    "list": (
        "clone.cli.device:list_cmd",
        "List the registered clones with their state on the device.",
    ),
    "launch": (
        "clone.cli.device:launch_cmd",
        "Start CLONE's launcher activity (and say how it was put on screen).",
    ),
    "guard": (
        "clone.cli.device:guard_cmd",
        "Hold every start of APP's virtual clones on the device until Ctrl-C: run it "
        "hooked as the active clone (the one 'clone launch' started last), or kill it "
        "when none is.",
    ),
    "stop": ("clone.cli.device:stop_cmd", "Force-stop CLONE."),
    "wipe": (
        "clone.cli.device:wipe_cmd",
        "Clear CLONE's data (the other clones keep theirs). Asks first on a terminal.",
    ),
    "remove": (
        "clone.cli.device:remove_cmd",
        "Uninstall CLONE and forget it. Asks first on a terminal.",
    ),
    "export": (
        "clone.cli.transfer:export_cmd",
        "Write CLONE (APP:N or package name) to FILE, one .tar.gz archive.",
    ),
    "import": (
        "clone.cli.transfer:import_cmd",
        "Register the clone exported in FILE, with its identity, accounts and store.",
    ),
    "demo": (
        "clone.cli.demo:demo",
        "Build two clones of a real APK and run a Linux app as two isolated host clones.",
    ),
}
# Packages above ``clone`` add commands through an entry point group (``clone ui`` is
# ``launcher_ui.cli:ui_cmd``; see clone/cli/plugins.py), so the CLI never imports them by name.
ENTRY_POINTS = "clonespace.commands"


@functools.cache
def _plugins() -> dict[str, str]:
    from clone.cli.plugins import command_entry_points

    return command_entry_points(ENTRY_POINTS)


class SuggestingGroup(click.Group):
    """A group that answers an unknown command with the closest ones (``clone lsit``)."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            import difflib

            close = difflib.get_close_matches(name, self.list_commands(ctx), n=2, cutoff=0.6)
            guess = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise click.UsageError(f"no such command {name!r}{guess}", ctx)
        return super().resolve_command(ctx, args)


class _CloneGroup(SuggestingGroup):
    """A group that loads its commands lazily and reports errors as one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*_COMMANDS, *_plugins()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS[cmd_name][0] if cmd_name in _COMMANDS else _plugins().get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their one-line help, as click lists them, from the table: only
        the commands added by other packages are loaded (to ask them their help)."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in _COMMANDS:  # shortened as click shortens a command's own help
                command: click.Command | None = click.Command(name, help=_COMMANDS[name][1])
            else:
                command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        options = argv[: argv.index("--")] if "--" in argv else argv  # not the program's
        debug = "--debug" in options
        fail = _Failure(as_json="--json" in options)
        extra.pop("standalone_mode", None)
        extra.setdefault("complete_var", "_CLONE_COMPLETE")  # whatever the program's name
        try:
            rv = super().main(
                args=argv, prog_name=prog_name or "clone", standalone_mode=False, **extra
            )
        except click.exceptions.Exit as e:
            sys.exit(e.exit_code)
        except click.exceptions.Abort:
            fail("aborted", "aborted", None, 130)
        except click.exceptions.NoArgsIsHelpError as e:  # bare ``clone``: its help, readable
            click.echo(e.ctx.get_help() if e.ctx else e.format_message())
            sys.exit(0)
        except click.UsageError as e:
            where = e.ctx.command_path if e.ctx else "clone"
            hint = f"see '{where} --help'"
            fail("usage", _one_line(e.format_message()), hint, 2, in_parens=True)
        except click.ClickException as e:
            fail("usage", _one_line(e.format_message()), None, e.exit_code)
        except CloneError as e:
            if debug:
                _print_traceback()
            fail(_code(e), _one_line(e.message), e.hint and _one_line(e.hint), e.exit_code)
        except KeyboardInterrupt:
            fail("interrupted", "interrupted", None, 130)
        except Exception as e:  # a bug: say so in one line, traceback only with --debug
            if debug:
                _print_traceback()
            fail(
                "internal", f"internal error: {type(e).__name__}: {e}",
                "rerun with --debug and report it", 1,
            )  # fmt: skip
        code = rv if isinstance(rv, int) else 0
        sys.exit(code)


def _print_traceback() -> None:
    import traceback  # only with --debug: not on every start

    traceback.print_exc()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _code(error: CloneError) -> str:
    """The ``code`` of a JSON error: the error's class in snake case (``not_found``)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(error).__name__).lower()


class _Failure:
    """Reports an error and exits: one ``clone: error: …`` line on stderr, or with
    ``--json`` one JSON object on stdout (``{"schema", "error": {code, message, hint}}``);
    the exit code is the same either way."""

    def __init__(self, *, as_json: bool) -> None:
        self.as_json = as_json

    def __call__(
        self, code: str, message: str, hint: str | None, exit_code: int, *, in_parens: bool = False
    ) -> None:
        if self.as_json:
            from clone.cli.output import emit_json

            emit_json({"error": {"code": code, "message": message, "hint": hint}})
        else:
            shown = message
            if hint:  # a usage error's pointer to help in parentheses, as before
                shown = f"{message} ({hint})" if in_parens else f"{message}; {hint}"
            click.echo(f"clone: error: {shown}", err=True)
        sys.exit(exit_code)


@click.group(cls=_CloneGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="clonespace", prog_name="clone")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Clonespace: run several isolated instances of one Android app.

    State lives under $CLONE_HOME. Exit codes: 0 done, 1 the operation failed,
    2 bad input or usage.
    """
    from clone.space import Space

    ctx.obj = Space()


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``clone`` script."""
    try:
        cli.main(args=argv, prog_name="clone")
    except SystemExit as e:
        if "frida" in sys.modules and (e.code is None or isinstance(e.code, int)):
            _exit_now(e.code or 0)
        raise


def _exit_now(code: int) -> NoReturn:
    """Ends a process that loaded Frida at once: its output flushed and the ``atexit``
    functions run as at a normal exit, without tearing down the interpreter, where Frida's
    native module takes 30-100 ms to stop its threads (every session is detached by then)."""
    import atexit
    import os

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed stream or a gone reader: as at exit
            stream.flush()
    os._exit(code)
