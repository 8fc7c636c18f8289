"""How the launcher words things: one line per message, commands in backticks.

Errors come from the one hierarchy (``clone.CloneError``), worded for the CLI, where a
command is quoted as ``'clone list'``; the launcher shows every command the one way its own
texts do, in backticks (``\u0060clone list\u0060``), and a message always on one line.
"""

from __future__ import annotations

import re

# 'clone …', 'adb …', 'pip …' quoted in single quotes by the CLI's messages.
_QUOTED_COMMAND = re.compile(r"'((?:clone|adb|pip|xvfb-run) [^']*)'")


def one_line(text: str) -> str:
    """``text`` on one line (runs of white space, newlines too, become one space), with
    the commands it names in backticks."""
    return _QUOTED_COMMAND.sub(r"`\1`", " ".join(text.split()))
