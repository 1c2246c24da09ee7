"""Cache invalidation only: an edited hotline shows on the next page."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sorority.safety.models import Hotline
from sorority.safety.selectors import CACHE_KEY


@receiver([post_save, post_delete], sender=Hotline)
def forget_hotlines(**kwargs: object) -> None:
    cache.delete(CACHE_KEY)
