"""What the places app holds about a person: export and erasure.

Her profile, offers and profile events; her search rows (``OfferIndex``) are a
read model of the same data and are deleted with them (the map counts are
decremented by ``profile_reindex``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from sorority.places import selectors
from sorority.places.models import OfferIndex, Profile, ProfileEvent

if TYPE_CHECKING:
    from sorority.accounts.models import User

MODELS = (
    "places.Profile",
    "places.SupportOffer",
    "places.SafePlaceOffer",
    "places.ProfileEvent",
    "places.OfferIndex",
)


def export_for(user: User) -> dict:
    """Her profile, area (the stored cell only), offers and their history."""
    if not Profile.objects.filter(user=user).exists():
        return {"profile": None, "events": []}
    events = ProfileEvent.objects.filter(profile__user=user).order_by("created_at", "pk")
    return {
        "profile": selectors.own_profile(user),
        "events": [
            {"kind": e.kind, "at": e.created_at.isoformat(), "data": e.data}
            for e in events
        ],
    }


@transaction.atomic
def erase_for(user: User) -> None:
    """Delete her profile, offers, events and search rows; decrement the map."""
    from sorority.places.services import profile_reindex

    Profile.objects.filter(user=user).delete()
    profile_reindex(user=user)
    OfferIndex.objects.filter(member=user).delete()
