"""The Luhn (mod 10) check digit used by IMEI and ICCID."""

from __future__ import annotations


def luhn_digit(payload: str) -> str:
    """The check digit to append to the decimal string ``payload``."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    """True when the last digit of ``number`` is its Luhn check digit."""
    return len(number) >= 2 and number.isdigit() and luhn_digit(number[:-1]) == number[-1]
