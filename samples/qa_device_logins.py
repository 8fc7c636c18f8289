"""QA example on a phone or emulator: two clones of one APK, both running, each its own device.

    CLONE_TEST_DEVICE=emulator-5554 CLONE_SAMPLE_APK=app.apk pytest samples/qa_device_logins.py
Skips when no device is named (``--clone-device`` or ``$CLONE_TEST_DEVICE``) or no APK given.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from clone import Space


@pytest.fixture
def apk() -> Path:
    value = os.environ.get("CLONE_SAMPLE_APK")
    if not value:
        pytest.skip("set CLONE_SAMPLE_APK to the APK to clone")
    return Path(value)


def test_two_clones_run_at_once_with_their_own_ids(
    clone_space: Space, clone_device: str, apk: Path
) -> None:
    clones = clone_space.install(apk, count=2, device=clone_device)
    try:
        for clone in clones:
            clone.launch()
        pids = [clone.pids() for clone in clones]
        assert all(pids) and set(pids[0]).isdisjoint(pids[1])
        assert clones[0].identity.android_id != clones[1].identity.android_id
    finally:
        for clone in clones:
            clone.remove()
