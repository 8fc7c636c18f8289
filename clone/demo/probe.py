#!/usr/bin/env python3
"""notes probe: a tiny Linux app that keeps a login in its data directory and shows the
device it believes it runs on. ``clone demo`` and the samples run it as host clones.

    probe.py DATA login NAME     write DATA/login
    probe.py DATA show           print {"user", "hostname", "nodename", "machine_id", "cwd"}
    probe.py DATA peek PATH      try to read PATH; print {"ok": bool, "error": str | null}

Standard library only: it is the "app", not part of Clonespace.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path


def _machine_id() -> str | None:
    for path in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            return Path(path).read_text().strip()
        except OSError:
            continue
    return None


def show(data: Path) -> dict[str, object]:
    login = data / "login"
    os.chdir(data)
    return {
        "user": login.read_text().strip() if login.exists() else None,
        "hostname": socket.gethostname(),
        "nodename": os.uname().nodename,
        "machine_id": _machine_id(),
        "cwd": os.getcwd(),
    }


def peek(path: str) -> dict[str, object]:
    try:
        Path(path).read_bytes()
    except OSError as e:
        return {"ok": False, "error": os.strerror(e.errno or 0)}
    return {"ok": True, "error": None}


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    data, command, args = Path(argv[0]), argv[1], argv[2:]
    if command == "login" and len(args) == 1:
        data.mkdir(parents=True, exist_ok=True)
        (data / "login").write_text(args[0] + "\n")
        return 0
    if command == "show":
        print(json.dumps(show(data)))
        return 0
    if command == "peek" and len(args) == 1:
        print(json.dumps(peek(args[0])))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
