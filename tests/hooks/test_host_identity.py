"""Must show 1 (identity): a real Linux program run as two host clones sees two different
host names and machine-ids, neither the machine's own, each equal to ``clone identity show``.

Runs the console script (``clone host run``, ``clone identity show``) in subprocesses, so the
registration, the stored identity, the policy and the agent in the program are all real.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from tests.hooks.programs import CLONE, host_run

pytestmark = pytest.mark.slow

WHOAMI_C = r"""
#include <stdio.h>
#include <sys/utsname.h>
#include <unistd.h>

static void show(const char *path) {
    char line[128] = "";
    FILE *f = fopen(path, "r");
    if (f != NULL && fgets(line, sizeof line, f) != NULL) {
        printf("%s %s", path, line);
    } else {
        printf("%s -\n", path);
    }
    if (f != NULL) fclose(f);
}

int main(void) {
    char name[256];
    struct utsname uts;
    if (gethostname(name, sizeof name) != 0 || uname(&uts) != 0) return 1;
    printf("gethostname %s\nnodename %s\n", name, uts.nodename);
    show("/etc/machine-id");
    show("/var/lib/dbus/machine-id");
    return 0;
}
"""


@pytest.fixture(scope="module")
def whoami(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("gcc") is None:
        pytest.skip("gcc is needed")
    out = tmp_path_factory.mktemp("whoami")
    (out / "whoami.c").write_text(WHOAMI_C)
    subprocess.run(["gcc", "-Wall", "-Werror", "-o", out / "whoami", out / "whoami.c"], check=True)
    return out / "whoami"


def _identity(home: Path, name: str) -> dict[str, str]:
    done = subprocess.run(
        [str(CLONE), "identity", "show", name, "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "CLONE_HOME": str(home)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert isinstance(data, dict)
    return data


def _seen(home: Path, index: int, data: Path, whoami: Path) -> dict[str, str]:
    """What the program and the system tools see, run as clone ``notes:<index>``."""
    seen: dict[str, str] = {}
    result = host_run(home, "notes", index, [data], [whoami])
    assert result.returncode == 0, result.stderr
    for line in result.stdout.splitlines():
        key, _, value = line.partition(" ")
        seen[key] = value
    for tool in (["uname", "-n"], ["hostname"]):
        result = host_run(home, "notes", index, [data], tool)
        assert result.returncode == 0, result.stderr
        seen[tool[0]] = result.stdout.strip()
    return seen


def test_two_host_clones_see_their_own_hostname_and_machine_id(
    tmp_path: Path, clone_home: Path, whoami: Path
) -> None:
    data = tmp_path / "notes-data"
    data.mkdir()
    seen = {i: _seen(clone_home, i, data, whoami) for i in (1, 2)}
    shown = {i: _identity(clone_home, f"notes:{i}") for i in (1, 2)}
    real_host = socket.gethostname()
    etc = Path("/etc/machine-id")
    real_id = etc.read_text().strip() if etc.exists() else ""
    for i in (1, 2):
        host, mid = shown[i]["hostname"], shown[i]["machine_id"]
        assert seen[i]["gethostname"] == seen[i]["nodename"] == host, seen[i]
        assert seen[i]["uname"] == seen[i]["hostname"] == host, seen[i]
        assert seen[i]["/etc/machine-id"] == mid, seen[i]
        assert seen[i]["/var/lib/dbus/machine-id"] == mid, seen[i]
        assert host != real_host and mid != real_id
    assert shown[1]["hostname"] != shown[2]["hostname"]
    assert shown[1]["machine_id"] != shown[2]["machine_id"]


def test_identity_changes_reach_the_next_run(
    tmp_path: Path, clone_home: Path, whoami: Path
) -> None:
    data = tmp_path / "notes-data"
    data.mkdir()
    first = _seen(clone_home, 1, data, whoami)
    env = {**os.environ, "CLONE_HOME": str(clone_home)}
    for args in (["regen", "notes:1", "--seed", "7"], ["set", "notes:1", "hostname", "qa-box-1"]):
        done = subprocess.run(
            [str(CLONE), "identity", *args], env=env, capture_output=True, check=False
        )
        assert done.returncode == 0, done.stderr
    after = _seen(clone_home, 1, data, whoami)
    shown = _identity(clone_home, "notes:1")
    assert after["gethostname"] == after["uname"] == "qa-box-1"
    assert after["/etc/machine-id"] == shown["machine_id"] != first["/etc/machine-id"]


def test_children_of_a_shell_see_the_clone_identity(tmp_path: Path, clone_home: Path) -> None:
    """Programs a clone starts (here from a shell) carry the same identity."""
    data = tmp_path / "notes-data"
    data.mkdir()
    script = "uname -n; hostname; cat /etc/machine-id"
    result = host_run(clone_home, "notes", 1, [data], ["sh", "-c", script])
    assert result.returncode == 0, result.stderr
    shown = _identity(clone_home, "notes:1")
    host, mid = shown["hostname"], shown["machine_id"]
    assert result.stdout.splitlines() == [host, host, mid]


def test_spoofs_show_in_the_trace(tmp_path: Path, clone_home: Path, whoami: Path) -> None:
    data = tmp_path / "notes-data"
    data.mkdir()
    trace = tmp_path / "trace.jsonl"
    result = host_run(clone_home, "notes", 1, [data], [whoami], trace=trace)
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in trace.read_text().splitlines() if line.strip()]
    host = _identity(clone_home, "notes:1")["hostname"]
    spoofs = {(e["op"], e.get("value")) for e in events if e["type"] == "spoof"}
    assert ("gethostname", host) in spoofs and ("uname", host) in spoofs
    assert any(e["type"] == "redirect" and e["path"] == "/etc/machine-id" for e in events)
