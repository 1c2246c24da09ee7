"""Background tasks of places: "available tonight" and date ranges that end by themselves."""

from sorority.core.tasking import background


@background()
def refresh_availability() -> int:
    from sorority.places.services import offers_refresh_availability

    return offers_refresh_availability()
