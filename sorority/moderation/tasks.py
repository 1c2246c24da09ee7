"""Background tasks of moderation: give access back when a suspension ends."""

from sorority.core.tasking import background


@background()
def lift_suspensions() -> int:
    from sorority.moderation.services import suspensions_lift_expired

    return suspensions_lift_expired()
