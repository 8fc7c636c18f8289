"""Fixtures of the JVM test bed (see bed.py): the toolchain, the compiled fake framework,
the probe app and its hooked clones, built by `clone build` as a user would."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from apk.source import load_source
from clone.cli import cli
from hooks.payload.config import PayloadNames, gadget_config, parse_config
from hooks.payload.gadget import installed_frida_version
from tests.hooks.agent_fixtures import compile_agent_entry
from tests.hooks.payload.standins import make_gadget_dir
from tests.jvm.bed import BED_ABI, Bed, BedApp, BedRun, Framework, Toolchain, install

PAYLOAD = PayloadNames("csrt")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.jvm)


@pytest.fixture(scope="session")
def tools() -> Toolchain:
    return Toolchain.find()


@pytest.fixture(scope="session")
def framework(tools: Toolchain, tmp_path_factory: pytest.TempPathFactory) -> Framework:
    return Framework.build(tools, tmp_path_factory.mktemp("bed-framework"))


@pytest.fixture(scope="session")
def standin(tools: Toolchain, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tools.standin(tmp_path_factory.mktemp("bed-gadget") / "libstandin.so")


@pytest.fixture(scope="session")
def probe_apk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from samples.probe.build import build_probe

    return build_probe(tmp_path_factory.mktemp("probe") / "probe.apk")


@dataclass(frozen=True)
class HookedClone:
    """One clone APK `clone build --hooks gadget` wrote, and the policy it embeds."""

    index: int
    package: str
    apk: Path
    policy: dict[str, Any]

    @property
    def identity(self) -> dict[str, str]:
        return dict(self.policy["identity"])

    @property
    def should_see(self) -> dict[str, str]:
        """What the probe inside this clone must report, by field: its own identity, no
        real account, the original app's signature, its own provider found by the original
        authority."""
        ids = self.identity
        return {
            "package": self.package,
            "android_id": ids["android_id"],
            "serial": ids["serial"],
            "build_serial": ids["serial"],
            "model": ids["model"],
            "imei": ids["imei"],
            "wifi_mac": ids["wifi_mac"],
            "bt_mac": ids["bt_mac"].upper(),
            "accounts": "",
            "signature": str(self.policy["original_signatures"][0]),
            "own_provider": "found",
        }


def build_clones(apk: Path, out: Path, count: int, seed: int) -> list[HookedClone]:
    """`clone build APK --hooks gadget` with stand-in Gadgets (real ELF objects, not Frida
    Gadgets: the bed puts its own stand-in in their place)."""
    gadgets = make_gadget_dir(out / "gadgets", installed_frida_version())
    home = out / "home"
    result = CliRunner().invoke(
        cli,
        [
            "build",
            str(apk),
            "--count",
            str(count),
            "--out",
            str(out / "dist"),
            "--hooks",
            "gadget",
            "--gadget-dir",
            str(gadgets),
            "--seed",
            str(seed),
            "--json",
        ],
        env={"CLONE_HOME": str(home)},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    clones = []
    for entry in json.loads(result.stdout)["clones"]:
        source = load_source(Path(entry["apk"]))
        config = source.archive.read(f"lib/{BED_ABI}/libcsrt.config.so")
        policy = parse_config(config)["interaction"]["parameters"]
        clones.append(HookedClone(entry["index"], entry["package"], Path(entry["apk"]), policy))
    return clones


@pytest.fixture(scope="session")
def probe_clones(probe_apk: Path, tmp_path_factory: pytest.TempPathFactory) -> list[HookedClone]:
    return build_clones(probe_apk, tmp_path_factory.mktemp("probe-clones"), count=2, seed=7)


@pytest.fixture(scope="session")
def installed(
    probe_clones: list[HookedClone],
    tools: Toolchain,
    framework: Framework,
    standin: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> list[BedApp]:
    """The probe's two clones, installed on the bed with the Gadget stand-in."""
    return [
        install(
            c.apk, tmp_path_factory.mktemp(f"bed-{c.package}"), tools, framework, standin=standin
        )
        for c in probe_clones
    ]


def with_policy(app: BedApp, root: Path, change: Mapping[str, object]) -> BedApp:
    """``app`` installed again under ``root``, its Gadget config's policy changed."""
    lib_dir = root / "lib"
    shutil.copytree(app.lib_dir, lib_dir)
    config = lib_dir / PAYLOAD.config
    policy = {**parse_config(config.read_bytes())["interaction"]["parameters"], **change}
    config.write_bytes(gadget_config(PAYLOAD, policy))
    (root / "data").mkdir()
    return replace(app, lib_dir=lib_dir, data_dir=root / "data")


def with_script(app: BedApp, root: Path, script: Path) -> BedApp:
    """``app`` installed again under ``root`` with ``script`` as its agent."""
    copy = with_policy(app, root, {})
    shutil.copyfile(script, copy.lib_dir / PAYLOAD.script)
    return copy


def compile_deferred_probe(out: Path) -> Path:
    """hooks/agent/src/android/deferred-probe.ts compiled: it hooks with Java.perform."""
    return compile_agent_entry("src/android/deferred-probe.ts", out)


@pytest.fixture(scope="session")
def deferred_started(
    tools: Toolchain,
    framework: Framework,
    installed: list[BedApp],
    tmp_path_factory: pytest.TempPathFactory,
) -> BedRun:
    """Clone 1 started with the deferred probe as its agent, and ANDROID_ID read after."""
    root = tmp_path_factory.mktemp("deferred")
    app = with_script(installed[0], root, compile_deferred_probe(root / "deferred.js"))
    bed = Bed(tools, framework)
    with bed.start(app) as run:
        run.lines.append(f"after start: {bed.call('settings_secure', 'android_id')}")
    return run


@pytest.fixture(scope="module")
def app(tools: Toolchain, framework: Framework, installed: list[BedApp]) -> Iterator[Bed]:
    """Clone 1 of the probe, started and kept running for a module's calls."""
    bed = Bed(tools, framework)
    with bed.start(installed[0]) as run:
        assert run.lines[-1] == "bed: started", run.lines
        yield bed


@pytest.fixture(scope="module")
def clone(probe_clones: list[HookedClone]) -> HookedClone:
    """Clone 1 of the probe, as `clone build` wrote it."""
    return probe_clones[0]


@pytest.fixture
def bed(tools: Toolchain, framework: Framework) -> Bed:
    return Bed(tools, framework)


@pytest.fixture(scope="session")
def started(tools: Toolchain, framework: Framework, installed: list[BedApp]) -> Iterator[list[Any]]:
    """Each probe clone started once on the bed (its BedRun, after the JVM has exited);
    the tests that only read what the app saw share these."""
    runs = []
    for app in installed:
        with Bed(tools, framework).start(app) as run:
            pass
        runs.append(run)
    yield runs
