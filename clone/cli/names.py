"""Shell completion of clone names (``clone launch no<TAB>`` -> ``notes:1``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # imported when completing, not by every command that completes names
    from click.shell_completion import CompletionItem


def complete_clone_names(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """The registered clones' names (APP:N) starting with ``incomplete``; nothing when
    there is no registry yet (completion never creates one) or it cannot be read."""
    from click.shell_completion import CompletionItem

    from clone.errors import CloneError
    from clone.home import Home
    from clone.space import Space

    home = Home.from_env()
    if not home.registry_path.is_file():
        return []
    try:
        with Space(home=home.root) as space:
            names = [r.name for r in space.records()]
    except (CloneError, OSError):
        return []
    return [CompletionItem(n) for n in names if n.startswith(incomplete)]
