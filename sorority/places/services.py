"""Writes: profiles, offers, locations, and the read models kept in step with them.

Every write goes through ``profile_update`` (or the small wrappers below), which
saves the profile and offers, then rebuilds the member's ``OfferIndex`` rows and
applies the difference to ``CellCount`` in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from sorority.core.errors import ApplicationError
from sorority.core.validators import normalise_phone
from sorority.places import geo, locate, position
from sorority.places.models import (
    ANIMALS,
    AVATARS,
    LANGUAGES,
    SUPPORT_KINDS,
    CellCount,
    OfferIndex,
    Precision,
    Profile,
    ProfileEvent,
    SafePlaceOffer,
    SupportOffer,
    mask_of,
)

if TYPE_CHECKING:
    from sorority.accounts.models import User

#: Map levels kept in ``CellCount`` (the map picks one from the zoom).
MAP_RESOLUTIONS = (3, 4, 5, 6, 7)
PARIS = ZoneInfo("Europe/Paris")
#: "Available tonight" turns itself off at this hour the next morning.
TONIGHT_ENDS_AT = dt.time(10, 0)

_PROFILE_FIELDS = (
    "avatar",
    "bio",
    "languages",
    "paused",
    "phone",
    "show_phone",
    "show_email",
    "accepts_group_requests",
)
_SUPPORT_FIELDS = ("offered", "kinds", "availability")
_SAFE_FIELDS = (
    "offered",
    "type",
    "adults",
    "children",
    "animals",
    "step_free",
    "max_nights",
    "household",
    "men_at_night",
    "availability",
    "date_ranges",
    "visibility",
)


def _fail(field: str, message: str, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: [message]})


def _check_choices(field: str, values: object, choices: tuple) -> list[str]:
    allowed = [c[0] for c in choices]
    if not isinstance(values, list | tuple) or not all(
        isinstance(v, str) for v in values
    ):
        raise _fail(field, "A list of values is expected.")
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise _fail(field, f"Unknown values: {', '.join(unknown)}.")
    return sorted(set(values), key=allowed.index)


def _check_date_ranges(value: object) -> list[dict]:
    if not isinstance(value, list) or len(value) > 20:
        raise _fail("date_ranges", "At most 20 date ranges are allowed.")
    ranges = []
    for item in value:
        try:
            start = dt.date.fromisoformat(str(item["start"]))
            end = dt.date.fromisoformat(str(item["end"]))
        except (KeyError, TypeError, ValueError):
            raise _fail("date_ranges", "Each range needs a start and an end date.") from None
        if end < start:
            raise _fail("date_ranges", "A range cannot end before it starts.")
        ranges.append({"start": start.isoformat(), "end": end.isoformat()})
    return sorted(ranges, key=lambda r: r["start"])


def tonight_end(now: dt.datetime | None = None) -> dt.datetime:
    """When "available tonight" switched on at ``now`` turns itself off."""
    local = (now or timezone.now()).astimezone(PARIS)
    day = local.date() if local.time() < TONIGHT_ENDS_AT else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, TONIGHT_ENDS_AT, tzinfo=PARIS)


def safe_place_availability(
    offer: SafePlaceOffer, now: dt.datetime | None = None
) -> tuple[bool, bool]:
    """(may be asked now, available now or tonight) for a safe-place offer."""
    now = now or timezone.now()
    tonight = offer.tonight_until is not None and offer.tonight_until > now
    if tonight or offer.availability == SafePlaceOffer.Availability.NOW:
        return True, True
    if offer.availability == SafePlaceOffer.Availability.ON_REQUEST:
        return True, False
    today = now.astimezone(PARIS).date().isoformat()
    in_range = any(r["start"] <= today <= r["end"] for r in offer.date_ranges)
    return in_range, False


# --------------------------------------------------------------------------- #
# Read models
# --------------------------------------------------------------------------- #


def _index_rows(
    profile: Profile, now: dt.datetime | None = None
) -> list[OfferIndex]:
    """The search rows a profile should have right now."""
    user = profile.user
    if (
        profile.cell is None
        or profile.paused
        or not user.is_active
        or user.status != user.Status.MEMBER
    ):
        return []
    common = {
        "member_id": profile.user_id,
        "cell": profile.cell,
        "res": profile.res,
        "pub_lat": profile.pub_lat,
        "pub_lng": profile.pub_lng,
        "band": profile.band,
    }
    rows = []
    support = getattr(profile, "support", None)
    if support is not None and support.offered:
        rows.append(
            OfferIndex(
                kind=OfferIndex.Kind.SUPPORT,
                available=True,
                immediate=True,
                kinds_mask=mask_of(support.kinds, SUPPORT_KINDS),
                **common,
            )
        )
    safe = getattr(profile, "safe_place", None)
    if safe is not None and safe.offered:
        available, immediate = safe_place_availability(safe, now)
        rows.append(
            OfferIndex(
                kind=OfferIndex.Kind.SAFE_PLACE,
                available=available,
                immediate=immediate,
                assoc_only=safe.visibility == SafePlaceOffer.Visibility.ASSOCIATIONS,
                place_type=[c[0] for c in SafePlaceOffer.Type.choices].index(safe.type)
                + 1,
                adults=safe.adults,
                children=safe.children,
                animals_mask=mask_of(safe.animals, ANIMALS),
                step_free=safe.step_free,
                max_nights=safe.max_nights,
                men_at_night=safe.men_at_night,
                **common,
            )
        )
    return rows


def layers_of(kind: int, assoc_only: bool) -> tuple[int, ...]:
    """Map layers an offer counts in."""
    if kind == OfferIndex.Kind.SUPPORT:
        return (CellCount.Layer.SUPPORT,)
    if assoc_only:
        return (CellCount.Layer.SAFE_PLACE_ALL,)
    return (CellCount.Layer.SAFE_PLACE, CellCount.Layer.SAFE_PLACE_ALL)


def map_cell_of(cell: int, res: int, level: int) -> int:
    """The map cell an offer stored in ``cell`` (resolution ``res``) counts in at ``level``.

    The parent of her stored cell at ``min(level, res)``: derived from the stored
    cell only (never re-snapped), and never finer than her own cell.
    """
    return geo.cell_parent(cell, min(level, res))


def contributions(
    rows: Iterable[tuple[int, bool, int, int]],
) -> Counter[tuple[int, int, int]]:
    """(layer, resolution, cell) counts for rows of (kind, assoc_only, cell, res).

    At map level R an offer counts in ``map_cell_of(cell, res, R)``.
    """
    counts: Counter[tuple[int, int, int]] = Counter()
    for kind, assoc_only, cell, res in rows:
        layers = layers_of(kind, assoc_only)
        for level in MAP_RESOLUTIONS:
            parent = map_cell_of(cell, res, level)
            for layer in layers:
                counts[(layer, level, parent)] += 1
    return counts


def _apply_counts(delta: Counter[tuple[int, int, int]]) -> None:
    """Add ``delta`` to the counts (sorted, so concurrent writers lock in one order)."""
    for (layer, level, cell), d in sorted(delta.items()):
        if d == 0:
            continue
        row = CellCount.objects.filter(layer=layer, resolution=level, cell=cell)
        if row.update(count=F("count") + d):
            continue
        lat, lng = geo.cell_center(cell)
        try:
            # Two first members of a cell at once: the second insert waits for the
            # first, fails on the unique constraint, and adds to the row instead.
            with transaction.atomic():
                CellCount.objects.create(
                    layer=layer, resolution=level, cell=cell, lat=lat, lng=lng, count=d
                )
        except IntegrityError:
            row.update(count=F("count") + d)


@transaction.atomic
def profile_reindex(*, user: User, now: dt.datetime | None = None) -> None:
    """Rebuild her search rows and update the map counts by the difference.

    Call after anything that changes whether she may be found (profile, offers,
    her account status). Emits no event (a read model only).
    """
    # Her profile row is locked first: two re-indexings of one member (a double
    # submit, the availability job, a moderator) run one after the other, so each
    # sees the rows the other wrote and the counts stay equal to the rows.
    profile = (
        Profile.objects.select_for_update(of=("self",))
        .select_related("user", "support", "safe_place")
        .filter(user=user)
        .first()
    )
    old = list(OfferIndex.objects.filter(member=user))
    new = _index_rows(profile, now) if profile is not None else []
    delta = contributions((r.kind, r.assoc_only, r.cell, r.res) for r in new)
    delta.subtract(contributions((r.kind, r.assoc_only, r.cell, r.res) for r in old))
    OfferIndex.objects.filter(member=user).delete()
    if new:
        OfferIndex.objects.bulk_create(new)
    _apply_counts(delta)


def rebuild_cell_counts() -> int:
    """Recompute the whole ``CellCount`` table from ``OfferIndex`` (bulk tools)."""
    rows = OfferIndex.objects.values_list("kind", "assoc_only", "cell", "res").iterator(
        chunk_size=10000
    )
    counts = contributions(rows)
    with transaction.atomic():
        CellCount.objects.all().delete()
        batch = []
        for (layer, level, cell), n in counts.items():
            lat, lng = geo.cell_center(cell)
            batch.append(
                CellCount(layer=layer, resolution=level, cell=cell, lat=lat, lng=lng, count=n)
            )
        CellCount.objects.bulk_create(batch, batch_size=5000)
    return len(counts)


# --------------------------------------------------------------------------- #
# Profile and offers
# --------------------------------------------------------------------------- #


def profile_for(user: User) -> Profile:
    """Her profile with both offers, created empty on first use."""
    profile, _ = Profile.objects.get_or_create(user=user)
    SupportOffer.objects.get_or_create(profile=profile)
    SafePlaceOffer.objects.get_or_create(profile=profile)
    return (
        Profile.objects.select_related("user", "support", "safe_place")
        .get(pk=profile.pk)
    )


def _set_location(
    profile: Profile,
    *,
    precision: str | None,
    place: str | None,
    lat: float | None,
    lng: float | None,
) -> bool:
    """Snap a new location (or re-coarsen the stored one). True if it changed."""
    if precision is not None and precision not in Precision.values:
        raise _fail("precision", "Choose town, district or area.")
    new_precision = precision or profile.precision
    if (lat is None) != (lng is None):
        raise _fail("lat", "Give both lat and lng.")
    try:
        if place:
            located = locate.locate_commune(place, new_precision)
        elif lat is not None and lng is not None:
            located = locate.locate_point(lat, lng, new_precision)
        elif precision is not None and precision != profile.precision and profile.cell:
            wanted = geo.precision_to_res(precision)
            if wanted > profile.res and wanted > geo.precision_to_res(profile.precision):
                raise _fail(
                    "place",
                    "Give your town again to be shown more precisely.",
                    code="location_required",
                )
            located = locate.coarsen_located(profile.cell, wanted)
        else:
            if precision is not None:
                profile.precision = precision
            return False
    except KeyError:
        raise _fail("place", "Unknown commune code.", code="unknown_place") from None
    except locate.OutsideCoverageError:
        raise _fail(
            "lat", "This position is too far from any French commune.", code="outside_coverage"
        ) from None
    except ValueError:
        # Never repeat the values given: they may be her position (docs/security.md).
        raise _fail("lat", position.BAD_POSITION) from None
    profile.precision = new_precision
    changed = profile.cell != located.cell
    profile.cell = located.cell
    profile.res = located.res
    profile.pub_lat = located.lat
    profile.pub_lng = located.lng
    profile.band = located.band
    profile.area_code = located.area_code
    profile.department = located.department
    return changed


def _validate(instance: object, field_prefix: str = "") -> None:
    try:
        instance.full_clean()  # type: ignore[attr-defined]
    except ValidationError as exc:
        fields = {f"{field_prefix}{k}": [str(m) for m in v] for k, v in exc.message_dict.items()}
        raise ApplicationError(
            "Some fields are invalid.", code="invalid", fields=fields
        ) from None


def _update_offer(offer: object, data: dict, allowed: tuple[str, ...], prefix: str) -> list[str]:
    changed = []
    for key, value in data.items():
        if key not in allowed:
            continue
        if key == "kinds":
            value = _check_choices(f"{prefix}kinds", value, SUPPORT_KINDS)
        elif key == "animals":
            value = _check_choices(f"{prefix}animals", value, ANIMALS)
        elif key == "date_ranges":
            value = _check_date_ranges(value)
        if getattr(offer, key) != value:
            setattr(offer, key, value)
            changed.append(f"{prefix}{key}")
    return changed


@transaction.atomic
def profile_update(
    *,
    user: User,
    data: dict,
    actor: User | None = None,
    now: dt.datetime | None = None,
) -> Profile:
    """Change her profile, location and offers from a partial dict (API shape).

    Keys: display_name, avatar, bio, languages, paused, precision, place | lat+lng,
    contact {phone, show_phone, show_email, accepts_group_requests},
    support {offered, kinds, availability}, safe_place {offered, type, adults,
    children, animals, step_free, max_nights, household, men_at_night,
    availability, date_ranges, tonight, available, visibility}. A position is
    snapped at once and never stored. Emits ``updated`` (field names only, never
    values), ``location_set``, ``paused``/``resumed``. Rebuilds her search rows.
    """
    from sorority.accounts.services import user_update_settings

    now = now or timezone.now()
    profile = profile_for(user)
    was_paused = profile.paused
    changed: list[str] = []

    if "display_name" in data and data["display_name"] != user.display_name:
        # The one pseudonym rule, the same as the settings page and sign-up.
        user_update_settings(user=user, display_name=str(data["display_name"] or ""))
        changed.append("display_name")

    flat = dict(data)
    flat.update(data.get("contact") or {})
    for key in _PROFILE_FIELDS:
        if key not in flat:
            continue
        value = flat[key]
        if key == "languages":
            value = _check_choices("languages", value, LANGUAGES)
        if key == "avatar" and value not in dict(AVATARS):
            raise _fail("avatar", "Choose one of the illustrated avatars.")
        if key == "phone":
            try:
                value = normalise_phone(value)
            except ValidationError as exc:
                raise _fail("phone", exc.messages[0]) from None
        if getattr(profile, key) != value:
            setattr(profile, key, value)
            changed.append(key)

    location_changed = _set_location(
        profile,
        precision=data.get("precision"),
        place=data.get("place") or None,
        lat=data.get("lat"),
        lng=data.get("lng"),
    )
    _validate(profile)
    profile.save()

    support = profile.support
    changed += _update_offer(support, data.get("support") or {}, _SUPPORT_FIELDS, "support.")
    _validate(support, "support.")
    support.save()

    safe = profile.safe_place
    safe_data = dict(data.get("safe_place") or {})
    if "available" in safe_data:
        safe_data.setdefault(
            "availability",
            SafePlaceOffer.Availability.NOW
            if safe_data.pop("available")
            else SafePlaceOffer.Availability.DATES,
        )
    changed += _update_offer(safe, safe_data, _SAFE_FIELDS, "safe_place.")
    if "tonight" in safe_data:
        until = tonight_end(now) if safe_data["tonight"] else None
        if safe.tonight_until != until:
            safe.tonight_until = until
            changed.append("safe_place.tonight")
    _validate(safe, "safe_place.")
    safe.save()

    if changed:
        ProfileEvent.objects.create(
            profile=profile, kind=ProfileEvent.Kind.UPDATED, actor=actor or user,
            data={"fields": sorted(changed)},
        )
    if location_changed:
        ProfileEvent.objects.create(
            profile=profile, kind=ProfileEvent.Kind.LOCATION_SET, actor=actor or user,
            data={"res": profile.res},
        )
    if was_paused != profile.paused:
        ProfileEvent.objects.create(
            profile=profile,
            kind=ProfileEvent.Kind.PAUSED if profile.paused else ProfileEvent.Kind.RESUMED,
            actor=actor or user,
        )
    profile_reindex(user=user, now=now)
    return profile_for(user)


@transaction.atomic
def profile_set_paused(*, user: User, paused: bool) -> Profile:
    """Hide her from search and map (or show her again)."""
    return profile_update(user=user, data={"paused": paused})


def offers_refresh_availability(*, now: dt.datetime | None = None) -> int:
    """Turn off expired "available tonight" switches and refresh date ranges.

    Run by the scheduler. Emits ``tonight_expired`` per offer switched off.
    Returns the number of members reindexed.
    """
    now = now or timezone.now()
    done = 0
    expired = SafePlaceOffer.objects.filter(tonight_until__lte=now).select_related(
        "profile__user"
    )
    for offer in expired:
        with transaction.atomic():
            offer.tonight_until = None
            offer.save(update_fields=["tonight_until", "updated_at"])
            ProfileEvent.objects.create(
                profile=offer.profile, kind=ProfileEvent.Kind.TONIGHT_EXPIRED
            )
            profile_reindex(user=offer.profile.user, now=now)
            done += 1
    dated = SafePlaceOffer.objects.filter(
        offered=True, availability=SafePlaceOffer.Availability.DATES
    ).select_related("profile__user")
    index = dict(
        OfferIndex.objects.filter(kind=OfferIndex.Kind.SAFE_PLACE).values_list(
            "member_id", "available"
        )
    )
    for offer in dated:
        member_id = offer.profile.user_id
        if member_id in index and index[member_id] != safe_place_availability(offer, now)[0]:
            profile_reindex(user=offer.profile.user, now=now)
            done += 1
    return done
