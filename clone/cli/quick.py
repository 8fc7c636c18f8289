"""``clone --help`` and ``clone --version`` without click.

Importing click costs about 0.7x a bare ``python -c pass`` (it brings ``inspect``, ``uuid``,
``datetime``), more than everything else ``clone --help`` does. These two answers need none
of it: the help is the group's help text, its three options and the command table
(clone/cli/table.py), laid out here as click's ``HelpFormatter`` lays them out; the version
is read from the installed metadata. Any other arguments go to the click group
(clone/cli/group.py), which takes the same texts from clone/cli/table.py.
tests/clone/test_cli_quick.py checks that both print, byte for byte, what click prints, at
every width click can choose.

Only the standard library's ``os``, ``sys`` and ``textwrap`` are imported here.
"""

from __future__ import annotations

import os
import sys

from clone.cli import table

TYPE_CHECKING = False  # typing's, without importing typing
if TYPE_CHECKING:
    from collections.abc import Sequence

# the group's options as click lists them: --debug, then click's --version and --help
OPTIONS = (
    ("--debug", table.DEBUG_HELP),
    ("--version", "Show the version and exit."),
    ("-h, --help", "Show this message and exit."),
)
USAGE = "Usage: clone [OPTIONS] COMMAND [ARGS]..."


def answer(args: list[str]) -> str | None:
    """What ``clone ARGS`` prints when it is only the help or the version; None when
    click is needed (other arguments, shell completion, a plugin without a row)."""
    if "_CLONE_COMPLETE" in os.environ:
        return None
    if args in ([], ["--help"], ["-h"]):  # a bare ``clone`` prints its help too
        return help_text(help_width())
    if args == ["--version"]:
        from clone.cli.plugins import distribution_version

        version = distribution_version(table.DISTRIBUTION)
        return None if version is None else f"clone, version {version}\n"
    return None


def help_width() -> int:
    """The width click's ``HelpFormatter`` wraps to: the terminal's, at most 80, less 2,
    and at least 50."""
    return max(min(_terminal_columns(), 80) - 2, 50)


def _terminal_columns() -> int:
    """``shutil.get_terminal_size().columns`` (as click asks it), without importing
    ``shutil``, which loads the bz2 and lzma modules: $COLUMNS when it is a positive
    number, else the terminal's on stdout, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):  # no stdout (None), closed, not a terminal
        return 80


def help_text(width: int) -> str | None:
    """``clone --help`` at ``width``, as click prints it; None when a command's one-line
    help is known only to its click command."""
    try:
        names = table.names()
    except Exception:  # a plugin's module failed to load: the click group reports it
        return None
    summaries = [table.summary(name) for name in names]
    if not all(summaries):
        return None
    limit = width - 6 - max(len(name) for name in names)
    commands = [
        (name, _short_help(s or "", limit)) for name, s in zip(names, summaries, strict=True)
    ]
    parts = [
        USAGE,
        "",
        _wrap(table.HELP, width, "  "),
        "",
        "Options:",
        *_definitions(OPTIONS, width),
        "",
        "Commands:",
        *_definitions(commands, width),
    ]
    return "\n".join(parts) + "\n"


def _wrap(text: str, width: int, indent: str = "") -> str:
    """click's ``wrap_text(..., preserve_paragraphs=True)`` for paragraphs without
    indentation or ``\\b`` markers: each paragraph's lines joined and filled."""
    import textwrap

    wrapper = textwrap.TextWrapper(
        width, initial_indent=indent, subsequent_indent=indent, replace_whitespace=False
    )
    paragraphs = text.expandtabs().split("\n\n")
    return "\n\n".join(wrapper.fill(" ".join(p.splitlines())) for p in paragraphs)


def _definitions(rows: Sequence[tuple[str, str]], width: int) -> list[str]:
    """click's ``HelpFormatter.write_dl`` inside a section (indented by 2), for terms no
    longer than its 30 columns."""
    first_col = max(len(term) for term, _ in rows) + 2
    lines = []
    for term, text in rows:
        wrapped = _wrap(text, max(width - first_col - 2, 10)).splitlines()
        lines.append(f"  {term.ljust(first_col)}{wrapped[0]}")
        lines.extend(" " * (first_col + 2) + line for line in wrapped[1:])
    return lines


def _short_help(text: str, limit: int) -> str:
    """click's one-line help of a command (``make_default_short_help``): the first
    sentence of the first paragraph, shortened to ``limit`` with ``...``."""
    words = text.partition("\n\n")[0].split()
    for i, word in enumerate(words):
        if word.endswith(".") and (i == len(words) - 1 or not words[i + 1][0].islower()):
            words = words[: i + 1]
            break
    short = " ".join(words)
    if len(short) <= limit:
        return short
    import textwrap

    return textwrap.shorten(short, limit, placeholder="...", break_on_hyphens=False)
