"""The two doors to other apps: the host search (places) and conversations (chat).

Only their public services and selectors are used, behind these few functions, so
tests can stand in for them and the rest of this app does not know their shapes.
"""

import logging
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sorority.accounts.models import User
    from sorority.associations.models import Case

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HostCandidate:
    member_id: int
    display_name: str
    distance: str = ""
    area: str = ""
    offer: dict = field(default_factory=dict)


def search_hosts(
    *, user: "User", case: "Case", exclude_ids: set[int], limit: int = 20
) -> list[HostCandidate]:
    """Offers nearest first around the case's target area, with its needs as filters.

    A safe-place case searches available hosts (adults, children, animals, nights,
    step-free), never inside the area to avoid; a support case searches members
    offering the kinds of help she needs. `exclude_ids` (previous hosts, hosts
    already asked) are left out inside the search, so the page stays exact.
    Raises ApplicationError (e.g. `location_required`) when no origin is known.
    """
    from sorority.places import geo, search
    from sorority.places import selectors as places

    safe_place = case.need == "safe_place"
    origin = places.origin_for(user, place=case.target_commune or None)
    if safe_place:
        filters = places.safe_place_filters(
            adults=case.adults,
            children=case.children,
            animals=tuple(case.animals),
            nights=case.nights,
            step_free=case.step_free,
        )
    else:
        filters = places.support_filters(tuple(case.support_kinds))
    avoid = None
    if case.avoid_commune:
        avoid = places.avoid_for(case.avoid_commune, min(case.avoid_radius_km, 100))
    viewer = places.viewer_for(user)
    viewer = replace(viewer, excluded_ids=viewer.excluded_ids | frozenset(exclude_ids))
    page = search.nearest(
        lat=origin.lat,
        lng=origin.lng,
        kind=places.KINDS["safe_place" if safe_place else "support"],
        filters=filters,
        viewer=viewer,
        avoid=avoid,
        limit=max(1, min(limit, places.MAX_LIMIT)),
    )
    cards = places.cards_for([hit.member_id for hit in page.hits], viewer)
    found = []
    for hit in page.hits:
        card = cards.get(hit.member_id)
        if card is None:
            continue
        offer = card.get("safe_place" if safe_place else "support") or {}
        found.append(
            HostCandidate(
                member_id=hit.member_id,
                display_name=card["display_name"],
                distance=str(geo.display_distance(hit.distance_km)),
                area=card.get("area", ""),
                offer={**offer, "summary": _summary(offer, safe_place)},
            )
        )
    return found


def _summary(offer: dict, safe_place: bool) -> str:
    if not offer:
        return ""
    if not safe_place:
        return ", ".join(offer.get("kinds", []))
    parts = [
        str(offer.get("type", "")),
        f"{offer.get('adults', 0)} ad.",
        f"{offer.get('children', 0)} enf.",
    ]
    if offer.get("animals"):
        parts.append("/".join(offer["animals"]))
    if offer.get("max_nights"):
        parts.append(f"{offer['max_nights']} n.")
    if offer.get("step_free"):
        parts.append("♿")
    return " · ".join(p for p in parts if p)


def open_conversation(*, sender: "User", recipient: "User", text: str) -> int | None:
    """Start (or reuse) the association conversation with a host and post `text`.

    Never fails the caller: the request is tracked in the case whatever happens
    (the host also gets a neutral notice and the request page).
    """
    from sorority.chat.models import Conversation
    from sorority.chat.services import conversation_start
    from sorority.core.errors import ApplicationError

    try:
        conversation, _message = conversation_start(
            starter=sender,
            other=recipient,
            text=text,
            kind=Conversation.Kind.ASSOCIATION,
        )
    except ApplicationError as exc:
        logger.info("Outreach conversation not opened: %s", exc.code)
        return None
    return conversation.pk


def post_message(*, conversation_id: int, sender: "User", text: str) -> None:
    """Post a message in an existing conversation (silently skipped if impossible)."""
    from sorority.chat.services import message_send
    from sorority.core.errors import ApplicationError

    try:
        message_send(sender=sender, conversation_id=conversation_id, text=text)
    except ApplicationError as exc:
        logger.info("Outreach message not posted: %s", exc.code)


def chat_path(member_id: int) -> str | None:
    """Path of the page that opens a conversation with a member."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("chat:new", args=[member_id])
    except NoReverseMatch:
        return None
