"""``clone list`` on an empty registry, without click.

Most of ``clone list``'s start-up was importing click and the registry's model (issue 13),
neither of which an empty registry needs. When the arguments are ones the click command
takes as they are (``list``, its ``--json`` and a good ``--adb HOST:PORT``, the group's
``--debug`` before it) and no clone is registered, this module gives what
clone/cli/listing.py prints then: ``[]`` on stdout with ``--json``, else the note on stderr
that there are no clones yet. Everything else goes to the click group, which lists, refuses
or reports as it always did: other arguments, a bad ``--adb`` value, a registered clone, an
error of any kind, shell completion, a stream that click would not write to as it is.
tests/clone/test_cli_quick_list.py runs both on the same arguments and compares their
stdout, stderr, exit code and what they leave in ``$CLONE_HOME``.

Imports: ``clone.space``, which reads the registry's file (clone/registry_file.py) without
its model; no click, no typing.
"""

from __future__ import annotations

import codecs
import os
import sys

TYPE_CHECKING = False  # typing's, without importing typing
if TYPE_CHECKING:
    from clone.home import Home


def answer(args: list[str]) -> tuple[str, str] | None:
    """What ``clone ARGS`` prints on (stdout, stderr), exiting 0, when it lists an empty
    registry; None when the click group is needed."""
    if "_CLONE_COMPLETE" in os.environ:
        return None
    parsed = parse(args)
    if parsed is None:
        return None
    as_json, adb_values = parsed
    from clone.space import Space

    try:
        for value in adb_values:
            Space.check_adb(value)
        space = Space()
        if space.has_clones():
            return None
        # with --json, the empty list as clone/cli/output.py's emit_json prints it
        out, err = ("[]\n", "") if as_json else ("", nothing_listed(space.home) + "\n")
    except Exception:  # the click group meets it again and reports it, as for every command
        return None
    if not _as_click_writes(sys.stdout, out) or not _as_click_writes(sys.stderr, err):
        return None
    return out, err


def parse(args: list[str]) -> tuple[bool, list[str]] | None:
    """``[--debug]... list [--json | --adb VALUE | --adb=VALUE]...`` -> (``--json`` given,
    the ``--adb`` values); None for any other arguments (the click group parses those)."""
    start = 0
    while start < len(args) and args[start] == "--debug":
        start += 1
    if args[start : start + 1] != ["list"]:
        return None
    as_json, adb_values = False, []
    rest = iter(args[start + 1 :])
    for arg in rest:
        if arg == "--json":
            as_json = True
        elif arg == "--adb":
            value = next(rest, None)
            if value is None:  # click: the option requires an argument
                return None
            adb_values.append(value)
        elif arg.startswith("--adb="):
            adb_values.append(arg.removeprefix("--adb="))
        else:
            return None
    return as_json, adb_values


def nothing_listed(home: Home) -> str:
    """What ``clone list`` says (on stderr) when no clone is registered."""
    if home.has_demo():
        demo = home.demo_home
        return (
            f"no clones yet here; the demo's are in {demo}: 'CLONE_HOME={demo} clone list' "
            "(or 'clone ui'); make your own with 'clone install APK' or 'clone host run …'"
        )
    return "no clones yet: 'clone install APK', 'clone host run …' or 'clone demo'"


def _as_click_writes(stream: object, text: str) -> bool:
    """Whether writing ``text`` to ``stream`` gives what ``click.echo`` writes: nothing to
    write, or no stream (click prints nothing then); else a UTF-8 text stream, which click
    writes to as it is (on an ASCII one it writes UTF-8 through another), and text without
    escape sequences (click strips them where the stream is not a terminal)."""
    if not text or stream is None:
        return True
    encoding = getattr(stream, "encoding", None)
    try:
        utf8 = isinstance(encoding, str) and codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False
    return utf8 and "\x1b" not in text
