"""Redirect rules: canonicalisation, the longest-prefix table, deny rules, and the
per-clone storage layout for each backend. Pure Python."""
