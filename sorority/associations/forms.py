"""Forms of the association and case pages (they parse; services decide)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sorority.associations.models import Case, FollowUp, Placement
from sorority.associations.services.cases import ANIMALS, SUPPORT_KINDS
from sorority.places import gazetteer

SUPPORT_KIND_LABELS = {
    "listening": _("Listening"),
    "medical": _("Going with her to a medical visit"),
    "police": _("Going with her to the police to file a complaint"),
    "administrative": _("Going with her to administrative offices"),
    "job_interview": _("Going with her to a job interview"),
    "outing": _("Going out together"),
    "other": _("Other"),
}
ANIMAL_LABELS = {"cat": _("Cat"), "dog": _("Dog"), "other": _("Other animal")}
CHECK_IN_LABELS = {
    "fine": _("All fine on both sides."),
    "quiet_day": Placement.DuressAnswer.QUIET_DAY.label,
    "nothing_new": Placement.DuressAnswer.NOTHING_NEW.label,
    "issue": _("There is an issue."),
}


def resolve_commune(value: str) -> str:
    """Turn a commune code, a postcode or a name into a commune code ("" if empty)."""
    value = (value or "").strip()
    if not value:
        return ""
    commune = gazetteer.get(value)
    if commune is None:
        found = gazetteer.search(value, limit=1)
        commune = found[0] if found else None
    if commune is None:
        raise forms.ValidationError(_("Unknown commune."))
    return commune.code


class AssociationForm(forms.Form):
    name = forms.CharField(label=_("Name of the association"), max_length=150)
    identifier = forms.CharField(
        label=_("RNA or SIREN number"),
        max_length=20,
        help_text=_("RNA: W followed by 9 digits. SIREN: 9 digits."),
    )
    address = forms.CharField(label=_("Head office address"), max_length=300)


class InviteForm(forms.Form):
    member = forms.CharField(
        label=_("Member number or e-mail of the person to invite"), max_length=254
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (if refused)"), max_length=300, required=False
    )


class CaseForm(forms.Form):
    label = forms.CharField(
        label=_("Pseudonymous label"),
        max_length=60,
        help_text=_("Never her legal name: a first name of your choice or a code."),
    )
    need = forms.ChoiceField(label=_("What she needs"), choices=Case.Need.choices)
    support_kinds = forms.MultipleChoiceField(
        label=_("Kinds of help"),
        choices=[(k, SUPPORT_KIND_LABELS[k]) for k in SUPPORT_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    adults = forms.IntegerField(label=_("Adults"), min_value=1, max_value=10, initial=1)
    children_ages = forms.CharField(
        label=_("Children's ages"),
        required=False,
        help_text=_("Separated by commas, for example: 4, 9"),
    )
    animals = forms.MultipleChoiceField(
        label=_("Animals"),
        choices=[(a, ANIMAL_LABELS[a]) for a in ANIMALS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    nights = forms.IntegerField(
        label=_("Nights"), min_value=1, max_value=365, initial=1
    )
    step_free = forms.BooleanField(label=_("Step-free access needed"), required=False)
    target_commune = forms.CharField(
        label=_("Target area (town or postcode)"), max_length=100, required=False
    )
    avoid_commune = forms.CharField(
        label=_("Area to avoid (town or postcode)"), max_length=100, required=False
    )
    avoid_radius_km = forms.IntegerField(
        label=_("Radius to avoid (km)"), min_value=0, max_value=100, initial=0
    )
    notes = forms.CharField(
        label=_("Notes"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=10_000,
    )

    def clean_children_ages(self) -> list[int]:
        raw = self.cleaned_data.get("children_ages") or ""
        try:
            ages = [
                int(part) for part in raw.replace(";", ",").split(",") if part.strip()
            ]
        except ValueError:
            raise forms.ValidationError(
                _("Give ages as numbers, separated by commas.")
            ) from None
        if any(not 0 <= age <= 17 for age in ages) or len(ages) > 10:
            raise forms.ValidationError(_("Give each child's age, from 0 to 17."))
        return ages

    def clean_target_commune(self) -> str:
        return resolve_commune(self.cleaned_data.get("target_commune", ""))

    def clean_avoid_commune(self) -> str:
        return resolve_commune(self.cleaned_data.get("avoid_commune", ""))


class SafetyForm(forms.Form):
    threatened = forms.TypedChoiceField(
        label=_("Is she followed or threatened right now?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=10_000,
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Case.Status.choices)


class ReferentForm(forms.Form):
    referent = forms.IntegerField(label=_("Referent"), required=False)


class OutreachForm(forms.Form):
    host_ids = forms.TypedMultipleChoiceField(coerce=int, label=_("Hosts"))
    message = forms.CharField(
        label=_("A few words of your own (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
    )

    def __init__(
        self, *args: object, host_choices: list[tuple[int, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["host_ids"].choices = host_choices


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[("accepted", _("Yes")), ("declined", _("No"))])


class PlacementForm(forms.Form):
    request = forms.IntegerField(widget=forms.HiddenInput)
    starts_on = forms.DateField(
        label=_("Start"), widget=forms.DateInput(attrs={"type": "date"})
    )
    expected_end_on = forms.DateField(
        label=_("Expected end"), widget=forms.DateInput(attrs={"type": "date"})
    )
    duress_answer = forms.ChoiceField(
        label=_("Duress answer agreed in advance"),
        choices=Placement.DuressAnswer.choices,
        help_text=_(
            "Agree it with the host and with her: given at a check-in, it looks normal "
            "on screen but alerts you at once."
        ),
    )


class FollowUpForm(forms.Form):
    with_whom = forms.ChoiceField(label=_("With"), choices=FollowUp.With.choices)
    due_at = forms.DateTimeField(
        label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class CheckInForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Answer"),
        choices=list(CHECK_IN_LABELS.items()),
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class EndForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    rehouse = forms.BooleanField(label=_("Rehouse her (new search)"), required=False)
