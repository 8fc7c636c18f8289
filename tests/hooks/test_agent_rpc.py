"""The agent's RPC facade in a real process: the policy it keeps and its start-up line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from hooks.agent_bundle import agent_source
from hooks.rpc import AgentRpc
from tests.hooks.agent_fixtures import sleeping_process

POLICY: dict[str, Any] = {
    "version": 1,
    "clone": "com.example:2",
    "platform": "linux",
    "redirects": [{"virtual": "/nonexistent/app", "real": "/nonexistent/store/2"}],
    "deny": [],
    "allow": [],
    "deny_errno": 13,
    "identity": {},
    "accounts": [],
    "trace": False,
    "original_package": "com.example",
    "clone_package": "com.example.clone2",
    "original_signatures": ["3082"],
    "authorities": {"com.example.files": "com.example.clone2.files"},
    "permissions": {"org.vendor.PUSH": "org.vendor.PUSH.clone2"},
}


@pytest.fixture
def agent() -> Iterator[AgentRpc]:
    with sleeping_process(60) as (_, session):
        script = session.create_script(agent_source())
        script.load()
        yield AgentRpc(script)


def test_nothing_before_init(agent: AgentRpc) -> None:
    assert agent.policy() is None
    assert agent.startup_line() is None


def test_android_keys_pass_through_the_policy(agent: AgentRpc) -> None:
    agent.init(POLICY)
    kept = agent.policy()
    assert kept is not None
    keys = (
        "original_package",
        "clone_package",
        "original_signatures",
        "authorities",
        "permissions",
    )
    for key in keys:
        assert kept[key] == POLICY[key]


def test_startup_line_names_the_clone(agent: AgentRpc) -> None:
    agent.init(POLICY)
    line = agent.startup_line()
    assert line is not None
    assert "clone=com.example:2" in line
    assert f"pid={agent.stats()['pid']}" in line
