"""One validator per rule, applied by the services (and so by every door).

Page forms, API schemas and the sign-up forms may call these early for a message
next to the field, but the services and the model fields are the authority: a
write that skips a form still goes through them (docs/security.md, "Input").
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DISPLAY_NAME_MIN = 2
DISPLAY_NAME_MAX = 40

# Six digits or more, whatever sits between them (spaces, dots, dashes, slashes,
# brackets, a plus): "06 12 34 56 78" and "06.12.34.56.78" are phone numbers too.
_DIGIT_RUN = re.compile(r"(?:\d[\s.\-_/()+]*){6,}")
_URL = re.compile(
    r"https?:|www\.|://|"
    r"\b[a-z0-9-]+\.(?:fr|com|net|org|eu|io|me|info|biz|be|ch|ca|co|ly|gl|app|link|site)\b",
    re.IGNORECASE,
)


def _canonical_text(value: str) -> str:
    """NFKC (full-width digits and letters become ASCII), controls removed."""
    value = unicodedata.normalize("NFKC", value)
    return "".join(
        ch for ch in value if unicodedata.category(ch)[0] != "C" or ch == " "
    )


def looks_like_contact(value: str) -> bool:
    """Say whether a text holds an e-mail address, a link or a phone number."""
    text = _canonical_text(value)
    return "@" in text or bool(_URL.search(text)) or bool(_DIGIT_RUN.search(text))


def validate_display_name(value: str) -> None:
    """Model-field validator for a pseudonym (its stored, normalised form)."""
    if len(value) < DISPLAY_NAME_MIN:
        raise ValidationError(
            _("Choose a display name of at least 2 characters."), code="too_short"
        )
    if len(value) > DISPLAY_NAME_MAX:
        raise ValidationError(
            _("A display name has at most 40 characters."), code="too_long"
        )
    if looks_like_contact(value):
        raise ValidationError(
            _("A display name must not contain an e-mail, a link or a phone number."),
            code="contact_in_display_name",
        )


def validate_no_contact(value: str) -> None:
    """Model-field validator for pseudonymous labels (a case's label, for one)."""
    if looks_like_contact(value):
        raise ValidationError(
            _(
                "A pseudonymous label must not contain an e-mail, a link or a phone number."
            ),
            code="contact_in_label",
        )


def clean_display_name(value: object) -> str:
    """Normalise a pseudonym (spaces collapsed, NFKC) and validate it."""
    text = " ".join(_canonical_text(str(value or "")).split())
    validate_display_name(text)
    return text


# French numbers first; the overseas departments and territories share the
# national "0" prefix, so "0692 12 34 56" is a Réunion mobile.
_REGIONS = ("FR", "RE", "GP", "MQ", "GF", "YT", "PM", "BL", "MF", "NC", "PF", "WF")
_PHONE_CHARS = re.compile(r"^[\d\s.\-/()+]*$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
PHONE_INPUT_MAX = 30


def _phone_error() -> ValidationError:
    return ValidationError(
        _("Enter a phone number, for example 06 12 34 56 78 or +33 6 12 34 56 78."),
        code="invalid_phone",
    )


def normalise_phone(value: object) -> str:
    """Return a phone number in E.164 (``+33612345678``), or "" for none.

    Spaces, dots, dashes, slashes and brackets are accepted on input; letters and
    anything that is not a valid number are refused.
    """
    text = _canonical_text(str(value or "")).strip()
    if not text:
        return ""
    if len(text) > PHONE_INPUT_MAX or not _PHONE_CHARS.match(text):
        raise _phone_error()
    if text.startswith("00"):
        text = "+" + text[2:]
    for region in _REGIONS:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            raise _phone_error() from None
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(
                number, phonenumbers.PhoneNumberFormat.E164
            )
        if text.startswith("+"):
            break  # an international number does not depend on the region
    raise _phone_error()


def validate_phone_e164(value: str) -> None:
    """Model-field validator: a stored phone number is canonical (or empty)."""
    if value and (not _E164.match(value) or normalise_phone(value) != value):
        raise _phone_error()


def display_phone(value: str) -> str:
    """A stored E.164 number as people read it (national form for France)."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    if number.country_code == 33:
        return phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.NATIONAL
        )
    return phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
