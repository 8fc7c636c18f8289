"""``apksigner verify`` as a test oracle: run it and read its verdict."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

_SCHEME = re.compile(r"^Verified using v(\d) scheme .*: (true|false)$", re.MULTILINE)


@dataclass(frozen=True)
class Verdict:
    verifies: bool
    schemes: dict[int, bool]
    output: str

    def certificate_dn(self) -> str:
        match = re.search(r"^Signer #1 certificate DN: (.*)$", self.output, re.MULTILINE)
        return match.group(1) if match else ""


def verify(apk: Path, *, min_sdk: int | None = None, max_sdk: int | None = None) -> Verdict:
    """``apksigner verify --verbose --print-certs [--min-sdk-version N] [--max-sdk-version M]``."""
    tool = shutil.which("apksigner")
    if tool is None:
        pytest.fail("apksigner is not installed (make installs it: apt-get install apksigner)")
    cmd = [tool, "verify", "--verbose", "--print-certs"]
    if min_sdk is not None:
        cmd += ["--min-sdk-version", str(min_sdk)]
    if max_sdk is not None:
        cmd += ["--max-sdk-version", str(max_sdk)]
    done = subprocess.run([*cmd, str(apk)], capture_output=True, text=True, timeout=120)
    output = done.stdout + done.stderr
    schemes = {int(n): v == "true" for n, v in _SCHEME.findall(output)}
    return Verdict(done.returncode == 0 and output.startswith("Verifies"), schemes, output)
