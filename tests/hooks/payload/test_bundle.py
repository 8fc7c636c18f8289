"""The agent bundle with the C fast path put inside (hooks.payload.bundle), on the real
built bundle: only the carried module changes, and what it carries reads back."""

from __future__ import annotations

import pytest

from hooks.payload.bundle import (
    CARRIED_MODULE,
    BundleError,
    _assets,
    carried_fast_path,
    with_fast_path,
)
from hooks.payload.script import AGENT_JS

SO = bytes(range(256)) * 40 + b"\x7fELF tail"  # every byte value, and a length not /3


@pytest.fixture(scope="module")
def agent_js() -> bytes:
    if not AGENT_JS.is_file():
        pytest.skip("the agent is not built (make agent)")
    return AGENT_JS.read_bytes()


def test_the_build_carries_nothing(agent_js: bytes) -> None:
    assert carried_fast_path(agent_js) is None
    (carried,) = [a for a in _assets(agent_js) if a.path == CARRIED_MODULE]
    assert carried.data == b"export const CARRIED=null;"  # what fastpath/carried.ts builds to


def test_only_the_carried_module_changes(agent_js: bytes) -> None:
    before = _assets(agent_js)
    after = _assets(with_fast_path(agent_js, "arm64", "0123456789abcdef", SO))
    assert [a.path for a in after] == [a.path for a in before]
    changed = [b.path for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [CARRIED_MODULE]
    (carried,) = [a for a in after if a.path == CARRIED_MODULE]
    assert carried.header == f"{len(carried.data)} {CARRIED_MODULE}".encode()


def test_what_it_carries_reads_back(agent_js: bytes) -> None:
    bundle = with_fast_path(agent_js, "ia32", "0123456789abcdef", SO)
    assert carried_fast_path(bundle) == ("ia32", "0123456789abcdef", SO)
    again = with_fast_path(bundle, "arm", "fedcba9876543210", SO[:7])  # replaced, not added
    assert carried_fast_path(again) == ("arm", "fedcba9876543210", SO[:7])
    assert len(_assets(again)) == len(_assets(agent_js))


def test_a_bundle_round_trips_unchanged(agent_js: bytes) -> None:
    from hooks.payload.bundle import _joined

    assert _joined(_assets(agent_js)) == agent_js


@pytest.mark.parametrize(
    "bundle",
    [
        b"rpc.exports = {};\n",  # a plain script
        "📦\n10 /a.js\n✄\nshort".encode(),  # an asset that runs past the end
        "📦\n2 /a.js\n✄\nab\n✄\nextra".encode(),  # bytes no header accounts for
        "📦\n2 /src/index.js\n✄\nab".encode(),  # a bundle without the slot
    ],
    ids=["plain", "truncated", "trailing", "no slot"],
)
def test_a_script_without_the_slot_is_refused(bundle: bytes) -> None:
    with pytest.raises(BundleError):
        with_fast_path(bundle, "x64", "k", SO)
