"""What a hooked clone sees at every start-up step, on the JVM test bed: the probe app's
two clones, built by `clone build --hooks gadget`, started from ActivityThread.main.

The hooks must be in place before the app's first line: SDKs that start in a
ContentProvider or in Application.attachBaseContext/onCreate read the identity once."""

from __future__ import annotations

from typing import Any

import pytest

from tests.jvm.bed import REAL_DEVICE, BedRun
from tests.jvm.conftest import HookedClone
from tests.jvm.table import STEPS

FIELDS = (
    "package",
    "android_id",
    "serial",
    "build_serial",
    "model",
    "imei",
    "wifi_mac",
    "bt_mac",
    "accounts",
    "signature",
    "own_provider",
)


def test_steps_follow_aosp_handle_bind_application(started: list[BedRun]) -> None:
    steps = started[0].steps
    assert steps[:3] == ["bind", "makeApplication", "attachBaseContext"]
    assert steps[3].startswith("provider ")
    assert steps[4:] == ["Application.onCreate", f"activity {steps[5].split(' ', 1)[1]}"]
    assert [s["step"] for s in started[0].seen] == list(STEPS)


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("field", FIELDS)
def test_every_step_sees_the_clone(
    started: list[BedRun], probe_clones: list[HookedClone], step: str, field: str
) -> None:
    for run, clone in zip(started, probe_clones, strict=True):
        assert run.seen_at(step)[field] == clone.should_see[field], (clone.package, step)


def test_the_two_clones_differ(started: list[BedRun]) -> None:
    first, second = (run.seen_at("attachBaseContext") for run in started)
    for field in ("android_id", "serial", "imei", "wifi_mac", "bt_mac"):
        assert first[field] != second[field], field
        assert REAL_DEVICE[field].lower() not in (first[field].lower(), second[field].lower())


def test_every_java_hook_group_installed(started: list[BedRun]) -> None:
    """A group that hooks nothing on the bed (every class it needs exists here) is a defect,
    not a skip. native_properties is bionic's __system_property_*: there is none on glibc."""
    for run in started:
        report: dict[str, Any] = dict(run.hook_report or {})
        assert report.pop("native_properties") == 0
        failed = {k: v for k, v in report.items() if not isinstance(v, int) or v <= 0}
        assert not failed, failed
        assert set(report) == {
            "app_class_loader",
            "settings",
            "telephony",
            "subscriptions",
            "build",
            "mac",
            "advertising_id",
            "gsf_id",
            "system_properties",
            "accounts",
            "signatures",
            "authorities",
            "permissions",
            "own_package",
        }
        assert run.startup_line is not None and "failed=" not in run.startup_line
        assert not [e for e in run.events if e.get("op") == "install"]
