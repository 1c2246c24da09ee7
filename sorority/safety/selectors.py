"""Reads of the hotline directory, cached for every page."""

from django.core.cache import cache

from sorority.safety.models import Hotline

CACHE_KEY = "safety:hotlines:v1"


def hotline_list() -> list[Hotline]:
    """Return the active hotlines in display order (cached until one is edited)."""
    hotlines = cache.get(CACHE_KEY)
    if hotlines is None:
        hotlines = list(Hotline.objects.filter(active=True))
        cache.set(CACHE_KEY, hotlines, 3600)
    return hotlines
