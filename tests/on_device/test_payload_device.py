"""Opt-in device test of the hook payload (``CLONE_TEST_DEVICE=SERIAL``): a hooked clone
installs, starts, and the agent's start-up line with the clone's id shows in ``adb logcat``,
saying ``fastpath=prebuilt`` where the payload carries the C fast path for the device's ABI
(the module compiled ahead of time loaded as a binary CModule: the one check of the arm64,
arm and x86 modules that runs them; off a phone they are only checked structurally).

It needs the REAL Frida Gadget of the installed frida's version for the device's ABIs (the
stand-ins of the unit tests cannot run an agent): from ``$CLONE_TEST_GADGET_DIR`` (files
``frida-gadget-<version>-android-<arch>.so``), else the gadget cache of ``$CLONE_HOME``
(downloaded from Frida's releases when reachable). Skipped when neither is available.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from apk.pipeline import build_clones
from apk.signing.keys import generate
from apk.splits import load_app
from clone.errors import CloneError
from clone.home import Home
from clone.workflows.payload import HookMode, HookPlan, prepare_hooks
from device import adb as adblayer
from device import packages
from tests.on_device import helpers

SOURCE = "com.github.uiautomator"  # app-uiautomator.apk: no native code
CLONE = f"{SOURCE}.clone1"
STARTUP_WAIT = 60.0

pytestmark = [pytest.mark.device, pytest.mark.slow]


def hook_plan(uiautomator_apk: Path, abis: tuple[str, ...]) -> HookPlan:
    env_dir = os.environ.get("CLONE_TEST_GADGET_DIR")
    try:
        return prepare_hooks(
            load_app([uiautomator_apk]),
            HookMode.GADGET,
            gadget_dir=Path(env_dir) if env_dir else None,
            cache_root=Home.from_env().gadget_cache,
            device_abis=abis,
        )
    except CloneError as e:
        pytest.skip(f"no real Frida Gadget for {', '.join(abis)}: {e}")


def test_hooked_clone_starts_and_the_agent_logs_its_clone_id(
    clone_device: str, uiautomator_apk: Path, tmp_path: Path
) -> None:
    dev = helpers.device(clone_device)
    assert not packages.is_installed(dev, CLONE), f"{CLONE} is installed from before"
    abis = adblayer.parse_abilist(adblayer.getprop(dev, "ro.product.cpu.abilist"))
    plan = hook_plan(uiautomator_apk, abis)
    app = load_app([uiautomator_apk])
    specs = [plan.spec(1, CLONE)]
    (built,) = build_clones(app, specs, tmp_path, generate(), None, plan.replaced_entries)
    clone_id = plan.policy(1, CLONE)["clone"]
    packages.install(dev, CLONE, [built.apk])
    try:
        adblayer.check(dev, ["logcat", "-c"])
        packages.launch(dev, packages.resolve_launcher(dev, CLONE))
        helpers.wait_for(lambda: bool(helpers.pids(dev, CLONE)), "the clone to run")

        lines: list[str] = []

        def logged() -> bool:
            log = adblayer.run(dev, ["logcat", "-d"], timeout=30).stdout
            lines[:] = [line for line in log.splitlines() if f"clone={clone_id}" in line]
            return bool(lines)

        helpers.wait_for(logged, f"the agent's start-up line for {clone_id}", STARTUP_WAIT)
        assert helpers.pids(dev, CLONE), "the hooked clone died after the agent started"
        fast_path = plan.summary()["fast_path"].get(abis[0])  # the app runs in the primary ABI
        if fast_path is not None:
            assert f" fastpath={fast_path}" in lines[0], lines[0]
    finally:
        packages.uninstall(dev, CLONE)
    assert not packages.is_installed(dev, CLONE)
