"""The ``clone`` command: a thin click layer over ``Space`` and ``Clone``.

Subcommands live in small modules (one per area) and are imported only when used, so
``clone --help`` stays fast; frida, lief and kivy are imported inside the commands that
need them. This is the only place that turns a ``CloneError`` into output and an exit code.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from collections.abc import Sequence
from typing import Any

import click

from clone.errors import CloneError

# name -> "module:attribute" of the click command. Add a line here to add a command.
_COMMANDS: dict[str, str] = {
    "build": "clone.cli.build:build_cmd",
    "identity": "clone.cli.identity:identity_group",
    "accounts": "clone.cli.identity:accounts_group",
    "host": "clone.cli.host:host",
    "install": "clone.cli.device:install_cmd",
    "devices": "clone.cli.device:devices_cmd",
    "list": "clone.cli.device:list_cmd",
    "launch": "clone.cli.device:launch_cmd",
    "stop": "clone.cli.device:stop_cmd",
    "wipe": "clone.cli.device:wipe_cmd",
    "remove": "clone.cli.device:remove_cmd",
    "export": "clone.cli.transfer:export_cmd",
    "import": "clone.cli.transfer:import_cmd",
    "demo": "clone.cli.demo:demo",
}
# Packages above ``clone`` add commands through this entry point group (``clone ui`` is
# ``launcher_ui.cli:ui_cmd``), so the CLI never imports them by name.
ENTRY_POINTS = "clonespace.commands"


def _plugins() -> dict[str, str]:
    from importlib.metadata import entry_points

    return {ep.name: ep.value for ep in entry_points(group=ENTRY_POINTS)}


class _CloneGroup(click.Group):
    """A group that loads its commands lazily and reports errors as one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*_COMMANDS, *_plugins()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name) or _plugins().get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in argv
        extra.pop("standalone_mode", None)
        try:
            rv = super().main(
                args=argv, prog_name=prog_name or "clone", standalone_mode=False, **extra
            )
        except click.exceptions.Exit as e:
            sys.exit(e.exit_code)
        except click.exceptions.Abort:
            _fail("aborted", 130)
        except click.UsageError as e:
            where = e.ctx.command_path if e.ctx else "clone"
            _fail(f"{_one_line(e.format_message())} (see '{where} --help')", 2)
        except click.ClickException as e:
            _fail(_one_line(e.format_message()), e.exit_code)
        except CloneError as e:
            if debug:
                traceback.print_exc()
            _fail(_one_line(str(e)), e.exit_code)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except Exception as e:  # a bug: say so in one line, traceback only with --debug
            if debug:
                traceback.print_exc()
            _fail(f"internal error: {type(e).__name__}: {e} (rerun with --debug and report it)", 1)
        code = rv if isinstance(rv, int) else 0
        sys.exit(code)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _fail(message: str, code: int) -> None:
    click.echo(f"clone: error: {message}", err=True)
    sys.exit(code)


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
    cli.main(args=argv, prog_name="clone")
