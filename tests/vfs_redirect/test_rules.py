"""The rule model and the exact policy JSON of the agent contract."""

from __future__ import annotations

import errno
import json

import pytest

from vfs_redirect.rules import (
    Policy,
    RedirectRule,
    make_deny,
    make_policy,
    make_redirect,
    parse_redirect,
    policy_from_json,
)


def test_parse_redirect_canonicalises_both_sides() -> None:
    rule = parse_redirect("/home/u//.local/share/notes/=/ch/store/./host/notes/1/data/0")
    assert rule == RedirectRule("/home/u/.local/share/notes", "/ch/store/host/notes/1/data/0")


@pytest.mark.parametrize(
    ("text", "offending"),
    [
        ("/a", "/a"),
        ("rel=/b", "rel"),
        ("/a=rel", "rel"),
        ("/=/b", "/"),
        ("/..=/b", "/.."),
        ("=/b", "''"),
    ],
)
def test_parse_redirect_refuses(text: str, offending: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_redirect(text)
    assert offending.strip("'") in str(info.value)


def test_make_deny_needs_allow_below_prefix() -> None:
    rule = make_deny("/ch/", ["/ch/store/host/a/1", "/ch/store/host/a/1/data"])
    assert rule.prefix == "/ch"
    assert rule.allow == ("/ch/store/host/a/1/data", "/ch/store/host/a/1")
    for bad in ("/ch", "/chx/store", "/other"):
        with pytest.raises(ValueError, match="bad allow path"):
            make_deny("/ch", [bad])


def _policy() -> Policy:
    return make_policy(
        "notes:1",
        "linux",
        [
            make_redirect("/home/u/.local/share/notes", "/ch/store/host/notes/1/data/0"),
            make_redirect("/etc/machine-id", "/ch/store/host/notes/1/machine-id"),
            make_redirect("/home/u/.local/share/notes/deep", "/ch/store/host/notes/1/data/1"),
        ],
        [make_deny("/ch", ["/ch/store/host/notes/1"])],
        identity={"hostname": "h1", "machine_id": "0" * 32},
        trace=True,
    )


def test_to_agent_json_is_the_contract() -> None:
    assert _policy().to_agent_json() == {
        "version": 1,
        "clone": "notes:1",
        "platform": "linux",
        "redirects": [
            {"virtual": "/home/u/.local/share/notes/deep", "real": "/ch/store/host/notes/1/data/1"},
            {"virtual": "/home/u/.local/share/notes", "real": "/ch/store/host/notes/1/data/0"},
            {"virtual": "/etc/machine-id", "real": "/ch/store/host/notes/1/machine-id"},
        ],
        "deny": ["/ch"],
        "allow": ["/ch/store/host/notes/1"],
        "deny_errno": 13,
        "identity": {"hostname": "h1", "machine_id": "0" * 32},
        "accounts": [],
        "trace": True,
    }


def test_policy_json_round_trips() -> None:
    data = json.loads(json.dumps(_policy().to_agent_json()))
    assert policy_from_json(data) == _policy()


@pytest.mark.parametrize(
    ("kwargs", "offending"),
    [
        ({"clone": "notes"}, "notes"),
        ({"clone": "notes:0"}, "notes:0"),
        ({"clone": "no/tes:1"}, "no/tes:1"),
        ({"platform": "windows"}, "windows"),
        ({"deny_errno": errno.EPERM}, "1"),
    ],
)
def test_make_policy_refuses(kwargs: dict[str, object], offending: str) -> None:
    args: dict[str, object] = {"clone": "notes:1", "platform": "linux", "redirects": []}
    args.update(kwargs)
    with pytest.raises(ValueError) as info:
        make_policy(**args)  # type: ignore[arg-type]
    assert offending in str(info.value)


def test_one_virtual_cannot_map_twice() -> None:
    with pytest.raises(ValueError, match="/v"):
        make_policy("a:1", "linux", [make_redirect("/v", "/r1"), make_redirect("/v/", "/r2")])


def test_identical_rules_collapse() -> None:
    policy = make_policy("a:1", "linux", [make_redirect("/v", "/r"), make_redirect("/v/", "/r")])
    assert policy.redirects == (RedirectRule("/v", "/r"),)


def test_policy_from_json_refuses_other_versions() -> None:
    data = _policy().to_agent_json() | {"version": 2}
    with pytest.raises(ValueError, match="version 2"):
        policy_from_json(data)


def test_an_allow_inside_another_deny_must_be_allowed_there_too() -> None:
    """The agent keeps one flat list of allows: deny /a allowing /a/b/c plus deny /a/b
    allowing nothing would let /a/b/c/x through in the agent while the policy refuses it."""
    inner = make_deny("/a/b")
    with pytest.raises(ValueError, match=r"'/a/b/c'.*inside the denied '/a/b'"):
        make_policy("notes:1", "linux", [], [make_deny("/a", ["/a/b/c"]), inner])
    both = [make_deny("/a", ["/a/b/c"]), make_deny("/a/b", ["/a/b/c"])]
    policy = make_policy("notes:1", "linux", [], both)
    assert policy_from_json(policy.to_agent_json()) == policy
    deeper = [make_deny("/a", ["/a/b"]), make_deny("/a/b/c")]  # a deny inside an allow: fine
    assert make_policy("notes:1", "linux", [], deeper).deny[0].prefix == "/a/b/c"
