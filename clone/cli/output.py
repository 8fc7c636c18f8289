"""How commands show results: JSON for scripts, short text for people, progress on a tty."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click


def warn(messages: Iterable[str]) -> None:
    """Each warning as one line on stderr, ``clone: warning: …``."""
    for message in messages:
        click.echo(f"clone: warning: {' '.join(message.split())}", err=True)


# The version of every JSON object the CLI prints (its "schema" key, first); it changes
# when a field is removed or changes meaning, not when one is added.
SCHEMA = 1


def emit_json(value: Any) -> None:
    """Print one JSON document on stdout: an object, or a list of objects, each carrying
    ``"schema": SCHEMA``."""
    click.echo(json.dumps(_versioned(value), indent=2, sort_keys=False, default=str))


def _versioned(value: Any) -> Any:
    if isinstance(value, dict):
        return {"schema": SCHEMA, **value}
    if isinstance(value, list):
        return [_versioned(v) for v in value]
    return value


@contextmanager
def progress(label: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr when it is a terminal; silent otherwise.

    Yields ``advance(n)``. Library code takes such a callback; it never prints.
    """
    if not sys.stderr.isatty() or total <= 0:
        yield lambda n: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Rows as left-aligned columns under a header line (for people; scripts use --json)."""
    cells = [[str(h) for h in headers], *([str(c) for c in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells)
    return "\n".join(line.rstrip() for line in lines)
