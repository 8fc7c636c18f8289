"""Account values and their validation."""

from __future__ import annotations

import pytest

from identity import Account, AccountValueError
from identity.accounts import parse_account_name, parse_account_type


def test_round_trip() -> None:
    account = Account("com.google", "alice@example.com")
    assert Account.from_dict(account.to_dict()) == account


@pytest.mark.parametrize("bad", ["", "com google", "com/google", ".x" * 200])
def test_bad_type(bad: str) -> None:
    with pytest.raises(AccountValueError, match="bad account type"):
        parse_account_type(bad)


@pytest.mark.parametrize("bad", ["", "   ", "a\nb", "x" * 256])
def test_bad_name(bad: str) -> None:
    with pytest.raises(AccountValueError, match="bad account name"):
        parse_account_name(bad)
