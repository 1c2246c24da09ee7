"""Tests for sorority.verification.identity (docs/security.md requirement 24)."""

from __future__ import annotations

import datetime
import hashlib
import hmac

import pytest

from sorority.verification.identity import (
    all_document_tags,
    all_tags,
    canon_document_number,
    canon_name,
    document_tag,
    identity_tag,
)

KEY_1 = bytes(range(32))
KEY_2 = bytes(range(100, 132))
DOB = datetime.date(1990, 1, 31)

# --------------------------------------------------------------------------
# canon_name vectors
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("family", "given", "expected"),
    [
        # docs/security.md example: accents, case, double spaces, hyphen.
        ("Dupont-Martin", "Élodie", "dupont martin|elodie"),
        ("DUPONT  MARTIN", "ELODIE", "dupont martin|elodie"),
        ("dupont martin", "elodie", "dupont martin|elodie"),
        ("  Dupont -  Martin ", "  Élodie  ", "dupont martin|elodie"),
        # Decomposed input (e + COMBINING ACUTE) equals precomposed.
        ("Dupont-Martin", "E\u0301lodie", "dupont martin|elodie"),
        # Hyphen and dash variants.
        ("Dupont\u2010Martin", "Elodie", "dupont martin|elodie"),
        ("Dupont\u2011Martin", "Elodie", "dupont martin|elodie"),
        ("Dupont\u2013Martin", "Elodie", "dupont martin|elodie"),
        ("Dupont\u2014Martin", "Elodie", "dupont martin|elodie"),
        # Apostrophes: ASCII, typographic U+2019, modifier letter U+02BC.
        ("O'Brien", "Siobhán", "o brien|siobhan"),
        ("O\u2019Brien", "Siobhan", "o brien|siobhan"),
        ("O\u02bcBrien", "Siobhan", "o brien|siobhan"),
        ("O\u02bbBrien", "Siobhan", "o brien|siobhan"),
        ("O Brien", "SIOBHAN", "o brien|siobhan"),
        # Given-name order and hyphenated given names.
        ("Dupont", "Marie Anne", "dupont|anne marie"),
        ("Dupont", "Anne Marie", "dupont|anne marie"),
        ("Dupont", "Anne-Marie", "dupont|anne marie"),
        ("Dupont", "Élodie  Anne\tMarie", "dupont|anne elodie marie"),
        # Family-name word order is kept.
        ("Martin Dupont", "Anne", "martin dupont|anne"),
        # Case folding beyond lower(): sharp s.
        ("Strauß", "Anna", "strauss|anna"),
        ("STRAUSS", "anna", "strauss|anna"),
        # Letters whose diacritic is not a combining mark.
        ("Łukasiewicz", "Søren", "lukasiewicz|soren"),
        ("Đorđević", "Ægir", "dordevic|aegir"),
        ("Þórsdóttir", "Guðrún", "thorsdottir|gudrun"),
        # NFKC: full-width letters and ligatures.
        ("\uff24\uff55\uff50\uff4f\uff4e\uff54", "\ufb01ona", "dupont|fiona"),
        # Invisible characters vanish instead of splitting words.
        ("Ali\u200dce", "Ma\u00adrie", "alice|marie"),
        # Other punctuation separates words; '|' cannot be injected.
        ("St. John", "Mary", "st john|mary"),
        ("a|b", "c|d", "a b|c d"),
        # Non-Latin scripts are kept (case-folded, marks removed).
        ("ИВАНОВА", "Мария", "иванова|мария"),
        ("김", "민지", "김|민지"),
        ("Müller", "José", "muller|jose"),
        # Mononyms: one part may be empty.
        ("Sukarno", "", "sukarno|"),
        ("", "Sukarno", "|sukarno"),
    ],
)
def test_canon_name_vectors(family: str, given: str, expected: str) -> None:
    assert canon_name(family, given) == expected


@pytest.mark.parametrize(
    ("family", "given"),
    [("", ""), ("   ", "\t"), ("-", "'"), ("\u2019 \u2010", "..."), ("\u200d", "")],
)
def test_empty_names_are_rejected(family: str, given: str) -> None:
    with pytest.raises(ValueError, match="at least one letter"):
        canon_name(family, given)


def test_non_string_names_are_rejected() -> None:
    with pytest.raises(TypeError):
        canon_name(None, "x")  # type: ignore[arg-type]


def test_canon_name_is_idempotent_on_its_parts() -> None:
    family, given = canon_name("Dupont-Martin", "Élodie Anne").split("|")
    assert canon_name(family, given) == f"{family}|{given}"


# --------------------------------------------------------------------------
# identity_tag
# --------------------------------------------------------------------------


def _tag(**overrides: object) -> str:
    params: dict[str, object] = {
        "family_name": "Dupont-Martin",
        "given_names": "Élodie",
        "birth_date": DOB,
        "key": KEY_1,
        "key_version": 1,
    }
    params.update(overrides)
    return identity_tag(**params)  # type: ignore[arg-type]


def test_identity_tag_matches_the_documented_formula() -> None:
    expected = hmac.new(
        KEY_1, b"ban:v1|dupont martin|elodie|1990-01-31", hashlib.sha256
    ).hexdigest()
    assert _tag() == expected


def test_identity_tag_frozen_vector() -> None:
    # Guards against accidental changes of the v1 canonical form or message.
    assert _tag() == "b5d7c03e3959599a901451396bf074a949c5861b90b76894737b6e8e2763de63"


def test_identity_tag_is_lowercase_hex_sha256() -> None:
    tag = _tag()
    assert len(tag) == 64
    assert tag == tag.lower()
    int(tag, 16)


@pytest.mark.parametrize(
    ("family", "given"),
    [
        ("DUPONT MARTIN", "elodie"),
        ("dupont  martin", "ÉLODIE"),
        ("Dupont\u2013Martin", "E\u0301lodie"),
    ],
)
def test_spelling_variants_share_a_tag(family: str, given: str) -> None:
    assert _tag(family_name=family, given_names=given) == _tag()


def test_given_name_order_does_not_matter() -> None:
    assert _tag(given_names="Élodie Anne") == _tag(given_names="Anne  Elodie")


def test_apostrophe_variants_share_a_tag() -> None:
    assert _tag(family_name="O'Brien") == _tag(family_name="O\u2019Brien")


def test_different_key_version_gives_different_tag() -> None:
    assert _tag(key=KEY_2, key_version=2) != _tag()


def test_different_dob_gives_different_tag() -> None:
    assert _tag(birth_date=datetime.date(1990, 1, 30)) != _tag()
    assert _tag(birth_date=None) != _tag()


def test_unknown_dob_uses_empty_string() -> None:
    expected = hmac.new(
        KEY_1, b"ban:v1|dupont martin|elodie|", hashlib.sha256
    ).hexdigest()
    assert _tag(birth_date=None) == expected


def test_different_purpose_gives_different_tag() -> None:
    watch = _tag(purpose="watch")
    assert watch != _tag()
    assert (
        watch
        == hmac.new(
            KEY_1, b"watch:v1|dupont martin|elodie|1990-01-31", hashlib.sha256
        ).hexdigest()
    )


def test_family_and_given_are_not_interchangeable() -> None:
    assert _tag(family_name="Elodie", given_names="Dupont Martin") != _tag()


def test_empty_names_raise() -> None:
    with pytest.raises(ValueError):
        _tag(family_name="", given_names="  ")


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"key": b"short"}, ValueError),
        ({"key": "x" * 32}, ValueError),
        ({"key_version": 0}, ValueError),
        ({"key_version": True}, TypeError),
        ({"purpose": "ban|x"}, ValueError),
        ({"purpose": "Ban"}, ValueError),
        ({"purpose": ""}, ValueError),
        (
            {"birth_date": datetime.datetime(1990, 1, 31, tzinfo=datetime.UTC)},
            TypeError,
        ),
        ({"birth_date": "1990-01-31"}, TypeError),
    ],
)
def test_invalid_arguments(
    overrides: dict[str, object], error: type[Exception]
) -> None:
    with pytest.raises(error):
        _tag(**overrides)


def test_longer_hmac_keys_are_accepted() -> None:
    assert _tag(key=b"k" * 40) != _tag()


# --------------------------------------------------------------------------
# all_tags
# --------------------------------------------------------------------------


def test_all_tags_covers_every_key_version() -> None:
    tags = all_tags(
        family_name="Dupont-Martin",
        given_names="Élodie",
        birth_date=DOB,
        keyring={2: KEY_2, 1: KEY_1},
    )
    assert list(tags) == [1, 2]
    assert tags[1] == _tag()
    assert tags[2] == _tag(key=KEY_2, key_version=2)
    assert tags[1] != tags[2]


def test_all_tags_rejects_empty_or_bad_keyring() -> None:
    kwargs: dict[str, object] = {
        "family_name": "a",
        "given_names": "b",
        "birth_date": None,
    }
    with pytest.raises(ValueError, match="empty"):
        all_tags(keyring={}, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 32"):
        all_tags(keyring={1: b"short"}, **kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# Document tags
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    ["AB12345", "ab 12345", "AB-12-345", " AB 12 345 <<", "\uff21\uff22\uff112345"],
)
def test_document_number_canonical_form(number: str) -> None:
    assert canon_document_number(number) == "ab12345"


def test_document_tag_formula_and_domain_separation() -> None:
    tag = document_tag("AB 12-345", key=KEY_1, key_version=1)
    assert tag == hmac.new(KEY_1, b"ban:doc:v1|ab12345", hashlib.sha256).hexdigest()
    assert tag == "4e5377be097ef421913b428309de31f5b4b73ac2d771d3b52fa4d654437f90c2"
    assert tag != document_tag("AB12345", key=KEY_2, key_version=2)
    assert tag != document_tag("AB12345", key=KEY_1, key_version=1, purpose="watch")


def test_document_tag_rejects_empty_number() -> None:
    with pytest.raises(ValueError):
        document_tag(" - ", key=KEY_1, key_version=1)


def test_all_document_tags() -> None:
    tags = all_document_tags("ab12345", keyring={1: KEY_1, 2: KEY_2})
    assert tags == {
        1: document_tag("AB 12345", key=KEY_1, key_version=1),
        2: document_tag("AB 12345", key=KEY_2, key_version=2),
    }
