"""Mobile network operators (MCC/MNC) and the numbering that goes with them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Operator:
    """One SIM operator: its PLMN (MCC+MNC), name, country and numbering."""

    mcc: str
    mnc: str
    name: str
    country_iso: str
    calling_code: str
    iccid_prefix: str  # 89 + country code + issuer, the start of its SIM serials
    national_digits: int  # digits of a national phone number

    @property
    def plmn(self) -> str:
        """``MCC+MNC`` as ``TelephonyManager.getSimOperator`` returns it (``310260``)."""
        return self.mcc + self.mnc


OPERATORS: tuple[Operator, ...] = (
    Operator("310", "260", "T-Mobile", "us", "1", "8901260", 10),
    Operator("310", "410", "AT&T", "us", "1", "8901410", 10),
    Operator("311", "480", "Verizon", "us", "1", "891480", 10),
    Operator("302", "720", "Rogers", "ca", "1", "8930272", 10),
    Operator("234", "15", "Vodafone UK", "gb", "44", "894415", 10),
    Operator("234", "10", "O2 - UK", "gb", "44", "894411", 10),
    Operator("262", "01", "Telekom.de", "de", "49", "894922", 11),
    Operator("262", "02", "Vodafone.de", "de", "49", "894920", 11),
    Operator("208", "01", "Orange F", "fr", "33", "893301", 9),
    Operator("222", "10", "vodafone IT", "it", "39", "893910", 10),
    Operator("214", "07", "Movistar", "es", "34", "893407", 9),
    Operator("440", "10", "NTT DOCOMO", "jp", "81", "898110", 10),
    Operator("505", "01", "Telstra", "au", "61", "896101", 9),
    Operator("404", "45", "airtel", "in", "91", "899145", 10),
)

# Mobile country codes whose networks use 3-digit MNCs (the rest use 2 digits).
_THREE_DIGIT_MNC = frozenset(
    {"302", "310", "311", "312", "313", "314", "315", "316", "334", "338", "342", "344",
     "346", "348", "354", "356", "358", "360", "365", "376", "405", "708", "722", "732"}
)  # fmt: skip

# Mobile country codes (ITU-T E.212) this parser accepts, with their ISO country.
MCC_COUNTRIES: dict[str, str] = {
    "202": "gr", "204": "nl", "206": "be", "208": "fr", "214": "es", "222": "it",
    "226": "ro", "228": "ch", "230": "cz", "232": "at", "234": "gb", "235": "gb",
    "238": "dk", "240": "se", "242": "no", "244": "fi", "250": "ru", "255": "ua",
    "260": "pl", "262": "de", "268": "pt", "272": "ie", "286": "tr", "302": "ca",
    "310": "us", "311": "us", "312": "us", "313": "us", "314": "us", "315": "us",
    "316": "us", "334": "mx", "404": "in", "405": "in", "420": "sa", "424": "ae",
    "425": "il", "440": "jp", "441": "jp", "450": "kr", "452": "vn", "454": "hk",
    "460": "cn", "466": "tw", "502": "my", "505": "au", "510": "id", "515": "ph",
    "520": "th", "525": "sg", "530": "nz", "602": "eg", "621": "ng", "655": "za",
    "722": "ar", "724": "br", "730": "cl", "732": "co",
}  # fmt: skip


def mnc_length(mcc: str) -> int:
    """How many digits the MNCs of country ``mcc`` have (2 or 3)."""
    return 3 if mcc in _THREE_DIGIT_MNC else 2


def operator_for_plmn(plmn: str) -> Operator | None:
    """The known operator of ``MCC+MNC``, or None."""
    for op in OPERATORS:
        if op.plmn == plmn:
            return op
    return None
