"""hooks.supervisor.reach: one supervisor per CLONE_HOME, however many clients start at once;
one of another build is refused, never used; an idle one leaves, and the next run starts
another; asked, one says how it is, which keeps it no longer, and one told to retire takes
no more runs and leaves once its own have ended. Real supervisor processes (they import
Frida and load the agent)."""

from __future__ import annotations

import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hooks import procfs
from hooks.errors import SupervisorUnavailable
from hooks.supervisor.reach import Place, ask, connect, listen, running
from tests.hooks.supervisor.conftest import IDLE_S
from tests.hooks.supervisor.supervisors import answering, run_held, wait_until


def _connected_pid(home: Path) -> int:
    channel, pid = connect(home)
    channel.close()
    return pid


def test_eight_clients_at_once_start_one_supervisor(supervisor_home: Path) -> None:
    with ThreadPoolExecutor(8) as pool:
        pids = set(pool.map(lambda _: _connected_pid(supervisor_home), range(8)))
    assert len(pids) == 1
    assert running(supervisor_home) == list(pids)
    place = Place.of(supervisor_home)
    assert place.socket.stat().st_mode & 0o777 == 0o600
    assert place.directory.stat().st_mode & 0o777 == 0o700


def test_an_idle_supervisor_leaves_and_the_next_client_starts_another(
    supervisor_home: Path,
) -> None:
    first = _connected_pid(supervisor_home)
    wait_until(lambda: not running(supervisor_home), IDLE_S + 10, "the supervisor left")
    assert not Place.of(supervisor_home).socket.exists()
    second = _connected_pid(supervisor_home)
    assert second != first
    assert running(supervisor_home) == [second]


def test_a_home_too_long_for_a_socket_address_works(tmp_path: Path, supervisor_home: Path) -> None:
    deep = supervisor_home / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    assert len(str(Place.of(deep).socket)) > 108
    pid = _connected_pid(deep)
    assert _connected_pid(deep) == pid
    assert running(deep) == [pid]


@pytest.mark.parametrize(
    ("name", "says"), [("mismatch", "another build"), ("refused", "refused: no")]
)
def test_a_supervisor_that_will_not_serve_is_unavailable(
    supervisor_home: Path, name: str, says: str
) -> None:
    answerer = answering(Place.of(supervisor_home), name, "no")
    with pytest.raises(SupervisorUnavailable, match=says):
        connect(supervisor_home)
    answerer.join(10)
    assert not running(supervisor_home)  # none started in its place


def test_a_stale_socket_is_replaced(supervisor_home: Path) -> None:
    place = Place.of(supervisor_home)
    place.directory.mkdir(mode=0o700)
    listen(place).close()  # bound, nobody listening
    assert place.socket.exists()
    assert _connected_pid(supervisor_home) in running(supervisor_home)


def _status(place: Place) -> dict[str, object] | None:
    """Its status, None while none listens (or one is being started)."""
    try:
        return ask(place, "status")
    except SupervisorUnavailable:
        return None


def test_asked_for_its_status_an_idle_supervisor_still_leaves(supervisor_home: Path) -> None:
    # a question is no run: asked every 0.3 s, it leaves IDLE_S after its last run all the same
    pid = _connected_pid(supervisor_home)
    (place,) = Place.every(supervisor_home)
    assert place.tag == Place.of(supervisor_home).tag
    status = ask(place, "status")
    assert status is not None
    assert status["pid"] == pid and status["runs"] == 0 and status["retiring"] is False
    assert status["build"] == Place.of(supervisor_home).build
    asked = 1
    deadline = time.monotonic() + IDLE_S + 10
    while running(supervisor_home) and time.monotonic() < deadline:
        asked += ask(place, "status") is not None
        time.sleep(0.3)
    assert not running(supervisor_home) and asked > IDLE_S / 0.3 - 2
    assert ask(place, "status") is None  # nobody there: no error


def test_a_retired_supervisor_finishes_its_runs_and_takes_no_more(
    supervisor_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLONE_SUPERVISOR", "shared")
    with run_held(supervisor_home, tmp_path, 3) as release:
        place = Place.of(supervisor_home)
        wait_until(lambda: (_status(place) or {}).get("runs") == 1, 60, "the run went on")
        status = ask(place, "retire")
        assert status is not None and status["retiring"] is True and status["runs"] == 1
        first = status["pid"]
        assert not place.socket.exists()  # the next run starts another at once
        second = _connected_pid(supervisor_home)
        assert second != first and set(running(supervisor_home)) == {first, second}
        ran = release()  # the retired one's run goes on to its end
    assert (ran.returncode, ran.stdout, ran.stderr) == (3, "late\n", "")
    wait_until(lambda: running(supervisor_home) == [second], 10, "the retired one left")


def test_a_supervisor_whose_home_was_deleted_still_leaves(supervisor_home: Path) -> None:
    # a test's temporary home, say: no lock to leave under any more, and no client to come
    pid = _connected_pid(supervisor_home)
    shutil.rmtree(supervisor_home)
    wait_until(lambda: not procfs.alive(pid), IDLE_S + 10, "the supervisor left")


def test_a_client_whose_supervisor_leaves_during_its_hello_starts_the_next(
    supervisor_home: Path,
) -> None:
    # the window between an idle supervisor deciding to leave and its socket going (too
    # narrow to hit by timing): a stand-in takes the connection, then leaves as a supervisor
    # does, socket first; the client reads the end of the stream and tries again, under the
    # lock, which starts the next supervisor
    place = Place.of(supervisor_home)
    place.directory.mkdir(mode=0o700)
    listener = listen(place)

    def leave_during_hello() -> None:
        with listener:
            sock, _ = listener.accept()
            place.socket.unlink()
            sock.close()

    stand_in = threading.Thread(target=leave_during_hello, daemon=True)
    stand_in.start()
    pid = _connected_pid(supervisor_home)
    stand_in.join(10)
    assert running(supervisor_home) == [pid]
