"""Identities and accounts of registered clones.

Every backend calls ``assign_identity`` when it registers a clone, inside its registry
transaction, so a clone never exists without an identity. The identity and the accounts
reach the hook engine through ``identity_policy`` (the policy's ``identity`` and ``accounts``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from clone.errors import BadInput, OperationFailed
from clone.registry import CloneRecord, Registry
from identity import Account, Identity, generate_identity
from identity.accounts import parse_account_name, parse_account_type


def assign_identity(
    registry: Registry,
    record: CloneRecord,
    seed: int | None = None,
    *,
    identity: Identity | None = None,
) -> Identity:
    """Store an identity for ``record`` (a registered clone): ``identity`` when given (one
    drawn earlier, e.g. embedded in a clone APK's policy at build time), else a new one."""
    ident = identity if identity is not None else generate_identity(seed)
    registry.set_identity(record.name, ident.to_dict())
    return ident


def load_identity(registry: Registry, name: str) -> Identity:
    """The stored identity of clone ``name``; one is assigned if it has none yet."""
    stored = stored_identity(registry, name)
    if stored is None:
        with registry.transaction():
            return assign_identity(registry, registry.get(name))
    return stored


def stored_identity(registry: Registry, name: str) -> Identity | None:
    """The identity stored for clone ``name`` (None if it has none); OperationFailed if
    what is stored no longer parses."""
    data = registry.get_identity(name)
    if data is None:
        return None
    try:
        return Identity.from_dict(data)
    except ValueError as e:
        raise OperationFailed(
            f"the stored identity of {name} is damaged: {e}",
            hint=f"draw a new one with 'clone identity regen {name}'",
        ) from e


def regen_identity(registry: Registry, name: str, seed: int | None = None) -> Identity:
    """Replace the identity of clone ``name`` by a new one (the same seed, the same one)."""
    with registry.transaction():
        return assign_identity(registry, registry.get(name), seed)


def set_identity_field(registry: Registry, name: str, field: str, value: str) -> Identity:
    """Set one validated field; bad field or value -> BadInput, nothing stored."""
    with registry.transaction():
        current = load_identity(registry, name)
        try:
            updated = current.with_field(field, value)
        except ValueError as e:
            raise BadInput(str(e), hint=f"the identity of {name} is unchanged") from e
        registry.set_identity(name, updated.to_dict())
    return updated


def list_accounts(registry: Registry, name: str) -> list[Account]:
    return [Account.from_dict(a) for a in registry.accounts(name)]


def add_account(registry: Registry, name: str, type_: str, account: str) -> Account:
    new = _account(type_, account)
    registry.add_account(name, new.type, new.name)
    return new


def remove_account(registry: Registry, name: str, type_: str, account: str) -> None:
    old = _account(type_, account)
    registry.remove_account(name, old.type, old.name)


def draw_identity(seed: int | None = None) -> Identity:
    """A new identity before its clone is registered (to embed it in a build); store it
    afterwards with ``assign_identity(registry, record, identity=...)``."""
    return generate_identity(seed)


def draw_clone_identities(indices: Iterable[int], seed: int | None = None) -> dict[int, Identity]:
    """One new identity per clone index, all different; with ``seed``, clone ``n`` always
    gets the same one (drawn from ``seed`` and ``n``: ``clone build --seed``)."""
    return {n: draw_identity(None if seed is None else clone_seed(seed, n)) for n in indices}


def clone_seed(seed: int, index: int) -> int:
    """The identity seed of clone ``index`` in a build seeded with ``seed``."""
    digest = hashlib.sha256(f"clonespace-build:{seed}:{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def embedded_policy(policy: Mapping[str, Any], ident: Identity) -> dict[str, Any]:
    """``policy`` with the identity (and no accounts yet) a clone APK carries from build."""
    return {**policy, "identity": ident.to_dict(), "accounts": list(policy.get("accounts", []))}


def identity_policy(registry: Registry, name: str) -> dict[str, Any]:
    """The ``identity`` and ``accounts`` entries of clone ``name``'s hook policy."""
    return {
        "identity": load_identity(registry, name).to_dict(),
        "accounts": [a.to_dict() for a in list_accounts(registry, name)],
    }


def _account(type_: str, account: str) -> Account:
    try:
        return Account(parse_account_type(type_), parse_account_name(account))
    except ValueError as e:
        raise BadInput(str(e)) from e
