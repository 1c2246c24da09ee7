"""Forms about people: the extra sign-up fields (pseudonym, consent), settings."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sorority.accounts.models import User

_LOOKS_LIKE_CONTACT = re.compile(r"@|https?://|www\.|\d{6,}")


def clean_display_name(value: str) -> str:
    """Validate a pseudonym: short, printable, not an e-mail, link or phone number."""
    value = " ".join(value.split())
    if len(value) < 2:
        raise ValidationError(_("Choose a display name of at least 2 characters."))
    if len(value) > 40:
        raise ValidationError(_("A display name has at most 40 characters."))
    if _LOOKS_LIKE_CONTACT.search(value):
        raise ValidationError(
            _("A display name must not contain an e-mail, a link or a phone number.")
        )
    return value


class SignupForm(forms.Form):
    """Fields added to allauth's sign-up, on the web and in the headless API."""

    display_name = forms.CharField(
        label=_("Display name (a pseudonym, never your legal name)"),
        max_length=10_000,  # checked below with a clear message
        widget=forms.TextInput(attrs={"autocomplete": "nickname", "maxlength": 40}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that Sorority processes sensitive data about me (my situation, "
            "my live selfie and identity document, destroyed at the decision) as "
            "described in the privacy notice."
        ),
        required=True,
        error_messages={"required": _("Your explicit consent is needed to sign up.")},
    )

    def clean_display_name(self) -> str:
        return clean_display_name(self.cleaned_data["display_name"])

    def signup(self, request: HttpRequest, user: User) -> None:
        from sorority.accounts.services import user_record_signup

        user_record_signup(user=user)


class AccountSettingsForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "discreet_mode", "exit_url"]
        help_texts = {
            "discreet_mode": _(
                "Neutral page titles, icon and e-mails, in case someone looks at "
                "your screen or mailbox."
            ),
            "exit_url": _(
                "Where the quick exit takes you. Leave empty for a weather search."
            ),
        }

    def clean_display_name(self) -> str:
        return clean_display_name(self.cleaned_data["display_name"])


class EnrolmentCodeForm(forms.Form):
    """The one-time code an operator gave a new moderator to add her first factor."""

    code = forms.CharField(
        label=_("Enrolment code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )
