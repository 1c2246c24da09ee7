"""The moderator's transcription of a document: names and date of birth, typed once.

One set of rules for the web console and the API (`services.verification_decide`
calls `transcription_clean`): obvious typos are refused with a clear message beside
the field, harmless ones (spaces) are tidied, and nothing here is ever stored — the
cleaned values only feed the keyed tags (docs/security.md §24-25).
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from sorority.core.errors import ApplicationError

MIN_AGE = 15
MAX_AGE = 110
NAME_MAX_LENGTH = 150
# Letters (any script, with their accents), spaces, hyphens and apostrophes.
_NAME_OK = re.compile(r"^[^\W\d_]+(?:[ \-'\u2019][^\W\d_]+)*$")
_DATE_PARTS = re.compile(r"^(\d{1,2})[\s./-]+(\d{1,2})[\s./-]+(\d{2,4})$")
_DATE_COMPACT = re.compile(r"^(\d{2})(\d{2})(\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class Transcription:
    family_name: str
    given_names: str
    birth_date: datetime.date | None

    @property
    def display(self) -> str:
        """How the console shows it back: all-caps words in title case (display only)."""
        return " ".join(
            part
            for part in (display_name(self.given_names), display_name(self.family_name))
            if part
        )


def tidy_name(value: str) -> str:
    """Drop leading, trailing and doubled spaces (NFC, so accents compare equal)."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def display_name(value: str) -> str:
    """`DUPONT-MARTIN` → `Dupont-Martin`; a name typed in mixed case is left as typed."""
    if value and value.upper() == value and value.lower() != value:
        return value.title()
    return value


def _name_error(value: str) -> str | None:
    if not value:
        return None
    if len(value) > NAME_MAX_LENGTH:
        return _("At most %(n)d characters.") % {"n": NAME_MAX_LENGTH}
    if any(char.isdigit() for char in value):
        return _("A name has no digits: check the transcription.")
    if not _NAME_OK.match(value):
        return _("Only letters, spaces, hyphens and apostrophes.")
    return None


def parse_birth_date(text: str) -> datetime.date | None:
    """Read a date as printed on a French document (31/01/1990, 31.01.1990, 31 01 1990).

    Also takes 31011990 and the ISO form 1990-01-31. Raises `ApplicationError` with a
    message for the field when it cannot be a real date.
    """
    text = (text or "").strip()
    if not text:
        return None
    iso = _DATE_ISO.match(text)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    else:
        match = _DATE_PARTS.match(text) or _DATE_COMPACT.match(text)
        if match is None:
            raise _date_error(_("Write the date as on the document: DD/MM/YYYY."))
        day, month, year = (int(part) for part in match.groups())
        if year < 1000:
            raise _date_error(_("Write the year in full (four digits)."))
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise _date_error(_("This date does not exist.")) from None


def _date_error(message: str) -> ApplicationError:
    return ApplicationError(
        message, code="invalid_transcription", fields={"birth_date": [message]}
    )


def age_on(birth_date: datetime.date, today: datetime.date) -> int:
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


def _birth_date_error(birth_date: datetime.date | None) -> str | None:
    if birth_date is None:
        return None
    today = timezone.localdate()
    if birth_date > today:
        return _("This date of birth is in the future.")
    age = age_on(birth_date, today)
    if age < MIN_AGE:
        return _("She would be %(age)d: check the year (at least %(min)d).") % {
            "age": age,
            "min": MIN_AGE,
        }
    if age > MAX_AGE:
        return _("She would be %(age)d: check the year (at most %(max)d).") % {
            "age": age,
            "max": MAX_AGE,
        }
    return None


def transcription_clean(
    *, family_name: str, given_names: str, birth_date: datetime.date | str | None
) -> Transcription:
    """Tidy and check a transcription; raise `ApplicationError` (400) with a message per field."""
    errors: dict[str, list[str]] = {}
    family, given = tidy_name(family_name), tidy_name(given_names)
    for name, value in (("family_name", family), ("given_names", given)):
        message = _name_error(value)
        if message:
            errors[name] = [message]
    if isinstance(birth_date, str):
        try:
            birth_date = parse_birth_date(birth_date)
        except ApplicationError as exc:
            errors |= exc.fields
            birth_date = None
    message = _birth_date_error(birth_date)
    if message:
        errors["birth_date"] = [message]
    if errors:
        raise ApplicationError(
            _("Check the transcription."), code="invalid_transcription", fields=errors
        )
    return Transcription(family, given, birth_date)
