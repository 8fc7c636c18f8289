"""The agent reading the fast path its script carries (fastpath/index.ts, carried.ts), in a
local process loaded as a Gadget loads it: the script's source, then ``init``, nobody handing
anything over. A carried module that is not for this process, or cannot be read, leaves the
fast path to TinyCC with the reason (tests/jvm/test_fast_path.py runs a whole clone)."""

from __future__ import annotations

import json
import platform

import pytest

from hooks.payload.bundle import (
    CARRIED_MODULE,
    _Asset,
    _assets,
    _joined,
    inline_database,
    with_fast_path,
)
from hooks.payload.script import AGENT_JS
from hooks.prebuilt import read_prebuilt
from hooks.rpc import AgentRpc
from tests.hooks.agent_fixtures import INERT_POLICY, sleeping_process


@pytest.fixture(scope="module")
def x64() -> tuple[bytes, str, bytes]:
    """(the agent as built, the build's source key, its x64 module)."""
    prebuilt = read_prebuilt()
    if platform.machine() != "x86_64" or prebuilt is None or prebuilt.for_arch("x64") is None:
        pytest.skip("runs the x64 module: this machine is not x86_64, or the build had no gcc")
    so = prebuilt.for_arch("x64")
    assert so is not None
    return AGENT_JS.read_bytes(), prebuilt.key, so


def fast_path_of(script: bytes) -> str:
    with sleeping_process() as (_, session):
        loaded = session.create_script(script.decode("utf-8"), name="clonespace")
        loaded.load()
        rpc = AgentRpc(loaded)
        rpc.init(INERT_POLICY)
        return str(rpc.stats()["cmodule"])


def with_carried(bundle: bytes, value: object) -> bytes:
    """``bundle`` with ``carried.js`` holding ``value`` as it is."""
    data = f"export const CARRIED={json.dumps(value)};".encode()
    assets = [
        _Asset(f"{len(data)} {a.path}".encode(), a.path, data) if a.path == CARRIED_MODULE else a
        for a in _assets(bundle)
    ]
    return _joined(assets)


def test_the_carried_module_is_loaded(x64: tuple[bytes, str, bytes]) -> None:
    agent, key, so = x64
    assert fast_path_of(with_fast_path(agent, "x64", key, so)) == "prebuilt"


def test_a_module_for_another_arch_leaves_it_to_tinycc(x64: tuple[bytes, str, bytes]) -> None:
    agent, key, so = x64
    fast_path = fast_path_of(with_fast_path(agent, "arm64", key, so))
    assert fast_path == "tinycc: the prebuilt module is for arm64, not x64"


def test_a_module_that_cannot_be_read_leaves_it_to_tinycc(x64: tuple[bytes, str, bytes]) -> None:
    agent, key, so = x64
    damaged = inline_database(so)[:-400]
    fast_path = fast_path_of(with_carried(agent, {"arch": "x64", "key": key, "db": damaged}))
    assert fast_path.startswith("tinycc: the carried module could not be read (")
