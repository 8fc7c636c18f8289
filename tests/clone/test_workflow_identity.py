"""The identity workflow: assignment at registration, embedding, the policy entries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clone.errors import BadInput, OperationFailed
from clone.registry import Backend, CloneRecord, Registry
from clone.workflows import identity as wf


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    with Registry(tmp_path / "registry.sqlite") as reg:
        reg.add(CloneRecord("com.example", 1, Backend.PACKAGE, "com.example", "com.example.clone1"))
        yield reg


def test_assign_stores_what_was_drawn(registry: Registry) -> None:
    drawn = wf.draw_identity(seed=8)
    record = registry.get("com.example:1")
    assert wf.assign_identity(registry, record, identity=drawn) == drawn
    assert wf.load_identity(registry, "com.example.clone1") == drawn


def test_embedded_policy_carries_the_identity() -> None:
    drawn = wf.draw_identity(seed=8)
    base = {"version": 1, "clone": "com.example:1", "original_package": "com.example"}
    policy = wf.embedded_policy(base, drawn)
    assert policy["identity"] == drawn.to_dict()
    assert policy["accounts"] == []
    assert policy["original_package"] == "com.example"
    assert "identity" not in base


def test_failed_registration_leaves_no_identity(registry: Registry) -> None:
    record = CloneRecord("com.example", 2, Backend.PACKAGE, "com.example", "com.example.clone2")
    with pytest.raises(RuntimeError), registry.transaction():
        registry.add(record)
        wf.assign_identity(registry, record)
        raise RuntimeError("the install failed")
    assert registry.find("com.example:2") is None


def test_policy_entries(registry: Registry) -> None:
    wf.add_account(registry, "com.example:1", "com.google", "alice@example.com")
    entries = wf.identity_policy(registry, "com.example:1")
    assert entries["accounts"] == [{"type": "com.google", "name": "alice@example.com"}]
    assert entries["identity"] == wf.load_identity(registry, "com.example:1").to_dict()


def test_damaged_identity_is_reported(registry: Registry) -> None:
    registry.set_identity("com.example:1", {"imei": "nope"})
    with pytest.raises(OperationFailed, match=r"damaged.*clone identity regen com\.example:1"):
        wf.load_identity(registry, "com.example:1")
    wf.regen_identity(registry, "com.example:1", seed=1)
    assert wf.load_identity(registry, "com.example:1") == wf.draw_identity(seed=1)


def test_set_bad_value_stores_nothing(registry: Registry) -> None:
    before = wf.load_identity(registry, "com.example:1")
    with pytest.raises(BadInput, match="bad IMEI"):
        wf.set_identity_field(registry, "com.example:1", "imei", "1")
    assert wf.load_identity(registry, "com.example:1") == before
