"""``Account``: one account (type + name) in a clone's own account list."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_TYPE_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,199}$")


class AccountValueError(ValueError):
    """A user-given account type or name is malformed."""


@dataclass(frozen=True, order=True)
class Account:
    """An ``android.accounts.Account``: its ``type`` (``com.google``) and ``name``."""

    type: str
    name: str

    def to_dict(self) -> dict[str, str]:
        return {"type": self.type, "name": self.name}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Account:
        return cls(parse_account_type(str(data["type"])), parse_account_name(str(data["name"])))


def parse_account_type(value: str) -> str:
    """An authenticator type such as ``com.google``: letters, digits, '.', '_' or '-'."""
    if not _TYPE_RE.match(value):
        raise AccountValueError(
            f"bad account type {value!r}: use letters, digits, '.', '_' or '-' (e.g. com.google)"
        )
    return value


def parse_account_name(value: str) -> str:
    """An account name (often an e-mail address): 1-255 printable characters."""
    if not value.strip() or len(value) > 255 or not value.isprintable():
        raise AccountValueError(f"bad account name {value!r}: use 1 to 255 printable characters")
    return value
