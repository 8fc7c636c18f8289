"""``clone ui``'s row in the ``clone`` command table: where its click command is and its
one-line help (the first paragraph of ``ui_cmd``'s docstring).

The entry point ``clonespace.commands: ui`` names this row, not the command, so that
``clone --help`` lists ``ui`` without importing click or launcher_ui.cli
(tests/clone/test_cli_imports.py checks the summary is the command's own).
"""

UI = (
    "launcher_ui.cli:ui_cmd",
    "Open the launcher: the clones under their app; tap one to launch it, long-press for more.",
)
