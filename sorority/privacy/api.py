"""Personal-data endpoints (docs/api.md): export, erasure, abuser flags."""

import datetime
import time

from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import ratelimit
from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Body, Router, Schema, Status

from sorority.core.access import Access
from sorority.core.api import RuleAuth, api_access
from sorority.core.errors import AccessDenied, NotFound, RateLimited
from sorority.core.ids import Id
from sorority.privacy import selectors, services
from sorority.privacy.policies import abuser_flags_enabled

API_PREFIX = ""
router = Router(tags=["personal data"])


class FlagsAuth(RuleAuth):
    """Members only, and only while the feature is on: 404 `feature_disabled` if off.

    Checked at authentication time so that a request to a switched-off feature is
    answered the same way whatever its body.
    """

    def __call__(self, request: HttpRequest) -> object | None:
        user = super().__call__(request)
        if user is not None and not abuser_flags_enabled():
            raise NotFound(_("This feature is not available."), code="feature_disabled")
        return user


FLAGS_AUTH = [FlagsAuth(Access.MEMBER)]


@router.get("/me/export", auth=api_access(Access.SIGNED_IN))
def export(request: HttpRequest) -> HttpResponse:
    """Everything the platform holds about her, as JSON."""
    return JsonResponse(selectors.export_build(user=request.user))


def _recently_authenticated(request: HttpRequest) -> bool:
    """Say whether this session signed in or re-authenticated in the last 15 min."""
    window = getattr(settings, "ACCOUNT_REAUTHENTICATION_TIMEOUT", 15 * 60)
    records = get_authentication_records(request, request.user)
    return any(time.time() - float(r.get("at", 0)) < window for r in records)


class EraseIn(Schema):
    password: str | None = None
    keep_flags: bool = False


def erase(request: HttpRequest, payload: EraseIn | None = Body(None)) -> HttpResponse:  # noqa: B008
    """Erase her account and data. Needs her password, or a sign-in in the last 15 min."""
    payload = payload or EraseIn()
    user = request.user
    if not ratelimit.consume(request, action="reauthenticate", user=user):
        raise RateLimited(_("Too many attempts. Please wait a minute."))
    if payload.password is not None:
        if not user.check_password(payload.password):
            raise AccessDenied(
                _("This password is not correct."), code="reauthentication_failed"
            )
    elif not _recently_authenticated(request):
        raise AccessDenied(
            _("Confirm with your password to delete your account."),
            code="reauthentication_required",
        )
    has_flags = selectors.flags_of(user=user).exists()
    services.account_erase(user=user, keep_flags=has_flags and payload.keep_flags)
    logout(request)
    response = JsonResponse({"status": "erased"})
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


# `DELETE /me` shares its path with the accounts app's `GET /me`. Ninja serves one
# path from one router (a second router's "/me" would answer 405), so the operation
# is attached to that router here, through Ninja's public API, before the URLs are
# built; the code stays in this app.
def _attach_erase_to_me() -> None:
    from sorority.accounts.api import router as accounts_router

    operations = accounts_router.path_operations.get("/me")
    if operations and any("DELETE" in op.methods for op in operations.operations):
        return
    accounts_router.add_api_operation(
        "/me",
        ["DELETE"],
        erase,
        auth=api_access(Access.SIGNED_IN),
        tags=["personal data"],
        url_name="me_erase",
    )


_attach_erase_to_me()


class FlagIn(Schema):
    family_name: str
    given_names: str
    birth_date: datetime.date | None = None


class FlagOut(Schema):
    id: int
    filed_at: datetime.datetime
    expires_at: datetime.datetime


def _flag_out(flag: object) -> dict:
    return {
        "id": flag.pk,  # type: ignore[attr-defined]
        "filed_at": flag.created_at,  # type: ignore[attr-defined]
        "expires_at": flag.expires_at,  # type: ignore[attr-defined]
    }


@router.post("/abuser-flags", response={201: FlagOut}, auth=FLAGS_AUTH)
def flag_create(request: HttpRequest, payload: FlagIn) -> Status:
    """File a flag on an abuser's identity (only a keyed tag is kept)."""
    # The name and date rules live in the service (the page uses it too).
    flag = services.abuser_flag_create(
        member=request.user,
        family_name=payload.family_name,
        given_names=payload.given_names,
        birth_date=payload.birth_date,
    )
    return Status(201, _flag_out(flag))


@router.get("/abuser-flags", response=list[FlagOut], auth=FLAGS_AUTH)
def flag_list(request: HttpRequest) -> list[dict]:
    """Her active flags: dates only, never the tags."""
    return [_flag_out(f) for f in selectors.flags_of(user=request.user)]


@router.delete("/abuser-flags/{flag_id}", response={204: None}, auth=FLAGS_AUTH)
def flag_withdraw(request: HttpRequest, flag_id: Id) -> Status:
    services.abuser_flag_withdraw(member=request.user, flag_id=flag_id)
    return Status(204, None)


@router.post("/abuser-flags/{flag_id}/renew", response=FlagOut, auth=FLAGS_AUTH)
def flag_renew(request: HttpRequest, flag_id: Id) -> dict:
    return _flag_out(services.abuser_flag_renew(member=request.user, flag_id=flag_id))
