"""Assembling smali into ``classes.dex`` with Debian's smali (package ``libsmali-java``).

smali runs on Java from its jars in ``/usr/share/java``; :func:`find_toolchain` checks that
Java and every jar on the classpath are there before anything runs.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from samples.probe.errors import SmaliFailedError, SmaliMissingError

JAR_DIR = Path("/usr/share/java")
JARS = ("smali", "smali-util", "dexlib2", "antlr3-runtime", "guava", "jcommander")
JAVA = Path("/usr/lib/jvm/java-17-openjdk-amd64/bin/java")
MAIN_CLASS = "org.jf.smali.Main"
API_LEVEL = 24
_TIMEOUT = 300


@dataclass(frozen=True)
class SmaliToolchain:
    java: Path
    classpath: tuple[Path, ...]

    def command(self, source: Path, dex: Path) -> list[str]:
        """The argument list that assembles every ``.smali`` under ``source`` into ``dex``."""
        cp = ":".join(str(jar) for jar in self.classpath)
        assemble = ["assemble", "--api", str(API_LEVEL), "-o", str(dex), str(source)]
        return [str(self.java), "-cp", cp, MAIN_CLASS, *assemble]

    def assemble(self, source: Path, dex: Path) -> None:
        """Write ``dex`` from the smali tree ``source``; :class:`SmaliFailedError` on refusal."""
        done = subprocess.run(
            self.command(source, dex), capture_output=True, text=True, timeout=_TIMEOUT, check=False
        )
        if done.returncode != 0 or not dex.is_file():
            detail = " ".join((done.stderr or done.stdout).split()) or f"exit {done.returncode}"
            raise SmaliFailedError(f"smali failed on {source}: {detail}")


def find_toolchain() -> SmaliToolchain:
    """Java 17 (else ``java`` on PATH) and the smali jars in :data:`JAR_DIR`."""
    which = shutil.which("java")
    java = JAVA if JAVA.is_file() else Path(which) if which else None
    if java is None:
        raise SmaliMissingError("java is not installed (apt-get install default-jre-headless)")
    classpath = tuple(JAR_DIR / f"{name}.jar" for name in JARS)
    missing = [jar for jar in classpath if not jar.is_file()]
    if missing:
        raise SmaliMissingError(
            f"the smali toolchain is not installed: no {missing[0]} (apt-get install libsmali-java)"
        )
    return SmaliToolchain(java, classpath)
