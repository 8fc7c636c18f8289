"""hooks.supervisor.reach: one supervisor per CLONE_HOME, however many clients start at once;
one of another build is refused, never used; an idle one leaves, and the next run starts
another. Real supervisor processes (they import Frida and load the agent)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hooks.errors import SupervisorUnavailable
from hooks.supervisor.reach import Place, connect, listen, running
from tests.hooks.supervisor.conftest import IDLE_S
from tests.hooks.supervisor.supervisors import answering, wait_until


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
