"""The ``clone`` command's texts and commands, without click: its help, and each command's
name, where its click command is (``module:attribute``) and its one-line help.

``clone --help`` lists the commands from this table (clone/cli/quick.py), so it imports none
of their modules, nor click; a command's module is imported when that command runs
(tests/clone/test_cli_imports.py checks that the summaries are the commands' own).
"""

from __future__ import annotations

import functools
import importlib

DISTRIBUTION = "clonespace"  # whose version ``clone --version`` prints

HELP = """Clonespace: run several isolated instances of one Android app.

State lives under $CLONE_HOME. Exit codes: 0 done, 1 the operation failed,
2 bad input or usage."""
DEBUG_HELP = "Show tracebacks for errors."

# name -> ("module:attribute" of the click command, the first paragraph of its help). Add a
# line here to add a command. ``clone --help`` lists the commands from this table, so it
# imports none of their modules; a command's module is imported when that command runs
# (tests/clone/test_cli_imports.py checks that the summaries are the commands' own).
COMMANDS: dict[str, tuple[str, str]] = {
    "build": (
        "clone.cli.build:build_cmd",
        "Write COUNT signed clones of APK, each under its own package name.",
    ),
    "identity": (
        "clone.cli.identity:identity_group",
        "Show or change the device identity a clone answers with.",
    ),
    "accounts": (
        "clone.cli.identity:accounts_group",
        "The accounts a clone's apps see (AccountManager).",
    ),
    "host": (
        "clone.cli.host:host",
        "Run Linux programs as clones, under the same hook engine as on a phone.",
    ),
    "install": (
        "clone.cli.device:install_cmd",
        "Build and install COUNT clones of APK on a device (all or nothing).",
    ),
    "devices": (
        "clone.cli.device:devices_cmd",
        "List connected devices: serial, state, model, SDK, ABIs, rooted.",
    ),
    "doctor": (
        "clone.cli.device:doctor_cmd",
        "Check each connected device: adb, Android version, ABI, root, frida-server, "
        "multi-user; say which backends work there and what to do about the others.",
    ),
    "list": (
        "clone.cli.listing:list_cmd",
        "List the registered clones with their state on the device.",
    ),
    "launch": (
        "clone.cli.device:launch_cmd",
        "Start CLONE's launcher activity (and say how it was put on screen).",
    ),
    "guard": (
        "clone.cli.device:guard_cmd",
        "Hold every start of APP's virtual clones on the device until Ctrl-C: run it "
        "hooked as the active clone (the one 'clone launch' started last), or kill it "
        "when none is.",
    ),
    "stop": ("clone.cli.device:stop_cmd", "Force-stop CLONE."),
    "wipe": (
        "clone.cli.device:wipe_cmd",
        "Clear CLONE's data (the other clones keep theirs). Asks first on a terminal.",
    ),
    "remove": (
        "clone.cli.device:remove_cmd",
        "Uninstall CLONE and forget it. Asks first on a terminal.",
    ),
    "export": (
        "clone.cli.transfer:export_cmd",
        "Write CLONE (APP:N or package name) to FILE, one .tar.gz archive.",
    ),
    "import": (
        "clone.cli.transfer:import_cmd",
        "Register the clone exported in FILE, with its identity, accounts and store.",
    ),
    "demo": (
        "clone.cli.demo:demo",
        "Build two clones of a real APK and run a Linux app as two isolated host clones.",
    ),
}
# Packages above ``clone`` add commands through an entry point group (``clone ui`` is

# Packages above ``clone`` add commands through an entry point group, so the CLI never
# imports them by name (see clone/cli/plugins.py). An entry point names a row like the ones
# above, ``(target, summary)`` (``clone ui`` is ``launcher_ui.command:UI``), so that
# ``clone --help`` lists the command without importing click; one that names the click
# command itself works too, but then ``clone --help`` asks it for its help through click.
ENTRY_POINTS = "clonespace.commands"


def load(target: str) -> object:
    """The object ``module:attribute`` names (a click command, or a plugin's row)."""
    module_name, attribute = target.split(":")
    return getattr(importlib.import_module(module_name), attribute)


@functools.cache
def plugins() -> dict[str, tuple[str, str] | str]:
    """The commands other packages add: name -> their row ``(target, summary)``, or the
    ``module:attribute`` of a click command when the entry point names one."""
    from clone.cli.plugins import command_entry_points

    found: dict[str, tuple[str, str] | str] = {}
    for name, target in command_entry_points(ENTRY_POINTS).items():
        entry = load(target)
        if isinstance(entry, tuple) and len(entry) == 2:
            found[name] = (str(entry[0]), str(entry[1]))
        else:
            found[name] = target
    return found


def names() -> list[str]:
    """Every command's name, sorted as ``clone --help`` lists them."""
    return sorted({*COMMANDS, *plugins()})


def target(name: str) -> str | None:
    """Where command ``name``'s click command is (``module:attribute``), None if none is."""
    if name in COMMANDS:
        return COMMANDS[name][0]
    plugin = plugins().get(name)
    return plugin[0] if isinstance(plugin, tuple) else plugin


def summary(name: str) -> str | None:
    """Command ``name``'s one-line help from its row, None if only its command knows it."""
    if name in COMMANDS:
        return COMMANDS[name][1]
    plugin = plugins().get(name)
    return plugin[1] if isinstance(plugin, tuple) else None
