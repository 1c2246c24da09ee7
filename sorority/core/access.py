"""Who may use a view or an endpoint: one declared rule each, default deny.

A view states its rule with `@access(Access.X)`. `AccessMiddleware` refuses any view
without a rule, and `sorority.accounts.policies.access_denial` decides the rest, so
pages, API endpoints and WebSocket consumers all ask the same question.
"""

import functools
from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

from django.contrib.auth.decorators import login_not_required
from django.views.generic.base import RedirectView

V = TypeVar("V", bound=Callable[..., object])


class Access(StrEnum):
    PUBLIC = "public"  # anyone, signed in or not
    SIGNED_IN = "signed_in"  # any signed-in person, applicants included
    MEMBER = "member"  # an approved member
    ASSOCIATION_STAFF = "association_staff"  # staff of an approved association
    MODERATOR = "moderator"  # a moderator who signed in with a second factor


class Denial(StrEnum):
    NOT_AUTHENTICATED = "not_authenticated"
    VERIFICATION_REQUIRED = "verification_required"
    SECOND_FACTOR_REQUIRED = "second_factor_required"
    ENROLMENT_STEP_REQUIRED = "enrolment_step_required"
    FORBIDDEN = "forbidden"
    BANNED = "banned"


# Views from trusted third-party packages enforce their own rules (allauth's account
# views, Django's admin behind its staff check and django-axes, Ninja's API whose every
# operation is checked by its `auth`). Anything else without a rule is refused.
DELEGATED_MODULES = (
    "allauth.",
    "django.contrib.admin.",
    "django.contrib.auth.admin",
    "django.contrib.contenttypes.views",  # the admin's "view on site", behind admin_view
    "ninja.",
)


def access(rule: Access) -> Callable[[V], V]:
    """Declare who may use a view."""

    def decorate(view: V) -> V:
        if rule is Access.PUBLIC:
            view = login_not_required(view)
        view.access_rule = rule  # type: ignore[attr-defined]
        return view

    return decorate


def rule_for(view: Callable[..., object]) -> Access | str | None:
    """Return the declared rule of a view, "delegated" for trusted packages, or None."""
    while isinstance(view, functools.partial):
        view = view.func
    rule = getattr(view, "access_rule", None)
    if rule is None:
        cls = getattr(view, "view_class", None) or getattr(view, "cls", None)
        rule = getattr(cls, "access_rule", None)
    if rule is not None:
        return rule
    if isinstance(cls, type) and issubclass(cls, RedirectView):
        return "delegated"  # a bare redirect shows nothing; the target decides
    module = getattr(view, "__module__", "") or ""
    if module.startswith(DELEGATED_MODULES) or module in {
        m.rstrip(".") for m in DELEGATED_MODULES
    }:
        return "delegated"
    return None
