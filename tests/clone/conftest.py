"""The FAKE adb server fixtures of tests/device, for the API tests that install a clone."""

from __future__ import annotations

from tests.device.conftest import fake_adb, fake_phone

__all__ = ["fake_adb", "fake_phone"]
