"""Helpers to create located members with offers through the services."""

from sorority.accounts.tests.factories import UserFactory
from sorority.places import services


def located_member(
    place: str = "69123", *, support: dict | None = None, safe_place: dict | None = None,
    user=None, **data,
):
    """A member whose profile is set through `profile_update` (the real path)."""
    user = user or UserFactory()
    payload = {"place": place, **data}
    if support is not None:
        payload["support"] = {"offered": True, **support}
    if safe_place is not None:
        payload["safe_place"] = {"offered": True, **safe_place}
    services.profile_update(user=user, data=payload)
    return user
