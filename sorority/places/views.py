"""Pages: her profile and offers, the two searches, the map."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sorority.core.access import Access, access
from sorority.core.errors import ApplicationError
from sorority.places import selectors, services
from sorority.places.forms import (
    PositionForm,
    ProfileForm,
    SafePlaceSearchForm,
    SearchForm,
    SupportSearchForm,
)

PAGE_SIZE = 20
MAX_SELECTED_HOSTS = 10


@access(Access.MEMBER)
def profile_edit(request: HttpRequest) -> HttpResponse:
    """Her profile, area and offers on one form."""
    current = selectors.own_profile(request.user)
    form = ProfileForm(request.POST or None, initial=ProfileForm.initial_from(current))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.profile_update(user=request.user, data=form.to_update())
            except ApplicationError as exc:
                for field, errors in exc.fields.items():
                    name = field.replace("safe_place.", "safe_").replace("support.", "support_")
                    target = name if name in form.fields else None
                    for error in errors:
                        form.add_error(target, error)
                if not exc.fields:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("places:profile")
        status = 400
        form.forget_position()
    return render(
        request, "places/profile_form.html", {"form": form, "profile": current},
        status=status,
    )


def _run_search(request: HttpRequest, kind: str, form: SearchForm) -> dict:
    """Validate the search form and run the search; errors go on the form."""
    context: dict = {"form": form, "kind": kind, "results": [], "searched": False}
    if not form.is_valid():
        return context
    d = form.cleaned_data
    try:
        origin = selectors.origin_for(
            request.user, place=d.get("place") or None, cell=d.get("cell") or None
        )
        avoid = selectors.avoid_for(
            d.get("avoid_place") or None,
            float(d["avoid_radius_km"]) if d.get("avoid_radius_km") is not None else None,
        )
        if kind == "support":
            filters = selectors.support_filters(tuple(d.get("kinds") or ()))
        else:
            filters = selectors.safe_place_filters(
                adults=d.get("adults") or 0, children=d.get("children") or 0,
                animals=tuple(d.get("animals") or ()), nights=d.get("nights") or 0,
                step_free=d["step_free"], immediate=d["now"],
                no_men_at_night=d["no_men_at_night"],
            )
        offset = d.get("offset") or 0
        found = selectors.search_offers(
            request.user, kind=kind, origin=origin, filters=filters, avoid=avoid,
            limit=PAGE_SIZE, offset=offset,
        )
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return context
    # "Show more" repeats the search from its query (never a position, see
    # docs/security.md): the cell, the town and the filters, one page further.
    more = form.position_free_query()
    if kind == "safe_place":
        more["safety"] = "checked"
    more["offset"] = str(offset + PAGE_SIZE)
    context.update(
        results=found.results, has_more=found.has_more, origin=found.origin,
        more_query=more.urlencode(), searched=True, offset=offset,
        around_me=bool(d.get("cell")) and not d.get("place"),
    )
    return context


def _render_search(request: HttpRequest, context: dict) -> HttpResponse:
    if request.htmx and context.get("searched") and context.get("offset"):
        return render(request, "places/search.html#results", context)
    status = 400 if context["form"].errors else 200
    return render(request, "places/search.html", context, status=status)


def _around_me(
    request: HttpRequest, form_class: type[SearchForm], url_name: str, **extra: str
) -> HttpResponse:
    """POST of "around me": snap the position to its cell, then GET the search.

    Post/Redirect/Get: the position only ever travels in this POST body; the
    303 goes to the search URL with `cell=` (Back and refresh work, and the
    history holds the cell only). Her filters come along; the town does not.
    """
    query = form_class(request.POST).position_free_query()
    for name in ("place", "place_name", "cell"):
        query.pop(name, None)
    query.update(extra)
    position = PositionForm(request.POST)
    if position.is_valid():
        query["cell"] = position.cell()
    else:
        messages.error(
            request, _("Your position could not be used. Choose a town instead.")
        )
    response = redirect(f"{reverse(url_name)}?{query.urlencode()}")
    response.status_code = 303
    return response


@access(Access.MEMBER)
@require_http_methods(["GET", "HEAD", "POST"])
def search_support(request: HttpRequest) -> HttpResponse:
    """"I am looking for help/support": members offering it, nearest first."""
    if request.method == "POST":
        return _around_me(request, SupportSearchForm, "places:search_support")
    form = SupportSearchForm(request.GET or {"offset": 0})
    return _render_search(request, _run_search(request, "support", form))


@access(Access.MEMBER)
@require_http_methods(["GET", "HEAD", "POST"])
def search_safe_place(request: HttpRequest) -> HttpResponse:
    """"I am looking for a safe place to flee": asks about danger first."""
    if request.method == "POST":
        # Only the search form posts here, after the danger question.
        return _around_me(
            request, SafePlaceSearchForm, "places:search_safe_place", safety="checked"
        )
    step = request.GET.get("safety")
    if step not in {"no", "checked"}:
        return render(
            request, "places/safety_check.html", {"in_danger": step == "yes"}
        )
    params = request.GET.copy()
    params.pop("safety", None)
    form = SafePlaceSearchForm(params or {"offset": 0})
    context = _run_search(request, "safe_place", form)
    context["max_selected"] = MAX_SELECTED_HOSTS
    return _render_search(request, context)


@access(Access.MEMBER)
def map_page(request: HttpRequest) -> HttpResponse:
    """The map of members offering help or a safe place (cells with counts)."""
    profile = selectors.own_profile(request.user)
    location = profile["location"]
    config = {
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
        "center": [location["lat"], location["lng"]] if location else [46.6, 2.4],
        "zoom": 11 if location else 6,
        "mapUrl": "/api/v1/map",
        "locateUrl": "/api/v1/map/locate",
        "cellUrl": "/places/map/cells/",
        "placesUrl": "/api/v1/places",
        "pinkHairUrl": static("places/img/host-pink-hair.svg"),
    }
    return render(request, "places/map.html", {"map_config": json.dumps(config)})


@access(Access.MEMBER)
def map_cell(request: HttpRequest, cell: str) -> HttpResponse:
    """Cards of the members of one map cell (loaded into the map's side panel)."""
    layer = request.GET.get("layer", "support")
    level = request.GET.get("level")
    try:
        data = selectors.cell_members(
            request.user, cell=cell, layer=layer,
            level=int(level) if level and level.isdigit() else None,
        )
    except ApplicationError as exc:
        return render(
            request, "places/map_cell.html", {"error": exc.message}, status=400
        )
    return render(request, "places/map_cell.html", {"data": data, "layer": layer})
