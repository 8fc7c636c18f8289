"""The identity model: generation from a seed, validation, device profiles, accounts."""
