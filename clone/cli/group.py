"""The ``clone`` click group: a thin layer over ``Space`` and ``Clone``.

Subcommands live in small modules (one per area, listed in clone/cli/table.py) and are
imported only when used; frida, lief and kivy are imported inside the commands that need
them. This is the only place that turns a ``CloneError`` into output and an exit code.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from clone.cli import table
from clone.errors import CloneError


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
        return table.names()

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = table.target(cmd_name)
        if target is None:
            return None
        command = table.load(target)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their one-line help, as click lists them, from the table: only
        a command added by another package without a row is loaded (to ask it its help)."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            summary = table.summary(name)
            if summary is not None:  # shortened as click shortens a command's own help
                command: click.Command | None = click.Command(name, help=summary)
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
        options = _options(argv)
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


def aborted(args: Sequence[str]) -> NoReturn:
    """Ends ``clone ARGS`` stopped by Ctrl-C as the group ends a command stopped so (click
    ends the line, and aborts), for an answer begun without it (clone/cli/quick_list.py)."""
    click.echo(file=sys.stderr)
    _Failure(as_json="--json" in _options(args))("aborted", "aborted", None, 130)


def _options(argv: Sequence[str]) -> Sequence[str]:
    """The arguments that may be ``clone``'s options: not a program's, after ``--``."""
    return argv[: argv.index("--")] if "--" in argv else argv


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
    ) -> NoReturn:
        if self.as_json:
            from clone.cli.output import emit_json

            emit_json({"error": {"code": code, "message": message, "hint": hint}})
        else:
            shown = message
            if hint:  # a usage error's pointer to help in parentheses, as before
                shown = f"{message} ({hint})" if in_parens else f"{message}; {hint}"
            click.echo(f"clone: error: {shown}", err=True)
        sys.exit(exit_code)


# The help texts are the table's: ``clone --help`` prints them without click (quick.py), and
# tests/clone/test_cli_quick.py checks that it prints what click prints from this group.
@click.group(
    cls=_CloneGroup, help=table.HELP, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.option("--debug", is_flag=True, help=table.DEBUG_HELP)
@click.version_option(package_name=table.DISTRIBUTION, prog_name="clone")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    from clone.space import Space

    ctx.obj = Space()
