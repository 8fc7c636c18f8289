"""``--adb HOST:PORT``: the adb server an option names, read without the adb client (a bad
value is refused before anything needs a device, and checking it loads no ``adbutils``)."""

from __future__ import annotations

from clone.errors import BadInput
from device.server import AdbServer, parse_server


def parse_adb_option(text: str | None) -> AdbServer | None:
    """The server ``--adb`` names, None without the option; BadInput naming a bad value."""
    if text is None:
        return None
    try:
        return parse_server(text)
    except ValueError as e:
        raise BadInput(str(e)) from e
