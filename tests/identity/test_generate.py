"""Generated identities: valid, reproducible from a seed, different between seeds."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from identity import FIELDS, Identity, generate_identity
from identity.luhn import luhn_valid
from identity.operators import OPERATORS
from identity.profiles import PROFILES

seeds = st.integers(min_value=0, max_value=2**64)

# Fields taken from the small profile/operator tables may coincide between two seeds;
# every identifier must not.
PROFILE_FIELDS = {"manufacturer", "brand", "model", "device", "product", "fingerprint"}
ID_FIELDS = [f for f in FIELDS if f not in PROFILE_FIELDS]


@given(seeds)
def test_every_generated_identity_parses(seed: int) -> None:
    ident = generate_identity(seed)
    assert Identity.from_dict(ident.to_dict()) == ident
    assert luhn_valid(ident.imei) and luhn_valid(ident.iccid)
    assert ident.imsi.startswith(ident.sim_operator)
    assert ident.sim_operator in {op.plmn for op in OPERATORS}
    assert ident.sim_operator_name and ident.sim_country_iso


@given(seeds)
def test_the_same_seed_reproduces(seed: int) -> None:
    assert generate_identity(seed) == generate_identity(seed)


@given(seeds, seeds)
def test_every_identifier_differs_between_two_seeds(a: int, b: int) -> None:
    if a == b:
        return
    one, two = generate_identity(a).to_dict(), generate_identity(b).to_dict()
    same = [f for f in ID_FIELDS if one[f] == two[f]]
    assert same == []


@settings(max_examples=30)
@given(st.none())
def test_no_seed_draws_fresh_identities(_: None) -> None:
    one, two = generate_identity(), generate_identity()
    assert all(getattr(one, f) != getattr(two, f) for f in ID_FIELDS)


def test_seed_is_stable_across_versions() -> None:
    # Pinned: the generator must not change the identity a seed gives (QA relies on it).
    ident = generate_identity(42)
    assert dataclasses.asdict(generate_identity(42)) == dataclasses.asdict(ident)
    assert (ident.android_id, ident.imei, ident.hostname) == PINNED_42


def test_profile_fields_come_from_one_real_profile() -> None:
    for seed in range(40):
        ident = generate_identity(seed)
        matching = [p for p in PROFILES if p.fingerprint == ident.fingerprint]
        assert len(matching) == 1
        prof = matching[0]
        assert (ident.manufacturer, ident.model, ident.device) == (
            prof.manufacturer,
            prof.model,
            prof.device,
        )
        assert ident.imei.startswith(prof.tac)
        assert ident.fingerprint.split("/")[2].startswith(ident.device + ":")


PINNED_42 = ("2c169c8fd2f1047f", "867364054082708", "mojito-70505b51")
