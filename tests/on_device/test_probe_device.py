"""Opt-in device test of the probe app (``CLONE_TEST_DEVICE=SERIAL``): its two hooked clones
on a phone or emulator, started as a user would, each log what they see at every start-up
step (``adb logcat -s clonespace-probe``); every step shows the clone's own identity and the
original app's certificate (API 30-33: also through the process's package-info cache), from
``attachBaseContext`` on. The phone twin of ``tests/jvm/test_start_order.py``.

Needs a real Frida Gadget for the device's ABIs (``$CLONE_TEST_GADGET_DIR`` or the gadget
cache); skipped with the reason when there is none, never faked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clone.space import Space
from device import adb as adblayer
from tests.on_device import helpers

SOURCE = "com.clonespace.probe"
TAG = "clonespace-probe"
STEPS = (
    "attachBaseContext",
    "ContentProvider.onCreate",
    "Application.onCreate",
    "Activity.onCreate",
)

pytestmark = [pytest.mark.device, pytest.mark.slow]


@pytest.fixture
def probe_apk(tmp_path: Path) -> Path:
    from samples.probe.build import build_probe

    return build_probe(tmp_path / "probe.apk")


@pytest.fixture
def clones(clone_device: str, clone_space: Space, probe_apk: Path) -> Iterator[list[Any]]:
    with helpers.hooked_clones(clone_space, probe_apk, SOURCE, clone_device) as installed:
        yield installed


def _reports(serial: str, package: str) -> dict[str, dict[str, Any]]:
    """The probe's logcat reports of ``package``'s process, by step."""
    dev = helpers.device(serial)
    out = adblayer.run(dev, ["logcat", "-d", "-s", TAG, "-v", "raw"]).output
    found: dict[str, dict[str, Any]] = {}
    for line in out.splitlines():
        if line.startswith("{"):
            report = json.loads(line)
            if report.get("package") == package:
                found[report["step"]] = report
    return found


def test_each_probe_clone_sees_its_own_identity_from_the_first_step(
    clone_device: str, clones: list[Any], probe_apk: Path
) -> None:
    from apk.facts import signing_certificates
    from apk.source import load_source

    (original,) = signing_certificates(load_source(probe_apk))
    dev = helpers.device(clone_device)
    adblayer.run(dev, ["logcat", "-c"])
    seen = []
    for c in clones:
        c.launch()
        package: str = c.package

        def reported_all(package: str = package) -> bool:
            return len(_reports(clone_device, package)) == len(STEPS)

        helpers.wait_for(reported_all, f"{c.name} to report every start-up step", 60)
        seen.append(_reports(clone_device, package))
    for c, reports in zip(clones, seen, strict=True):
        for step in STEPS:
            assert reports[step]["android_id"] == c.identity.android_id, (c.name, step)
            assert reports[step]["build_serial"] == c.identity.serial, (c.name, step)
            assert reports[step]["own_provider"] == "found", (c.name, step)
            assert reports[step]["signature"] == original, (c.name, step)
    assert seen[0]["attachBaseContext"]["android_id"] != seen[1]["attachBaseContext"]["android_id"]
