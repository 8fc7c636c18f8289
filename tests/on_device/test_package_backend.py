"""Opt-in tests on a real phone or emulator (``CLONE_TEST_DEVICE=SERIAL``): the package
backend. Skipped when no device is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from clone.space import Space
from tests.on_device import helpers

SOURCE = "com.github.uiautomator"  # app-uiautomator.apk: no native code, debuggable

pytestmark = [pytest.mark.device, pytest.mark.slow]


def test_two_clones_run_at_once_wipe_one_remove_both(
    clone_device: str, clone_space: Space, uiautomator_apk: Path
) -> None:
    dev = helpers.device(clone_device)
    assert helpers.leftover_clones(dev, SOURCE) == [], "the device has clones from before"
    clones = clone_space.install(uiautomator_apk, count=2, device=clone_device, hooks="none")
    try:
        assert [c.package for c in clones] == [f"{SOURCE}.clone1", f"{SOURCE}.clone2"]
        one, two = clones
        for c in clones:
            c.launch()
        helpers.wait_for(lambda: bool(one.pids()) and bool(two.pids()), "both clones to run")
        assert set(one.pids()).isdisjoint(two.pids())  # two processes, two pids

        assert one.package and two.package
        if not (helpers.write_marker(dev, one.package) and helpers.write_marker(dev, two.package)):
            pytest.skip("run-as cannot write into the clones' data on this device")
        one.wipe()
        assert not helpers.has_marker(dev, one.package)
        assert helpers.has_marker(dev, two.package)  # the other clone keeps its data
    finally:
        for c in clones:
            c.remove()
    assert helpers.leftover_clones(dev, SOURCE) == []
    assert clone_space.records() == []
