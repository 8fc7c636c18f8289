"""Opt-in tests on a real device (``CLONE_TEST_DEVICE=SERIAL``): the user backend, where
the device allows two more users. Skipped otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from clone.space import Space
from clone.state import UserState
from device import packages, users
from tests.on_device import helpers

SOURCE = "com.github.uiautomator"

pytestmark = [pytest.mark.device, pytest.mark.slow]


def test_two_user_clones_run_at_once_wipe_one_remove_both(
    clone_device: str, clone_space: Space, uiautomator_apk: Path
) -> None:
    dev = helpers.device(clone_device)
    before_users = {u.id for u in users.users(dev)}
    if users.max_users(dev) - len(before_users) < 2:
        pytest.skip("the device does not allow two more users")
    had_source = packages.is_installed(dev, SOURCE)
    clones = clone_space.install(uiautomator_apk, count=2, device=clone_device, backend="user")
    try:
        one = clones[0]
        uid1, uid2 = (c.state.user for c in clones if isinstance(c.state, UserState))
        for c in clones:
            c.launch()
        helpers.wait_for(
            lambda: bool(helpers.pids(dev, SOURCE, uid1)) and bool(helpers.pids(dev, SOURCE, uid2)),
            "both user clones to run",
        )
        assert set(helpers.pids(dev, SOURCE, uid1)).isdisjoint(helpers.pids(dev, SOURCE, uid2))
        if helpers.write_marker(dev, SOURCE, uid1) and helpers.write_marker(dev, SOURCE, uid2):
            one.wipe()
            assert not helpers.has_marker(dev, SOURCE, uid1)
            assert helpers.has_marker(dev, SOURCE, uid2)
    finally:
        for c in clones:
            c.remove()
    assert {u.id for u in users.users(dev)} == before_users
    assert packages.is_installed(dev, SOURCE) == had_source
    assert clone_space.records() == []


def test_a_launched_user_clone_is_on_screen(
    clone_device: str, clone_space: Space, uiautomator_apk: Path
) -> None:
    """Launch puts the clone where it can be seen: its profile started beside the owner, or
    the screen switched to its user (switched back to the owner afterwards)."""
    dev = helpers.device(clone_device)
    if users.max_users(dev) - len(users.users(dev)) < 1:
        pytest.skip("the device does not allow another user")
    before = users.current_user(dev)
    (clone,) = clone_space.install(uiautomator_apk, device=clone_device, backend="user")
    try:
        assert isinstance(clone.state, UserState)
        uid = clone.state.user
        launched = clone.launch()
        assert launched is not None
        if launched.how == "profile":
            assert users.current_user(dev) == before
        else:
            assert users.current_user(dev) == uid
        helpers.wait_for(lambda: bool(helpers.pids(dev, SOURCE, uid)), "the clone to run")
    finally:
        if users.current_user(dev) != before:
            users.switch_user(dev, before)
        clone.remove()
