"""Keep the search rows and map counts in step with account status (cache invalidation).

A member who is banned, deactivated or not yet approved must vanish from search
and from the map counts; one approved again reappears. The search SQL also joins
the account status, so this only keeps the read models tidy.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from sorority.accounts.models import User


@receiver(post_save, sender=User, dispatch_uid="places_user_status")
def user_saved(sender: type, instance: User, update_fields=None, **kwargs: object) -> None:
    from sorority.places.models import OfferIndex, Profile
    from sorority.places.services import profile_reindex

    if update_fields is not None and not {"status", "is_active"} & set(update_fields):
        return
    should = instance.is_active and instance.status == User.Status.MEMBER
    indexed = OfferIndex.objects.filter(member_id=instance.pk).exists()
    if (indexed and not should) or (should and not indexed and Profile.objects.filter(
        user_id=instance.pk, cell__isnull=False, paused=False
    ).exists()):
        profile_reindex(user=instance)
