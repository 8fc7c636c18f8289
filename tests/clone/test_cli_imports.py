"""What the CLI imports, in a fresh interpreter: listing clones that need no device imports
no adb client (``adbutils`` pulls in ``requests``; issue 13's start-up cost)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from clone.registry import Backend, CloneRecord, Registry

_LIST_THEN_REPORT = """
import sys
from clone.cli import main
try:
    main(["list", "--json"])
except SystemExit:
    pass
print("adbutils" in sys.modules, "requests" in sys.modules, file=sys.stderr)
"""


def _imports_after_list(clone_home: Path) -> str:
    env = {"CLONE_HOME": str(clone_home), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", _LIST_THEN_REPORT], env=env, capture_output=True, text=True
    )
    return done.stderr.strip().splitlines()[-1]


def test_listing_an_empty_registry_imports_no_adb_client(tmp_path: Path) -> None:
    assert _imports_after_list(tmp_path / "home") == "False False"


def test_listing_host_clones_imports_no_adb_client(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with Registry(home / "registry.sqlite") as registry:
        registry.add(CloneRecord("notes", 1, Backend.HOST, source_package="notes"))
    assert _imports_after_list(home) == "False False"
