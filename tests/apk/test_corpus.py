"""The corpus: apksig-style variants of a real APK, through ``clone build`` and Android's tools.

Each variant either clones, and the clone passes ``apksigner verify``, ``zipalign -c -p 4``
and ``aapt dump badging``, or is refused with exit 2 and one line naming why Android
refuses it too (``tests/apk/corpus.py`` says why per variant).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apk import oracles
from tests.apk.corpus import VARIANTS, Context, Variant, make_signer
from tests.apk.signing.apksigner import verify
from tests.conftest import RunCli
from tests.realapks import UIAUTOMATOR, real_apk


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Context:
    work = tmp_path_factory.mktemp("corpus")
    source = real_apk(UIAUTOMATOR).read_bytes()
    return Context(source, make_signer(work, "first"), make_signer(work, "second"), work)


@pytest.mark.slow
@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_variant_clones_or_is_refused_like_android(
    run_cli: RunCli, tmp_path: Path, context: Context, variant: Variant
) -> None:
    apk = tmp_path / f"{variant.name}.apk"
    apk.write_bytes(variant.make(context))
    out = tmp_path / "out"
    result = run_cli("build", apk, "--out", out, "--hooks", "none", "--count", "1")
    if variant.refusal is not None:
        assert result.exit_code == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("clone: error: "), result.stderr
        assert variant.refusal in lines[0]
        assert not out.exists()
        return
    assert result.exit_code == 0, result.stderr
    [clone] = out.glob("*.apk")
    verdict = verify(clone)
    assert verdict.verifies, verdict.output
    assert oracles.zipalign_ok(clone)
    assert oracles.badging(clone).package == clone.stem
    assert clone.stem.endswith(".clone1")
