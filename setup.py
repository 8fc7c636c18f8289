"""Build hook: a wheel always carries the Frida agent (``hooks/agent/dist/agent.js``).

A wheel built from a plain ``git clone`` would otherwise install without the agent, and
every hooked command would then fail inside site-packages, where ``make agent`` cannot
help. So building a wheel builds the agent first (``npm ci`` + ``npm run build`` in
``hooks/agent``, needs Node.js and npm) and fails loudly when it cannot. Editable installs
(``make setup``) are left alone: ``make agent`` builds the bundle in place.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
AGENT = ROOT / "hooks" / "agent"
AGENT_JS = AGENT / "dist" / "agent.js"


class BuildPyWithAgent(build_py):
    def run(self) -> None:
        if not getattr(self, "editable_mode", False):
            ensure_agent()
        super().run()


def ensure_agent() -> None:
    if AGENT_JS.is_file() and AGENT_JS.stat().st_size > 0:
        return
    npm = shutil.which("npm")
    if npm is None or not (AGENT / "package.json").is_file():
        raise SystemExit(
            f"error: the Frida agent is not built ({AGENT_JS.relative_to(ROOT)} is missing) "
            "and npm is not available to build it; install Node.js and npm, or run "
            "'make agent', then build the wheel again (a wheel without the agent cannot "
            "hook anything)"
        )
    print("building the Frida agent (npm ci, npm run build in hooks/agent)")
    for step in (["ci", "--no-audit", "--no-fund", "--loglevel=error"], ["run", "build"]):
        done = subprocess.run([npm, *step], cwd=AGENT, check=False)
        if done.returncode != 0:
            raise SystemExit(f"error: 'npm {' '.join(step)}' in hooks/agent failed; see above")
    if not AGENT_JS.is_file():
        raise SystemExit(f"error: the agent build did not write {AGENT_JS.relative_to(ROOT)}")


setup(cmdclass={"build_py": BuildPyWithAgent})
