"""Writes to the hotline directory."""

from django.db import transaction
from django.forms import BaseModelFormSet

from sorority.accounts.models import User
from sorority.safety.models import Hotline


@transaction.atomic
def hotlines_update(*, formset: BaseModelFormSet, actor: User) -> list[Hotline]:
    """Save an edited directory (a validated formset). Cache invalidation follows."""
    saved = formset.save()
    for hotline in saved:
        hotline.full_clean()
    return saved
