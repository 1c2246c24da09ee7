from django import forms
from django.utils.translation import gettext_lazy as _

from sorority.verification.models import DECISION_REASONS, BanEntry, ReasonCode


def _check(label: str) -> forms.BooleanField:
    # A ticked box is "met"; an unticked one is an explicit "not met" (only approval
    # needs every item met, docs/security.md §6).
    return forms.BooleanField(label=label, required=False)


class DecisionForm(forms.Form):
    """The moderator's checklist (docs/security.md §6), transcription and decision.

    There is deliberately no field for the sex marker of the document. The
    transcription is checked by the service (`transcription.transcription_clean`).
    """

    gesture_correct = _check(_("The gesture is the one asked"))
    code_correct = _check(_("The handwritten code is correct and legible"))
    same_person = _check(
        _("The selfies and the document portrait show the same person")
    )
    document_physical = _check(
        _("The document is physical (not a screen or a photocopy)")
    )
    document_not_expired = _check(_("The document has not expired"))
    identity_transcribed = _check(_("Names and date of birth are transcribed below"))
    family_name = forms.CharField(
        label=_("Family name"), max_length=150, required=False, strip=False
    )
    given_names = forms.CharField(
        label=_("Given names"), max_length=150, required=False, strip=False
    )
    birth_date = forms.CharField(
        label=_("Date of birth"),
        max_length=20,
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("DD/MM/YYYY"), "inputmode": "numeric"}
        ),
    )
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("approve", _("Approve")),
            ("resubmit", _("Ask for new photos")),
            ("refuse", _("Refuse")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a decision.")},
    )
    reason = forms.ChoiceField(
        label=_("Reason (to refuse or ask for new photos)"),
        choices=[
            (code, label)
            for code, label in ReasonCode.choices
            if code in DECISION_REASONS
        ],
        required=False,
        widget=forms.RadioSelect,
    )
    ban_category = forms.ChoiceField(
        label=_("Propose a ban entry (a second moderator must approve it)"),
        choices=[("", "—"), *BanEntry.Category.choices],
        required=False,
    )
    then_queue = forms.BooleanField(
        label=_("Back to the queue after this decision"), required=False
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for name in ("family_name", "given_names", "birth_date"):
            self.fields[name].widget.attrs.update(
                autocomplete="off", spellcheck="false"
            )
