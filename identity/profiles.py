"""A small set of real device build profiles an identity can wear.

Each profile is a real phone model with its ``Build`` fields and a build fingerprint in
the official format ``brand/product/device:release/id/incremental:type/tags``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BuildProfile:
    """The ``android.os.Build`` fields of one phone model."""

    key: str
    manufacturer: str
    brand: str
    model: str
    device: str
    product: str
    fingerprint: str
    tac: str  # an 8-digit type allocation code (first 8 IMEI digits) of this maker
    serial_prefix: str
    serial_length: int

    @property
    def release(self) -> str:
        """The Android release in the fingerprint (``13``)."""
        return self.fingerprint.split(":")[1].split("/")[0]

    @property
    def build_id(self) -> str:
        return self.fingerprint.split(":")[1].split("/")[1]


PROFILES: tuple[BuildProfile, ...] = (
    BuildProfile(
        "pixel_7", "Google", "google", "Pixel 7", "panther", "panther",
        "google/panther/panther:13/TQ3A.230805.001/10316531:user/release-keys",
        "35569511", "2", 14,
    ),
    BuildProfile(
        "pixel_6", "Google", "google", "Pixel 6", "oriole", "oriole",
        "google/oriole/oriole:13/TQ3A.230805.001/10316531:user/release-keys",
        "35282811", "1", 14,
    ),
    BuildProfile(
        "pixel_5", "Google", "google", "Pixel 5", "redfin", "redfin",
        "google/redfin/redfin:13/TQ3A.230805.001/10316531:user/release-keys",
        "35373111", "0", 14,
    ),
    BuildProfile(
        "galaxy_s21", "samsung", "samsung", "SM-G991B", "o1s", "o1sxxx",
        "samsung/o1sxxx/o1s:13/TP1A.220624.014/G991BXXU5EVKB:user/release-keys",
        "35296811", "R5C", 11,
    ),
    BuildProfile(
        "galaxy_a52", "samsung", "samsung", "SM-A525F", "a52q", "a52qnsxx",
        "samsung/a52qnsxx/a52q:13/TP1A.220624.014/A525FXXU4CVJB:user/release-keys",
        "35185542", "R58", 11,
    ),
    BuildProfile(
        "oneplus_9", "OnePlus", "OnePlus", "LE2113", "OnePlus9", "OnePlus9_EEA",
        "OnePlus/OnePlus9_EEA/OnePlus9:13/TP1A.220905.001/R.1183e1e-1:user/release-keys",
        "86445305", "", 8,
    ),
    BuildProfile(
        "redmi_note_10", "Xiaomi", "Redmi", "M2101K7AG", "mojito", "mojito",
        "Redmi/mojito/mojito:12/SKQ1.210908.001/V13.0.6.0.SKGMIXM:user/release-keys",
        "86736405", "", 10,
    ),
    BuildProfile(
        "moto_g_power", "motorola", "motorola", "moto g power (2022)", "tonga", "tonga_g",
        "motorola/tonga_g/tonga:12/S3RQS32.20-42-10-6/c6d8a:user/release-keys",
        "35195412", "ZY22", 10,
    ),
)  # fmt: skip

_BY_KEY = {p.key: p for p in PROFILES}


def profile(key: str) -> BuildProfile:
    """A profile by key; ValueError naming the key and the known ones."""
    try:
        return _BY_KEY[key]
    except KeyError:
        known = ", ".join(sorted(_BY_KEY))
        raise ValueError(f"unknown device profile {key!r}: choose one of {known}") from None
