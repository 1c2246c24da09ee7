"""Format checks of French association identifiers (no network look-up).

- RNA (Répertoire national des associations): "W" followed by 9 digits.
- SIREN: 9 digits whose Luhn checksum is valid.
"""

import re

_RNA = re.compile(r"^W\d{9}$")
_SIREN = re.compile(r"^\d{9}$")


def luhn_valid(digits: str) -> bool:
    """Say whether a string of digits passes the Luhn check."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalise_identifier(raw: str) -> str:
    """Drop spaces, dots and dashes people type, and upper-case the RNA "W"."""
    return re.sub(r"[\s.\-]", "", raw or "").upper()


def identifier_kind(raw: str) -> str | None:
    """Return "rna" or "siren" for a well-formed identifier, else None."""
    value = normalise_identifier(raw)
    if _RNA.match(value):
        return "rna"
    if _SIREN.match(value) and luhn_valid(value):
        return "siren"
    return None
