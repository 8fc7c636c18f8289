"""The demo as a sequence of steps. Each step returns what it showed; the CLI prints it.

Everything happens in a ``CLONE_HOME`` of its own under ``root`` (the user's registry is
untouched); the CLI gives it ``$CLONE_HOME/demo`` and leaves the clones there to look at.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clone.errors import OperationFailed
from clone.space import Space

PROBE = Path(__file__).with_name("probe.py")
APP = "notes"


@dataclass(frozen=True)
class Step:
    """One part of the demo: a title and the lines it shows."""

    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Tour:
    """Where the demo works: ``root`` holds its CLONE_HOME, the app's data and the APKs."""

    root: Path
    apk: Path | None
    cache: Path

    @property
    def space(self) -> Space:
        return Space(home=self.root / "clone-home")

    @property
    def data(self) -> Path:
        """The notes app's real data directory (its owner's, outside any clone)."""
        return self.root / "notes-data"

    def steps(self) -> Iterator[Callable[[], Step]]:
        yield self.build_step
        yield self.host_step
        yield self.isolation_step

    def build_step(self) -> Step:
        from clone.demo.sample_apk import sample_apk

        apk = self.apk or sample_apk(self.cache)
        with self.space as space:
            result = space.build(apk, count=2, out=self.root / "dist", hooks="none")
        src = result.source
        lines = [f"source  {src.package} (versionCode {src.version_code}, minSdk {src.min_sdk})"]
        for c in result.clones:
            size = c.apk.stat().st_size / 1e6
            lines.append(f"clone {c.index} {c.package}  {c.apk.name}  {size:.1f} MB")
            lines.append(f"        {_verify(c.apk)}")
        lines.append("(--hooks none: the Frida Gadget is downloaded on first real use)")
        return Step(
            "1. Two installable clones of a real APK, rewritten in pure Python", tuple(lines)
        )

    def host_step(self) -> Step:
        self.data.mkdir(parents=True, exist_ok=True)
        _probe(None, self.data, "login", "owner")
        with self.space as space:
            clones = [space.host_clone(APP, n, data=[self.data]) for n in (1, 2)]
            for clone, user in zip(clones, ("alice", "bob"), strict=True):
                _probe(clone, self.data, "login", user)
            seen = {"real": _show(None, self.data)}
            for clone in clones:
                seen[clone.name] = _show(clone, self.data)
        users = {who: v["user"] for who, v in seen.items()}
        expected = {"real": "owner", f"{APP}:1": "alice", f"{APP}:2": "bob"}
        if users != expected:
            raise OperationFailed(f"the clones did not keep their own logins: {users}")
        lines = [f"{'who':<9} {'user':<7} {'hostname':<18} machine-id"]
        for who, v in seen.items():
            lines.append(f"{who:<9} {v['user']:<7} {v['hostname']:<18} {v['machine_id']}")
        lines.append(f"each clone saw its data at {self.data} (cwd {seen[f'{APP}:1']['cwd']})")
        return Step(
            "2. One Linux app, two host clones, each with its own login and device", tuple(lines)
        )

    def isolation_step(self) -> Step:
        with self.space as space:
            one = space.host_clone(APP, 1, data=[self.data])
            two = space.host_clone(APP, 2, data=[self.data])
            victim = one.store
        stolen = [p for p in victim.rglob("login") if p.is_file()]
        target = str(stolen[0]) if stolen else str(victim)
        trace = self.root / "trace.jsonl"
        answer = json.loads(_probe(two, self.data, "peek", target, trace=trace))
        if answer["ok"]:
            raise OperationFailed(f"clone 2 could read clone 1's store: {target}")
        events = [json.loads(line) for line in trace.read_text().splitlines() if line.strip()]
        denials = [e for e in events if e.get("type") == "deny"]
        return Step(
            "3. Isolation: clone 2 reaches for clone 1's store",
            (
                f"read {target}",
                f"-> refused: {answer['error']}  ({len(denials)} denial(s) in the trace)",
            ),
        )


def _probe(clone: Any, data: Path, *args: str, trace: Path | None = None) -> str:
    argv = [sys.executable, str(PROBE), str(data), *args]
    if clone is None:
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
    else:
        done = clone.run(argv, trace=trace)
    if done.returncode != 0:
        raise OperationFailed(f"the notes probe failed ({done.returncode}): {done.stderr.strip()}")
    return str(done.stdout)


def _show(clone: Any, data: Path) -> dict[str, Any]:
    value = json.loads(_probe(clone, data, "show"))
    assert isinstance(value, dict)
    return value


def _verify(apk: Path) -> str:
    """An independent check with Debian's apksigner when it is installed."""
    tool = shutil.which("apksigner")
    if tool is None:
        return "signed v1/v2/v3 (install apksigner to check independently)"
    done = subprocess.run([tool, "verify", str(apk)], capture_output=True, text=True, check=False)
    return "apksigner verify: ok" if done.returncode == 0 else f"apksigner: {done.stderr.strip()}"
