from django import forms
from django.utils.translation import gettext_lazy as _

from sorority.verification.models import DECISION_REASONS, BanEntry, ReasonCode

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _check(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


class DecisionForm(forms.Form):
    """The moderator's checklist (SECURITY.md 6), transcription and decision.

    There is deliberately no field for the sex marker of the document.
    """

    gesture_correct = _check(_("The gesture is the one asked"))
    code_correct = _check(_("The handwritten code is correct and legible"))
    same_person = _check(_("The selfies and the document portrait show the same person"))
    document_physical = _check(_("The document is physical (not a screen or a photocopy)"))
    document_not_expired = _check(_("The document has not expired"))
    identity_transcribed = _check(_("Names and date of birth are transcribed below"))
    family_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    given_names = forms.CharField(label=_("Given names"), max_length=150, required=False)
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("approve", _("Approve")),
            ("resubmit", _("Ask for new photos")),
            ("refuse", _("Refuse")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.ChoiceField(
        label=_("Reason (to refuse or ask for new photos)"),
        choices=[("", "—")]
        + [(code, label) for code, label in ReasonCode.choices if code in DECISION_REASONS],
        required=False,
    )
    ban_category = forms.ChoiceField(
        label=_("Propose a ban entry (a second moderator must approve it)"),
        choices=[("", "—"), *BanEntry.Category.choices],
        required=False,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for name in ("family_name", "given_names"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
