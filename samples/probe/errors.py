"""Why the probe could not be built: one exception family, each message one line."""

from __future__ import annotations


class ProbeBuildError(Exception):
    """The probe could not be built; the message is one line."""


class SmaliMissingError(ProbeBuildError):
    """Java or a jar of the smali toolchain is not installed."""


class SmaliFailedError(ProbeBuildError):
    """smali ran and refused the sources."""
