"""The identity model: generation from a seed, validation, device profiles, accounts."""

from identity.accounts import Account, AccountValueError
from identity.generate import generate_identity
from identity.model import DERIVED_FIELDS, FIELDS, Identity, parse_field
from identity.parse import IdentityValueError

__all__ = [
    "DERIVED_FIELDS",
    "FIELDS",
    "Account",
    "AccountValueError",
    "Identity",
    "IdentityValueError",
    "generate_identity",
    "parse_field",
]
