"""hooks.supervisor.wire: whole messages both ways; what cannot be read ends the channel."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from hooks.supervisor.wire import Channel, PeerGone


@pytest.fixture
def pair() -> Iterator[tuple[Channel, Channel]]:
    a, b = socket.socketpair()
    ends = Channel(a), Channel(b)
    yield ends
    for end in ends:
        end.close()


def test_messages_arrive_whole_and_in_order(pair: tuple[Channel, Channel]) -> None:
    near, far = pair
    near.send("gate", {"pid": 42, "trace": False})
    near.send("signal", 15)
    near.send("policy", {"paths": ["x" * 200_000]})  # longer than one read
    assert far.receive(5) == ("gate", {"pid": 42, "trace": False})
    assert far.pending()
    assert far.receive(5) == ("signal", 15)
    assert far.receive(5) == ("policy", {"paths": ["x" * 200_000]})
    assert not far.pending()


def test_nothing_within_the_timeout_is_none(pair: tuple[Channel, Channel]) -> None:
    assert pair[1].receive(0.05) is None


def test_the_end_of_the_stream_is_peer_gone(pair: tuple[Channel, Channel]) -> None:
    near, far = pair
    near.close()
    with pytest.raises(PeerGone):
        far.receive(5)
    with pytest.raises(PeerGone):
        far.send("exited", 0)


@pytest.mark.parametrize("line", [b"not json\n", b"[1, 2]\n", b'{"a": 1, "b": 2}\n'])
def test_what_is_not_a_message_is_peer_gone(pair: tuple[Channel, Channel], line: bytes) -> None:
    near, far = pair
    near.sock.sendall(line)
    with pytest.raises(PeerGone, match="not a message"):
        far.receive(5)
