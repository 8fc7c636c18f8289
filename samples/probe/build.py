"""Build the probe APK: smali to ``classes.dex``, the manifest and a minimal resource table,
an aligned zip, signed v1, v2 and v3.

From the repository root: ``python -m samples.probe.build OUT.apk`` (exit 2 and one
``probe: error:`` line when it cannot). The zip is written by :class:`apk.zip_write.ZipWriter`
(the dex and the table stored, 4-byte aligned) and signed by :mod:`apk.signing`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from apk.signing import SigningKey, v1, v2v3
from apk.signing.keys import KeyAlgorithm, generate
from apk.zip_write import ZipWriter
from samples.probe.assembler import find_toolchain
from samples.probe.errors import ProbeBuildError
from samples.probe.manifest import LABEL, MIN_SDK, PACKAGE, probe_manifest
from samples.probe.resources import probe_resources

SMALI_DIR = Path(__file__).resolve().parent / "smali"
MANIFEST_NAME = "AndroidManifest.xml"
DEX_NAME = "classes.dex"
ARSC_NAME = "resources.arsc"
STORED = frozenset({DEX_NAME, ARSC_NAME})  # Android 11+ wants resources.arsc uncompressed


def build_probe(out: Path, *, key: SigningKey | None = None) -> Path:
    """Write the signed probe APK to ``out``; returns ``out``.

    Signed with ``key``, or else with a new EC key made for this build (``clone build``
    signs the clones with its own key). Raises :class:`~samples.probe.errors.SmaliMissingError`
    without the smali toolchain and another :class:`ProbeBuildError` when smali refuses the
    sources or ``out`` cannot be written.
    """
    toolchain = find_toolchain()
    with tempfile.TemporaryDirectory(prefix="probe-") as tmp:
        dex = Path(tmp) / DEX_NAME
        toolchain.assemble(SMALI_DIR, dex)
        entries = {
            MANIFEST_NAME: probe_manifest(),
            ARSC_NAME: probe_resources(PACKAGE, LABEL),
            DEX_NAME: dex.read_bytes(),
        }
    data = signed_apk(entries, key or generate(algorithm=KeyAlgorithm.EC))
    try:
        out.write_bytes(data)
    except OSError as e:
        raise ProbeBuildError(f"cannot write {out}: {e.strerror}") from e
    return out


def signed_apk(entries: Mapping[str, bytes], key: SigningKey) -> bytes:
    """A zip of ``entries`` (:data:`STORED` ones stored, the rest deflated), signed v1, v2, v3."""
    writer = ZipWriter()
    for name, content in entries.items():
        writer.add(name, content, compress=name not in STORED)
    algorithm = v1.digest_algorithm(key, MIN_SDK)
    digests = {name: v1.entry_digest(content, algorithm) for name, content in entries.items()}
    for name, content in v1.sign(digests, key, algorithm=algorithm).files():
        writer.add(name, content, compress=True)
    sections = writer.sections()
    return sections.assemble(v2v3.signing_block(sections, key))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="probe", description="Build the Clonespace probe APK.")
    parser.add_argument("out", type=Path, help="the APK file to write")
    args = parser.parse_args(argv)
    try:
        print(build_probe(args.out))
    except ProbeBuildError as e:
        print(f"probe: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
