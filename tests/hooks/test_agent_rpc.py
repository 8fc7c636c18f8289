"""The agent's RPC facade in a real process: the policy it keeps and its start-up line."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from hooks import procfs
from hooks.agent_bundle import agent_source
from hooks.errors import PolicyError
from hooks.rpc import AgentRpc
from tests.hooks.agent_fixtures import INERT_POLICY, sleeping_process
from vfs_redirect.rules import (
    AndroidNames,
    HostLink,
    make_deny,
    make_policy,
    make_redirect,
    policy_from_json,
)

POLICY: dict[str, Any] = {
    **INERT_POLICY,
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


def test_the_agent_parses_what_python_writes(agent: AgentRpc) -> None:
    """One policy type: every field vfs_redirect.rules.Policy writes comes back, field by
    field, from the agent's parser (policy.ts), and Python reads it back the same."""
    policy = make_policy(
        "com.example:2",
        "android",
        [make_redirect("/data/data/com.example", "/data/data/com.example.clone2")],
        [make_deny("/nonexistent/stores", ["/nonexistent/stores/2"])],
        deny_errno=2,
        identity={"android_id": "0123456789abcdef"},
        accounts=[{"type": "com.example", "name": "alice"}],
        trace=True,
        android=AndroidNames(
            "com.example",
            "com.example.clone2",
            ("3082abcd",),
            {"com.example.files": "com.example.clone2.files"},
            {"org.vendor.PUSH": "org.vendor.PUSH.clone2"},
            {"com.example.SYNC": "com.example.clone2.SYNC"},
        ),
        host=HostLink(os.getpid(), procfs.start_ticks(os.getpid()) or 0),
    )
    written = policy.to_agent_json()
    agent.init(written)
    assert agent.policy() == written
    assert policy_from_json(written) == policy


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("authorities", {"com.example.files": 1}),
        ("original_signatures", ["not hex"]),
        ("clone_package", ""),
    ],
)
def test_bad_android_names_are_refused(agent: AgentRpc, key: str, value: object) -> None:
    with pytest.raises(PolicyError, match=key):
        agent.init({**POLICY, key: value})


def test_startup_line_names_the_clone(agent: AgentRpc) -> None:
    agent.init(POLICY)
    line = agent.startup_line()
    assert line is not None
    assert "clone=com.example:2" in line
    assert f"pid={agent.stats()['pid']}" in line
    kind = "tinycc" if str(agent.stats()["cmodule"]).startswith("tinycc") else "prebuilt"
    assert f" fastpath={kind}" in line
