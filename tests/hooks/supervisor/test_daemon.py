"""hooks.supervisor.daemon: a child Frida reports for no run is killed, and the supervisor
goes on answering. Frida calls its handlers on its own thread; a call into Frida from there
(resuming the child) never returned, and every later call hung behind it: the supervisor
of a home froze for good, and with it every run there. Run in a process of its own, as a
supervisor is (its handler is on the process's one Frida device)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[3]

_SCENARIO = """
import os, sys, threading, time
from pathlib import Path
import subprocess
from hooks import procfs
from hooks.session import attach
from hooks.supervisor.daemon import Supervisor
from hooks.supervisor.reach import Place, listen

place = Place.of(sys.argv[1])
place.directory.mkdir(mode=0o700, parents=True)
supervisor = Supervisor(listen(place), place)
go_read, go_write = os.pipe()
# a shell that forks once told to: its child belongs to no run of the supervisor
shell = subprocess.Popen(["sh", "-c", "read _; (sleep 30) & echo $!; wait"],
                         stdin=go_read, stdout=subprocess.PIPE, text=True)
while not (procfs.read(f"/proc/{shell.pid}/wchan") or b"").endswith(b"pipe_read"):
    time.sleep(0.01)
session = attach(supervisor.device, shell.pid)
session.enable_child_gating()
os.write(go_write, b"\\n")
child = int(shell.stdout.readline())
deadline = time.monotonic() + 20
while procfs.alive(child) and time.monotonic() < deadline:
    time.sleep(0.02)
print("child killed" if not procfs.alive(child) else "child alive", flush=True)
answered = []
ask = lambda: answered.append(len(supervisor.device.enumerate_processes()))
asking = threading.Thread(target=ask, daemon=True)
asking.start()
asking.join(20)
print("frida answers" if answered else "frida hangs", flush=True)
shell.kill()
os._exit(0)
"""


def test_a_child_of_no_run_is_killed_and_the_supervisor_goes_on(tmp_path: Path) -> None:
    ran = subprocess.run(
        [sys.executable, "-c", _SCENARIO, str(tmp_path / "home")],
        cwd=_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.stdout.splitlines() == ["child killed", "frida answers"], ran.stderr
    log = tmp_path / "home" / "run" / "supervisor.log"
    assert not log.exists() or "killed process" in log.read_text()
