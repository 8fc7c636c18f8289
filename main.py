"""The launcher as an Android app: what python-for-android runs (``buildozer.spec`` packages
this checkout with it). On a computer the launcher is ``clone ui``; this refuses to start
there, since without Android it would look for the phone's package manager."""

from __future__ import annotations

import sys


def main() -> None:
    from launcher_ui.on_phone import on_android

    if not on_android():
        sys.exit("main.py starts the launcher on a phone; on a computer run `clone ui`")
    from clone import Space
    from launcher_ui.app import run

    with Space() as space:
        run(space)


if __name__ == "__main__":
    main()
