from django import forms
from django.utils.translation import gettext_lazy as _

from sorority.moderation.models import DETAILS_MAX_LENGTH, Report


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Report.Reason.choices)
    details = forms.CharField(
        label=_("Details (optional)"),
        required=False,
        max_length=DETAILS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ActionForm(forms.Form):
    ACTIONS = [
        ("dismiss", _("Dismiss")),
        ("warn", _("Warn")),
        ("suspend", _("Suspend")),
        ("propose_ban", _("Propose a ban")),
    ]
    # A radio group: each action is a real, labelled control (a `Select` iterated
    # option by option in the template rendered bare <option> tags, no control).
    action = forms.ChoiceField(
        label=_("Action"),
        choices=ACTIONS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose an action.")},
    )
    days = forms.IntegerField(
        label=_("Days of suspension"),
        min_value=1,
        max_value=365,
        required=False,
        initial=7,
        widget=forms.NumberInput(attrs={"aria-describedby": "id_days-help"}),
        help_text=_("Only for a suspension: from 1 to 365 days."),
    )
    note = forms.CharField(
        label=_("Note for the other moderators"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict:
        data = super().clean()
        suspend = data.get("action") == "suspend"
        if suspend and not data.get("days") and "days" not in self.errors:
            self.add_error("days", _("Enter the number of days of suspension."))
        return data


class BanDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve the ban")), ("reject", _("Reject"))]
    )
    family_name = forms.CharField(label=_("Family name (optional)"), required=False)
    given_names = forms.CharField(label=_("Given names (optional)"), required=False)
    birth_date = forms.DateField(label=_("Birth date (optional)"), required=False)

    def identity(self) -> dict | None:
        data = self.cleaned_data
        if not (data.get("family_name") or data.get("given_names")):
            return None
        return {
            "family_name": data.get("family_name", ""),
            "given_names": data.get("given_names", ""),
            "birth_date": data.get("birth_date"),
        }
