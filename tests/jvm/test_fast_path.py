"""The C fast path by the payload's route, on the JVM test bed: a clone built by `clone build`
carries, in its ``lib/x86_64/libcsrt.script.so``, the module compiled ahead of time for
x86_64, and its agent, loaded as the Gadget loads it (the script's text and the config's
parameters, no host handing anything over), runs that module as a binary CModule rather than
compiling redirect.c with TinyCC. The phone's ABIs (arm64, arm, x86) take the same route in
the agent, but their modules are only checked structurally here (tests/hooks/test_prebuilt.py):
nothing here runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from hooks.payload.script import AGENT_JS
from hooks.prebuilt import read_prebuilt
from tests.jvm.bed import BED_ABI, Bed, BedApp, BedRun, Framework, Toolchain
from tests.jvm.conftest import with_script


@pytest.fixture(autouse=True)
def x64_module() -> None:
    prebuilt = read_prebuilt()
    if BED_ABI != "x86_64" or prebuilt is None or prebuilt.for_arch("x64") is None:
        pytest.skip("the bed runs the x64 module: this machine is not x86_64, or no C compiler")


def test_the_clone_runs_the_module_its_script_carries(started: list[BedRun]) -> None:
    for run in started:
        assert run.agent_error is None, run.agent_log
        assert run.fast_path == "prebuilt"
        assert run.startup_line is not None and " fastpath=prebuilt" in run.startup_line


def test_an_android_clone_leaves_the_host_name_alone(started: list[BedRun]) -> None:
    """A phone answers "localhost" to every app, so an Android clone's fast path replaces
    neither gethostname nor uname (a host clone's answers its own host name there)."""
    for run in started:
        assert "open" in run.file_hooks and "openat" in run.file_hooks, run.file_hooks
        assert not {"gethostname", "uname"} & set(run.file_hooks)


def test_the_agent_as_built_carries_none_and_compiles_it(
    tools: Toolchain, framework: Framework, installed: list[BedApp], tmp_path: Path
) -> None:
    """The same clone with the agent as `make agent` wrote it in place of its script: no
    module in it and nobody to hand one over, so TinyCC (what every start cost before)."""
    app = with_script(installed[0], tmp_path, AGENT_JS)
    with Bed(tools, framework).start(app) as run:
        pass
    assert run.agent_error is None, run.agent_log
    assert run.fast_path == "tinycc: no prebuilt module offered"
    assert run.startup_line is not None and " fastpath=tinycc" in run.startup_line
