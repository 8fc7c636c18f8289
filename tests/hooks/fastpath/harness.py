"""Builds harness.c (redirect.c under AddressSanitizer and UBSan) and talks to it.

One harness process serves many policies and cases: ``Harness.run`` writes a policy and its
cases as one batch and reads one output line per case (see the protocol in harness.c). If the
process dies (a sanitizer report, a fault on the guard page), ``HarnessCrash`` names the case
it was running and carries the report; the next ``run`` starts a fresh process.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from vfs_redirect.rules import Policy

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "harness.c"
REDIRECT_C = HERE.parents[2] / "hooks" / "agent" / "src" / "fastpath" / "redirect.c"
CFLAGS = (
    *("-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=all"),
    *("-fno-omit-frame-pointer", "-Wall", "-Wextra"),
)
# leaks are not checked: LeakSanitizer needs ptrace, which some sandboxes refuse
ENV = {
    "ASAN_OPTIONS": "detect_leaks=0:abort_on_error=0:halt_on_error=1",
    "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1",
}
FLAGS = ("caller's-path-changed", "not-the-caller's-buffer")


class Unavailable(Exception):
    """gcc or its sanitizer runtimes are missing: the harness cannot be built here."""


def sanitizers_missing() -> str | None:
    """Why the harness cannot be built on this machine, or None."""
    gcc = shutil.which("gcc")
    if gcc is None:
        return "gcc is not installed"
    for lib in ("libasan.so", "libubsan.so"):
        found = subprocess.run(
            [gcc, f"-print-file-name={lib}"], capture_output=True, text=True, check=True
        ).stdout.strip()
        if "/" not in found:
            return f"gcc has no {lib} (install libasan/libubsan for gcc)"
    return None


def build(out_dir: Path, source: Path = SOURCE) -> Path:
    """Compile ``source`` (harness.c, which includes redirect.c, or another harness of the
    fast path's C) under the sanitizers into ``out_dir``; its binary."""
    reason = sanitizers_missing()
    if reason is not None:
        raise Unavailable(reason)
    binary = out_dir / source.stem.replace("_", "-")
    cmd = ["gcc", *CFLAGS, f"-I{REDIRECT_C.parent}", "-o", str(binary), str(source)]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return binary


@dataclass(frozen=True)
class Case:
    """One call of a wrapper.

    ``cwd`` is the *real* current directory (what the kernel's getcwd reports), and the
    directory of the dirfd for ``openat``. ``extra`` is the kernel's answer of ``realpath``
    and the text of the link for ``readlinkN``.
    """

    op: str
    cwd: str
    path: str
    extra: str = ""

    def line(self) -> str:
        fields = ["case", self.op, self.cwd, self.path] + ([self.extra] if self.extra else [])
        for f in fields:
            assert "\t" not in f and "\n" not in f and "\0" not in f, f
        return "\t".join(fields)


@dataclass(frozen=True)
class Observed:
    """What a wrapper did, parsed from a harness line.

    ``kind`` is ``same`` (the original got the caller's pointer), ``path`` (it got
    ``value``), ``err`` (refused with errno ``value``), ``cwd`` (getcwd returned ``value``);
    anything else is a complaint of the harness itself. ``result`` is what realpath and
    readlink gave the caller; ``flags`` are complaints about the caller's buffers.
    """

    raw: str
    kind: str
    value: str = ""
    result: str | None = None
    flags: tuple[str, ...] = ()


def parse(line: str) -> Observed:
    fields = line.split("\t")
    flags: list[str] = []
    while len(fields) > 1 and fields[-1] in FLAGS:
        flags.insert(0, fields.pop())
    kind = fields[0]
    if kind == "same":
        return Observed(line, kind, "", fields[1] if len(fields) > 1 else None, tuple(flags))
    if kind in ("path", "err", "cwd") and len(fields) >= 2:
        result = fields[2] if len(fields) > 2 else None
        return Observed(line, kind, fields[1], result, tuple(flags))
    return Observed(line, kind, "\t".join(fields[1:]), None, tuple(flags))


class HarnessCrash(AssertionError):
    """The harness process died (or misbehaved) while running ``case``."""

    def __init__(self, case: Case | None, report: str) -> None:
        where = repr(case) if case is not None else "loading the policy"
        super().__init__(f"harness died on {where}:\n{report}")
        self.case = case
        self.report = report


def policy_lines(policy: Policy) -> list[str]:
    """The policy as index.ts loadTables hands it to the C side, in the same order."""
    data = policy.to_agent_json()
    lines = [f"policy\t{data['deny_errno']}"]
    lines += [f"rule\t{r['virtual']}\t{r['real']}" for r in data["redirects"]]
    lines += [f"deny\t{d}" for d in data["deny"]]
    lines += [f"allow\t{a}" for a in data["allow"]]
    return [*lines, "load"]


class Harness:
    """A running harness process (restarted after a crash); close() when done."""

    def __init__(self, binary: Path) -> None:
        self.binary = binary
        self.log = binary.with_suffix(".stderr")  # the sanitizers' reports
        self._proc: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        if self._proc is None:
            with self.log.open("wb") as stderr:
                self._proc = subprocess.Popen(
                    [str(self.binary)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=stderr,
                    env={**os.environ, **ENV},
                )
        return self._proc

    def run(self, policy: Policy, cases: Sequence[Case]) -> list[Observed]:
        """Load ``policy`` and run ``cases``; one Observed per case."""
        proc = self._start()
        assert proc.stdin is not None and proc.stdout is not None
        text = "\n".join([*policy_lines(policy), *(c.line() for c in cases), "sync"]) + "\n"
        try:
            proc.stdin.write(text.encode("utf-8", "surrogateescape"))
            proc.stdin.flush()
        except BrokenPipeError:
            self._died(None)
        lines: list[str] = []
        loaded = False
        while True:
            raw = proc.stdout.readline()
            if not raw:  # died while loading the policy or running the next case
                self._died(cases[len(lines)] if loaded and len(lines) < len(cases) else None)
            line = raw.rstrip(b"\n").decode("utf-8", "surrogateescape")
            if line == "sync":
                break
            if line == "loaded" and not loaded:
                loaded = True
            else:
                lines.append(line)
        if len(lines) != len(cases):
            raise HarnessCrash(None, f"{len(lines)} answers to {len(cases)} cases: {lines}")
        return [parse(line) for line in lines]

    def _died(self, case: Case | None) -> None:
        proc = self._proc
        assert proc is not None
        self._proc = None
        self._close_proc(proc)
        report = self.log.read_text("utf-8", "replace")
        raise HarnessCrash(case, f"exit status {proc.returncode}\n{report}")

    @staticmethod
    def _close_proc(proc: subprocess.Popen[bytes]) -> None:
        for pipe in (proc.stdin, proc.stdout):
            if pipe is not None:
                with contextlib.suppress(BrokenPipeError):
                    pipe.close()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def close(self) -> None:
        if self._proc is not None:
            self._close_proc(self._proc)
            self._proc = None
