"""How commands show results: JSON for scripts, short text for people, progress on a tty."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import click


def warn(messages: Iterable[str]) -> None:
    """Each warning as one line on stderr, ``clone: warning: …``."""
    for message in messages:
        click.echo(f"clone: warning: {' '.join(message.split())}", err=True)


def emit_json(value: Any) -> None:
    """Print one JSON document on stdout."""
    click.echo(json.dumps(value, indent=2, sort_keys=False, default=str))


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
