"""Navigation entries that apps register at start-up; shown to whoever may use them."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from sorority.core.access import Access


@dataclass(frozen=True)
class NavItem:
    label: object  # a lazy translation
    url_name: str
    rule: Access
    order: int = 50
    badge: Callable[[HttpRequest], int] | None = field(default=None, compare=False)
    # Shown instead of `label` in discreet mode, when the label says what the site is for.
    plain_label: object = field(default=None, compare=False)


_items: list[NavItem] = []


def register_nav(item: NavItem) -> None:
    if item not in _items:
        _items.append(item)


def nav_for(request: HttpRequest) -> list[dict]:
    """Return the entries this person may use, in order, with optional badges."""
    from sorority.accounts.policies import access_denial
    from sorority.core.neutral import is_discreet

    discreet = is_discreet(request)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    entries = []
    for item in sorted(_items, key=lambda i: i.order):
        if access_denial(user, item.rule, request) is not None:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:  # the app's pages are not mounted (yet)
            continue
        entries.append(
            {
                "label": item.plain_label
                if discreet and item.plain_label
                else item.label,
                "url": url,
                "current": request.path.startswith(url),
                "badge": item.badge(request) if item.badge else 0,
            }
        )
    return entries
