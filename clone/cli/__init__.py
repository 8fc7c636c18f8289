"""The ``clone`` command.

``main`` answers ``clone --help`` and ``clone --version`` without importing click
(clone/cli/quick.py), and ``clone list`` on an empty registry too (clone/cli/quick_list.py);
everything else goes to the click group in clone/cli/group.py, whose subcommands live in
small modules (one per area, listed in clone/cli/table.py) imported only when they run.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing's, without importing typing (``clone --help`` needs none)
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import NoReturn

    from clone.cli.group import cli

__all__ = ["cli", "main"]


# what clone/cli/quick.py may answer (a bare ``clone`` prints its help); other arguments do
# not even load it
_QUICK: tuple[list[str], ...] = ([], ["--help"], ["-h"], ["--version"])


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``clone`` script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args in _QUICK:
        from clone.cli.quick import answer

        text = answer(args)
        if text is not None:
            _print_and_exit(text)
    elif "list" in args:  # an empty registry, listed without click
        from clone.cli.quick_list import answer as list_answer

        try:
            answered = list_answer(args)
        except KeyboardInterrupt:
            from clone.cli.group import aborted

            aborted(args)
        if answered is not None:
            _print_and_exit(*answered)
    from clone.cli.group import cli

    try:
        cli.main(args=args, prog_name="clone")
    except SystemExit as e:
        ran = "frida" in sys.modules or "hooks.supervisor.client" in sys.modules
        if ran and (e.code is None or isinstance(e.code, int)):
            _exit_now(e.code or 0)
        raise


def _print_and_exit(out: str, err: str = "") -> NoReturn:
    """Prints a quick answer as click.echo would (nothing on a closed stream), exits 0."""
    for stream, text in ((sys.stdout, out), (sys.stderr, err)):
        if text and stream is not None:
            stream.write(text)
            stream.flush()
    sys.exit(0)


def _exit_now(code: int) -> NoReturn:
    """Ends a process that ran a program under the hooks at once: its output flushed and
    the ``atexit`` functions run as at a normal exit, without tearing down the interpreter,
    where Frida's native module takes 30-150 ms to stop its threads (every session is
    detached by then), and a shared supervisor's client would spend ~5 ms for nothing."""
    import atexit
    import contextlib
    import os

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed stream or a gone reader: as at exit
            stream.flush()
    os._exit(code)


def __getattr__(name: str) -> object:
    """``clone.cli.cli``, the click group, imported on first use."""
    if name == "cli":
        from clone.cli.group import cli

        return cli
    raise AttributeError(f"module 'clone.cli' has no attribute {name!r}")
