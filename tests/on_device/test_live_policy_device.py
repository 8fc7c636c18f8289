"""Opt-in device tests (``CLONE_TEST_DEVICE=SERIAL``) of issue #11: each clone is signed with
its own key (defect 3), and a changed identity reaches an installed hooked clone by a
reinstall that keeps its data (defect 1). Skipped when no device is named; never faked."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from clone.errors import CloneError
from clone.space import Space
from device import packages
from tests.on_device import helpers

SOURCE = "com.github.uiautomator"  # app-uiautomator.apk: no native code, debuggable

pytestmark = [pytest.mark.device, pytest.mark.slow]


def _installed_apk(serial: str, package: str, out: Path) -> Path:
    dev = helpers.device(serial)
    return packages.pull(dev, packages.apk_paths(dev, package)[0], out)


def _certificate(apk: Path) -> str:
    done = subprocess.run(
        ["apksigner", "verify", "--print-certs", str(apk)], capture_output=True, text=True
    )
    found = re.search(r"certificate SHA-256 digest: (\w+)", done.stdout)
    assert found, done.stdout + done.stderr
    return found.group(1)


def test_clones_on_the_phone_have_their_own_certificates(
    clone_device: str, clone_space: Space, uiautomator_apk: Path, tmp_path: Path
) -> None:
    dev = helpers.device(clone_device)
    assert helpers.leftover_clones(dev, SOURCE) == [], "the device has clones from before"
    clones = clone_space.install(uiautomator_apk, count=2, device=clone_device, hooks="none")
    try:
        certs = [
            _certificate(_installed_apk(clone_device, str(c.package), tmp_path / f"{n}.apk"))
            for n, c in enumerate(clones)
        ]
        assert certs[0] != certs[1]
    finally:
        for c in clones:
            c.remove()


def test_identity_regen_reinstalls_the_hooked_clone_keeping_its_data(
    clone_device: str, clone_space: Space, uiautomator_apk: Path, tmp_path: Path
) -> None:
    dev = helpers.device(clone_device)
    assert helpers.leftover_clones(dev, SOURCE) == [], "the device has clones from before"
    try:
        (clone,) = clone_space.install(
            uiautomator_apk,
            device=clone_device,
            hooks="gadget",
            gadget_dir=os.environ.get("CLONE_TEST_GADGET_DIR"),
        )
    except CloneError as e:
        if "gadget" in str(e).lower():
            pytest.skip(f"no real Frida Gadget: {e}")
        raise
    try:
        assert clone.package
        marked = helpers.write_marker(dev, clone.package)
        new = clone_space.regen_identity(clone.name, seed=3)
        update = clone_space.update_device(clone.name)
        assert update.reinstalled, update.message
        apk = _installed_apk(clone_device, clone.package, tmp_path / "after.apk")
        with zipfile.ZipFile(io.BytesIO(apk.read_bytes())) as z:
            configs = [n for n in z.namelist() if n.endswith(".config.so")]
            policies = [json.loads(z.read(n))["interaction"]["parameters"] for n in configs]
        assert policies and all(p["identity"] == new.to_dict() for p in policies)
        if marked:
            assert helpers.has_marker(dev, clone.package)  # install -r kept its data
    finally:
        clone.remove()
