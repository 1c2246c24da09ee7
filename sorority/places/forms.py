"""Web forms: her profile and offers, and the two searches."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from sorority.places import gazetteer, geo, position
from sorority.places.models import (
    ANIMALS,
    AVATARS,
    LANGUAGES,
    SUPPORT_KINDS,
    Precision,
    SafePlaceOffer,
)


def _resolve_commune(form: forms.Form, name_field: str, code_field: str) -> None:
    """Typed a town without picking a suggestion (or without JS): take the best match."""
    data = form.cleaned_data
    name = (data.get(name_field) or "").strip()
    if data.get(code_field) or not name:
        return
    if data.get("lat") is not None and code_field == "place":
        return
    found = gazetteer.search(name, limit=1)
    if found:
        data[code_field] = found[0].code
    else:
        form.add_error(name_field, _("No French commune matches this name or postcode."))


class ProfileForm(forms.Form):
    """Everything she edits on one page; turned into ``profile_update`` data."""

    display_name = forms.CharField(label=_("Display name (a pseudonym)"), max_length=40)
    avatar = forms.ChoiceField(
        label=_("Avatar"), choices=AVATARS, widget=forms.RadioSelect
    )
    bio = forms.CharField(
        label=_("A few words about you"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"), choices=LANGUAGES, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    place_name = forms.CharField(
        label=_("Your town or postcode"), max_length=100, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-commune-input": "place"}),
    )
    place = forms.CharField(max_length=5, required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    precision = forms.ChoiceField(
        label=_("How precisely others see your area"), choices=Precision.choices
    )
    paused = forms.BooleanField(
        label=_("Pause: hide me from searches and the map"), required=False
    )
    support_offered = forms.BooleanField(label=_("I offer help/support"), required=False)
    support_kinds = forms.MultipleChoiceField(
        label=_("Which help"), choices=SUPPORT_KINDS, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    support_availability = forms.CharField(
        label=_("When are you available?"), max_length=200, required=False
    )
    safe_offered = forms.BooleanField(label=_("I offer a safe place"), required=False)
    safe_type = forms.ChoiceField(label=_("What"), choices=SafePlaceOffer.Type.choices)
    safe_adults = forms.IntegerField(label=_("Adults"), min_value=1, max_value=20)
    safe_children = forms.IntegerField(
        label=_("Children accepted (how many)"), min_value=0, max_value=20
    )
    safe_animals = forms.MultipleChoiceField(
        label=_("Animals accepted"), choices=ANIMALS, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    safe_step_free = forms.BooleanField(label=_("Step-free access"), required=False)
    safe_max_nights = forms.IntegerField(
        label=_("How many nights at most"), min_value=1, max_value=365
    )
    safe_household = forms.CharField(
        label=_("Who else lives there"), max_length=300, required=False
    )
    safe_men_at_night = forms.BooleanField(
        label=_("Adult men are present at night"), required=False
    )
    safe_availability = forms.ChoiceField(
        label=_("Availability"), choices=SafePlaceOffer.Availability.choices
    )
    safe_date_start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    safe_date_end = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    safe_tonight = forms.BooleanField(
        label=_("Available tonight (turns itself off tomorrow morning)"), required=False
    )
    safe_visibility = forms.ChoiceField(
        label=_("Who may find this offer"), choices=SafePlaceOffer.Visibility.choices
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    show_phone = forms.BooleanField(label=_("Show my phone number"), required=False)
    show_email = forms.BooleanField(label=_("Show my e-mail address"), required=False)
    accepts_group_requests = forms.BooleanField(
        label=_("I accept requests sent to several hosts at once"), required=False
    )

    @classmethod
    def initial_from(cls, profile: dict) -> dict:
        safe = profile["safe_place"]
        ranges = safe["date_ranges"]
        return {
            "display_name": profile["display_name"],
            "avatar": profile["avatar"],
            "bio": profile["bio"],
            "languages": profile["languages"],
            "place_name": (profile["location"] or {}).get("area", ""),
            "precision": profile["precision"],
            "paused": profile["paused"],
            "support_offered": profile["support"]["offered"],
            "support_kinds": profile["support"]["kinds"],
            "support_availability": profile["support"]["availability"],
            "safe_offered": safe["offered"],
            "safe_type": safe["type"],
            "safe_adults": safe["adults"],
            "safe_children": safe["children"],
            "safe_animals": safe["animals"],
            "safe_step_free": safe["step_free"],
            "safe_max_nights": safe["max_nights"],
            "safe_household": safe["household"],
            "safe_men_at_night": safe["men_at_night"],
            "safe_availability": safe["availability"],
            "safe_date_start": ranges[0]["start"] if ranges else None,
            "safe_date_end": ranges[0]["end"] if ranges else None,
            "safe_tonight": safe["tonight"],
            "safe_visibility": safe["visibility"],
            "phone": profile["contact"]["phone"] or "",
            "show_phone": profile["contact"]["show_phone"],
            "show_email": profile["contact"]["show_email"],
            "accepts_group_requests": profile["contact"]["accepts_group_requests"],
        }

    def clean(self) -> dict:
        data = super().clean()
        if self.initial.get("place_name") != data.get("place_name"):
            _resolve_commune(self, "place_name", "place")
        start, end = data.get("safe_date_start"), data.get("safe_date_end")
        if (start is None) != (end is None):
            self.add_error("safe_date_end", _("Give both dates, or none."))
        elif start and end and end < start:
            self.add_error("safe_date_end", _("The end cannot be before the start."))
        return data

    def forget_position(self) -> None:
        """Before showing the form again, keep only the cell centre of her position.

        The page must never hold her position (docs/security.md): the hidden fields
        get the centre of the res-7 cell instead, or nothing if it was unusable.
        """
        data = self.data.copy()
        lat, lng = data.pop("lat", [None])[-1], data.pop("lng", [None])[-1]
        if lat not in (None, "") or lng not in (None, ""):
            try:
                clat, clng = geo.cell_center(position.snap_cell(lat, lng))
            except position.PositionError:
                pass
            else:
                data["lat"], data["lng"] = str(clat), str(clng)
        self.data = data

    def to_update(self) -> dict:
        d = self.cleaned_data
        data: dict = {
            "display_name": d["display_name"],
            "avatar": d["avatar"],
            "bio": d["bio"],
            "languages": d["languages"],
            "precision": d["precision"],
            "paused": d["paused"],
            "contact": {
                "phone": d["phone"],
                "show_phone": d["show_phone"],
                "show_email": d["show_email"],
                "accepts_group_requests": d["accepts_group_requests"],
            },
            "support": {
                "offered": d["support_offered"],
                "kinds": d["support_kinds"],
                "availability": d["support_availability"],
            },
            "safe_place": {
                "offered": d["safe_offered"],
                "type": d["safe_type"],
                "adults": d["safe_adults"],
                "children": d["safe_children"],
                "animals": d["safe_animals"],
                "step_free": d["safe_step_free"],
                "max_nights": d["safe_max_nights"],
                "household": d["safe_household"],
                "men_at_night": d["safe_men_at_night"],
                "availability": d["safe_availability"],
                "date_ranges": (
                    [{"start": d["safe_date_start"].isoformat(),
                      "end": d["safe_date_end"].isoformat()}]
                    if d.get("safe_date_start") and d.get("safe_date_end") else []
                ),
                "tonight": d["safe_tonight"],
                "visibility": d["safe_visibility"],
            },
        }
        if d.get("place"):
            data["place"] = d["place"]
        elif d.get("lat") is not None and d.get("lng") is not None:
            data["lat"], data["lng"] = d["lat"], d["lng"]
        return data


class SearchForm(forms.Form):
    """Where from and what to avoid (both searches)."""

    place_name = forms.CharField(
        label=_("Search from a town or postcode (leave empty: from your area)"),
        max_length=100, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-commune-input": "place"}),
    )
    place = forms.CharField(max_length=5, required=False, widget=forms.HiddenInput)
    # "Around me": only the res-7 cell her position was snapped to (PositionForm),
    # never the position itself, travels in the search URL (docs/security.md).
    cell = forms.CharField(max_length=16, required=False, widget=forms.HiddenInput)
    avoid_name = forms.CharField(
        label=_("Area to avoid (where the abuser lives)"), max_length=100, required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "data-commune-input": "avoid_place"}
        ),
    )
    avoid_place = forms.CharField(max_length=5, required=False, widget=forms.HiddenInput)
    avoid_radius_km = forms.IntegerField(
        label=_("Radius to avoid (km)"), min_value=0, max_value=100, required=False,
        initial=10,
    )
    offset = forms.IntegerField(min_value=0, max_value=1000, required=False,
                                widget=forms.HiddenInput)

    def clean_cell(self) -> str:
        value = (self.cleaned_data.get("cell") or "").strip().lower()
        if value:
            try:
                position.parse_cell(value)
            except ValueError as exc:
                raise forms.ValidationError(_("This area is not valid: search again.")) from exc
        return value

    def clean(self) -> dict:
        data = super().clean()
        _resolve_commune(self, "place_name", "place")
        _resolve_commune(self, "avoid_name", "avoid_place")
        if data.get("place") and data.get("cell"):
            # A town typed after "around me" wins; the form shows no cell any more.
            data["cell"] = ""
            self.data = self.data.copy()
            self.data["cell"] = ""
        return data

    def position_free_query(self) -> QueryDict:
        """The search as a GET query: her choices, the cell, never a position."""
        query = QueryDict(mutable=True)
        for name in self.fields:
            if name in {"lat", "lng", "offset"}:
                continue
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else []
            values = [v for v in values if v not in ("", None)]
            if values:
                query.setlist(name, values)
        if getattr(self, "cleaned_data", {}).get("place"):
            query.pop("cell", None)
        return query


class PositionForm(forms.Form):
    """The browser's position for "around me", sent in a POST body only."""

    lat = forms.FloatField(min_value=-90, max_value=90)
    lng = forms.FloatField(min_value=-180, max_value=180)

    def cell(self) -> str:
        """The res-7 cell holding the position: all that is kept of it."""
        return geo.cell_to_str(
            position.snap_cell(self.cleaned_data["lat"], self.cleaned_data["lng"])
        )


class SupportSearchForm(SearchForm):
    kinds = forms.MultipleChoiceField(
        label=_("Help you are looking for"), choices=SUPPORT_KINDS, required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class SafePlaceSearchForm(SearchForm):
    adults = forms.IntegerField(label=_("Adults"), min_value=0, max_value=20, required=False)
    children = forms.IntegerField(
        label=_("Children"), min_value=0, max_value=20, required=False
    )
    animals = forms.MultipleChoiceField(
        label=_("Animals coming with you"), choices=ANIMALS, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    nights = forms.IntegerField(label=_("Nights"), min_value=0, max_value=365, required=False)
    step_free = forms.BooleanField(label=_("Step-free access needed"), required=False)
    now = forms.BooleanField(label=_("Available now or tonight"), required=False)
    no_men_at_night = forms.BooleanField(
        label=_("No adult men at night"), required=False
    )
