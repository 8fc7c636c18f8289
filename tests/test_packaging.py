"""The wheel a user builds from a plain checkout: it carries the agent and the .kv files,
or the build fails saying why (never a wheel that cannot hook anything)."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _plain_checkout(dest: Path) -> Path:
    """The repository's files as ``git clone`` gives them: no .venv, node_modules, dist/."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split("\n")  # fmt: skip
    for name in filter(None, listed):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    assert not (dest / "hooks/agent/dist/agent.js").exists()
    return dest


def _pip_wheel(src: Path, out: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)],
        capture_output=True, text=True, env=env, check=False, timeout=280,
    )  # fmt: skip


CROSS = {
    "arm64": "aarch64-linux-gnu-gcc",
    "arm": "arm-linux-gnueabihf-gcc",
    "ia32": "i686-linux-gnu-gcc",
}


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm to build the agent")
def test_a_wheel_from_a_plain_checkout_carries_the_agent_and_kv_files(tmp_path: Path) -> None:
    src = _plain_checkout(tmp_path / "src")
    done = _pip_wheel(src, tmp_path / "wheels", dict(os.environ))
    assert done.returncode == 0, done.stderr[-2000:]
    [wheel] = (tmp_path / "wheels").glob("clonespace-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "hooks/agent/dist/agent.js" in names
    assert "hooks/agent/dist/agent.single.js" in names  # what host runs load as bytecode
    assert "hooks/agent/dist/agent.single.fastpath.json" in names  # its C source, for TinyCC
    assert "hooks/agent/dist/cmodule/manifest.json" in names
    if platform.machine() == "x86_64" and shutil.which("cc") is not None:
        assert "hooks/agent/dist/cmodule/redirect-x64.so" in names  # the prebuilt fast path
    for arch, compiler in CROSS.items():  # the phone's, for the clones' payloads
        if shutil.which(compiler) is not None:
            assert f"hooks/agent/dist/cmodule/redirect-{arch}.so" in names
    assert {"launcher_ui/kv/clones.kv", "launcher_ui/kv/details.kv"} <= set(names)
    assert "deprecated" not in done.stderr  # project.license is an SPDX string


@pytest.mark.slow
def test_a_wheel_without_npm_and_without_the_agent_fails_loudly(tmp_path: Path) -> None:
    src = _plain_checkout(tmp_path / "src")
    python_only = tmp_path / "bin"
    python_only.mkdir()
    env = dict(os.environ, PATH=str(python_only))
    done = _pip_wheel(src, tmp_path / "wheels", env)
    assert done.returncode != 0
    assert "the Frida agent is not built" in done.stdout + done.stderr
    assert not list(tmp_path.glob("wheels/*.whl"))
