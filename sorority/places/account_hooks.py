"""Keep the search rows and map counts in step with account state.

Registered as an account-state hook (`sorority.core.account_state`), called by
every service that changes a person's status or suspension, inside its
transaction. A member who is banned, suspended or not yet approved vanishes from
search and from the map counts; one approved or reinstated reappears. The search
SQL also joins the account status; this keeps the read models (and so every count)
equal to the lists.
"""

from sorority.core.account_state import Reason

_RELEVANT = {Reason.STATUS, Reason.SUSPENDED, Reason.REINSTATED}


def account_state_changed(user_id: int, reason: Reason) -> None:
    """Re-index her when her status or suspension changed."""
    from sorority.accounts.models import User
    from sorority.places.models import OfferIndex, Profile
    from sorority.places.services import profile_reindex

    if reason not in _RELEVANT:
        return
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    should = user.is_active and user.status == User.Status.MEMBER
    indexed = OfferIndex.objects.filter(member_id=user_id).exists()
    if (indexed and not should) or (
        should
        and not indexed
        and Profile.objects.filter(
            user_id=user_id, cell__isnull=False, paused=False
        ).exists()
    ):
        profile_reindex(user=user)
