"""Keyed identity fingerprints for the ban list and watch flags (docs/security.md §24).

Names and birth dates are never stored; only HMAC-SHA-256 tags computed in
memory with a versioned secret key (``K_ban``) held outside the database:

    tag = hex(HMAC-SHA-256(K, "<purpose>:v1|" + canon_name(...) + "|" + DOB))

where DOB is the ISO-8601 date (``YYYY-MM-DD``) or the empty string when
unknown. With ``canon_name`` returning ``"<family>|<given>"``, the HMAC input
for the docs/security.md example is ``b"ban:v1|dupont martin|elodie|1990-01-31"``.

A match only ever routes a case to human review (requirement 26), so the
canonical form favours recall: spelling variants that a transcriber could
plausibly produce (accents, case, spacing, punctuation, given-name order)
collapse to the same form.

Canonical form "v1" (changing any rule below changes every tag: introduce a
"v2" prefix instead of editing it):

1. Unicode NFKC (full-width letters, ligatures such as U+FB01 -> "fi"), then
   full case folding (``str.casefold``: "ß" -> "ss").
2. NFD, then removal of non-spacing and enclosing marks (categories Mn, Me):
   "é" -> "e", "ñ" -> "n", Cyrillic "й" -> "и", Arabic/Hebrew vowel points.
   Spacing combining marks (Mc, e.g. most Indic vowel signs) are kept.
3. Letters whose diacritic is not a separate mark in Unicode are folded too:
   ø->o, ł->l, đ->d, ħ->h, dotless i->i, ŧ->t, ð->d, þ->th, æ->ae, œ->oe.
4. Invisible format characters (category Cf: soft hyphen, zero-width joiner,
   bidi controls) are deleted.
5. Every other character that is not a letter, digit or spacing mark (spaces,
   hyphens, apostrophes including U+2019, dots, commas, ``|`` ...) separates
   words, and so do the apostrophe-like modifier letters U+02B9, U+02BB-U+02BF
   (e.g. U+02BC, which Unicode classifies as a letter); words are joined by single spaces. NFC is re-applied to each word.
6. Family-name words keep their order; given-name words are sorted by code
   point (so "Anne Marie" == "Marie Anne", and "Marie-Claire" ->
   "claire marie").

Output format: ``"<family words>|<sorted given words>"``, e.g.
``"dupont martin|anne elodie"``. ``|`` cannot occur inside either part.
Mononymous people are supported: one of the two parts may be empty (e.g.
``"sukarno|"``), but not both.

The ``key_version`` is not an HMAC input (the formula above is kept verbatim):
it is validated and must be stored next to the tag by the caller. Distinct
versions always use distinct keys because ``crypto.parse_keyring`` rejects key
reuse; build identity keyrings with
``parse_keyring(env_value, max_key_bytes=None)`` (HMAC keys may exceed 32 bytes).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import unicodedata
from typing import Final

__all__ = [
    "MIN_KEY_BYTES",
    "all_document_tags",
    "all_tags",
    "canon_document_number",
    "canon_name",
    "document_tag",
    "identity_tag",
]

MIN_KEY_BYTES: Final = 32  # K_ban is a 256-bit key

_FORMAT: Final = "v1"
# Modifier letters (category Lm) used as apostrophes: treated as separators.
_APOSTROPHE_LETTERS: Final = frozenset("\u02b9\u02bb\u02bc\u02bd\u02be\u02bf")
_PURPOSE_RE: Final = re.compile(r"[a-z][a-z0-9_]{0,31}")

# Step 3: letters with a "built-in" diacritic that NFD does not decompose.
_EXTRA_FOLDS: Final = str.maketrans(
    {
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ħ": "h",
        "\u0131": "i",  # dotless i
        "ŧ": "t",
        "ð": "d",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
    }
)


def _words(value: str, *, field: str) -> list[str]:
    """Split a name field into canonical words (steps 1-5 of the module doc)."""
    if not isinstance(value, str):
        raise TypeError(f"{field} must be a str")
    text = unicodedata.normalize("NFKC", value).casefold()
    text = unicodedata.normalize("NFD", text)
    words: list[str] = []
    current: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if category in {"Mn", "Me", "Cf"}:
            continue  # accents and invisible characters vanish
        if char not in _APOSTROPHE_LETTERS and (
            category[0] in {"L", "N"} or category == "Mc"
        ):
            current.append(char.translate(_EXTRA_FOLDS))
        elif current:  # any other character ends the current word
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return [unicodedata.normalize("NFC", word) for word in words]


def canon_name(family_name: str, given_names: str) -> str:
    """Return the canonical ``"<family>|<given1 given2 ...>"`` form of a name.

    >>> canon_name("Dupont-Martin", "Élodie")
    'dupont martin|elodie'
    >>> canon_name("O\u2019Brien", "Marie  Anne")
    'o brien|anne marie'

    Raises:
        ValueError: if both parts are empty after canonicalisation.
        TypeError: if an argument is not a string.
    """
    family = _words(family_name, field="family_name")
    given = sorted(_words(given_names, field="given_names"))
    if not family and not given:
        raise ValueError("a name needs at least one letter or digit")
    return f"{' '.join(family)}|{' '.join(given)}"


def canon_document_number(document_number: str) -> str:
    """Canonical document number: NFKC, case-folded, letters and digits only.

    ``"AB 12-345 <<"`` -> ``"ab12345"``.
    """
    words = _words(document_number, field="document_number")
    if not words:
        raise ValueError("a document number needs at least one letter or digit")
    return "".join(words)


def _check_key(key: bytes, key_version: int) -> None:
    if not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
        raise ValueError(f"identity tag keys must be at least {MIN_KEY_BYTES} bytes")
    if isinstance(key_version, bool) or not isinstance(key_version, int):
        raise TypeError("key_version must be an int")
    if key_version < 1:
        raise ValueError("key_version must be >= 1")


def _check_purpose(purpose: str) -> None:
    # Restricted alphabet: no ':' or '|' can be injected into the HMAC input.
    if not isinstance(purpose, str) or not _PURPOSE_RE.fullmatch(purpose):
        raise ValueError("purpose must match [a-z][a-z0-9_]{0,31}, e.g. 'ban'")


def _dob(birth_date: datetime.date | None) -> str:
    if birth_date is None:
        return ""
    # datetime is a subclass of date; its isoformat() would add a time part.
    if isinstance(birth_date, datetime.datetime) or not isinstance(
        birth_date, datetime.date
    ):
        raise TypeError("birth_date must be a datetime.date (not a datetime) or None")
    return birth_date.isoformat()


def _name_message(
    family_name: str,
    given_names: str,
    birth_date: datetime.date | None,
    purpose: str,
) -> bytes:
    _check_purpose(purpose)
    canon = canon_name(family_name, given_names)
    return f"{purpose}:{_FORMAT}|{canon}|{_dob(birth_date)}".encode()


def _document_message(document_number: str, purpose: str) -> bytes:
    _check_purpose(purpose)
    number = canon_document_number(document_number)
    # "doc:" keeps document tags in a separate domain from name tags.
    return f"{purpose}:doc:{_FORMAT}|{number}".encode()


def _hmac_hex(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def identity_tag(
    *,
    family_name: str,
    given_names: str,
    birth_date: datetime.date | None,
    key: bytes,
    key_version: int,
    purpose: str = "ban",
) -> str:
    """Return the 64-char hex HMAC-SHA-256 tag of a person's name and DOB.

    ``purpose`` separates tag domains (``"ban"`` for the ban list,
    e.g. ``"watch"`` for victim watch flags): the same person yields unrelated
    tags for different purposes.
    """
    _check_key(key, key_version)
    return _hmac_hex(key, _name_message(family_name, given_names, birth_date, purpose))


def document_tag(
    document_number: str,
    *,
    key: bytes,
    key_version: int,
    purpose: str = "ban",
) -> str:
    """Optional tag of an ID document number (requirement 24, "document tag").

    HMAC input: ``"<purpose>:doc:v1|" + canon_document_number(number)``.
    """
    _check_key(key, key_version)
    return _hmac_hex(key, _document_message(document_number, purpose))


def all_tags(
    *,
    family_name: str,
    given_names: str,
    birth_date: datetime.date | None,
    keyring: dict[int, bytes],
    purpose: str = "ban",
) -> dict[int, str]:
    """Return ``{key_version: tag}`` for every key, to match entries of any version.

    Look-ups should query ``(key_version, tag)`` pairs; new entries are
    written with the current (highest) version only.
    """
    if not keyring:
        raise ValueError("keyring is empty")
    message = _name_message(family_name, given_names, birth_date, purpose)
    tags: dict[int, str] = {}
    for version, key in sorted(keyring.items()):
        _check_key(key, version)
        tags[version] = _hmac_hex(key, message)
    return tags


def all_document_tags(
    document_number: str,
    *,
    keyring: dict[int, bytes],
    purpose: str = "ban",
) -> dict[int, str]:
    """Return ``{key_version: document_tag}`` for every key in the keyring."""
    if not keyring:
        raise ValueError("keyring is empty")
    message = _document_message(document_number, purpose)
    tags: dict[int, str] = {}
    for version, key in sorted(keyring.items()):
        _check_key(key, version)
        tags[version] = _hmac_hex(key, message)
    return tags
