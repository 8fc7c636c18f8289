"""apk.resign: an APK with entries replaced and signed again (how a clone on a phone gets a
new policy), checked with Debian's apksigner and zipalign."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes

from apk.resign import replace_entries
from apk.signing.keys import KeyAlgorithm, generate
from apk.zip_read import parse_zip
from tests.apk import oracles
from tests.apk.signing.apksigner import verify
from tests.realapks import UIAUTOMATOR, real_apk


@pytest.mark.parametrize("algorithm", [KeyAlgorithm.EC, KeyAlgorithm.RSA])
def test_replaced_entry_and_new_signature(tmp_path: Path, algorithm: KeyAlgorithm) -> None:
    data = real_apk(UIAUTOMATOR).read_bytes()
    before = parse_zip(data)
    target = next(n for n in before.names if n.endswith(".png"))
    key = generate(algorithm=algorithm, bits=2048)
    out = tmp_path / "out.apk"
    out.write_bytes(replace_entries(data, {target: b"new bytes"}, key))
    verdict = verify(out)
    assert verdict.verifies, verdict.output
    assert key.certificate.fingerprint(hashes.SHA256()).hex() in verdict.output
    assert oracles.zipalign_ok(out)
    after = parse_zip(out.read_bytes())
    assert after.read(target) == b"new bytes"
    kept = [n for n in before.names if n != target and not n.startswith("META-INF/")]
    assert all(after.read(n, 1 << 30) == before.read(n, 1 << 30) for n in kept)


def test_a_missing_entry_is_refused() -> None:
    data = real_apk(UIAUTOMATOR).read_bytes()
    with pytest.raises(ValueError, match="no entry"):
        replace_entries(data, {"lib/x86/libnone.so": b""}, generate(algorithm=KeyAlgorithm.EC))
