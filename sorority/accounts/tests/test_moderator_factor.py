"""Moderator powers need the session's second factor, on every page and API operation.

A moderator signed in with her password only is treated as a member: the moderator
pages and API operations refuse her, and the member pages that widen for moderators
(association listings, staff rosters) show her what they show a member.
"""

import re
import time
import uuid

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from config.api import api
from conftest import sign_in
from sorority.accounts.models import RoleAssignment, User
from sorority.accounts.tests.factories import PASSWORD, UserFactory
from sorority.associations.tests.factories import approved_association_with_staff
from sorority.core.access import Access, rule_for
from sorority.core.api import RuleAuth

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
APP = "/_allauth/app/v1"
SAMPLE = {"int": "987654", "uuid": str(uuid.uuid4()), "slug": "x", "str": "x"}


def totp_now(secret: str = SECRET) -> str:
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def _walk(
    patterns: list, prefix: str = "", namespace: str = ""
) -> list[tuple[str, object, str]]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}"
            found.append((prefix + str(entry.pattern), entry.callback, name))
    return found


def _fill(route: str) -> str:
    """A concrete path for a route, any converter filled with a sample value."""
    path = re.sub(
        r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "x"), route
    )
    return "/" + path


def moderator_pages() -> list[tuple[str, str]]:
    return sorted(
        (name, _fill(route))
        for route, view, name in _walk(get_resolver().url_patterns)
        if rule_for(view) == Access.MODERATOR
    )


def moderator_operations() -> list[tuple[str, str]]:
    found = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                rules = {
                    a.rule for a in operation.auth_callbacks if isinstance(a, RuleAuth)
                }
                if Access.MODERATOR in rules:
                    full = ("/api/v1/" + prefix + path).replace("//", "/")
                    found.extend(
                        (method, _fill(full.lstrip("/")))
                        for method in operation.methods
                    )
    return sorted(found)


PAGES = moderator_pages()
OPERATIONS = moderator_operations()
# Moderator pages without parameters: with the factor they open (200).
OPEN_WITH_FACTOR = {
    "verification:moderation_queue",
    "moderation:reports",
    "associations:review_list",
    "safety:directory",
}


def test_the_walks_find_the_moderator_surface():
    names = {name for name, _ in PAGES}
    assert names >= OPEN_WITH_FACTOR
    assert len(PAGES) >= 11
    assert ("GET", "/api/v1/moderation/reports") in OPERATIONS
    assert ("GET", "/api/v1/moderation/associations") in OPERATIONS
    assert len(OPERATIONS) >= 8


@pytest.fixture
def password_moderator(db) -> User:
    """A moderator who has no second factor yet (just named by an operator)."""
    user = UserFactory(status=User.Status.MEMBER)
    RoleAssignment.objects.create(user=user, role=RoleAssignment.Role.MODERATOR)
    return user


@pytest.fixture
def password_client(password_moderator) -> Client:
    """Her browser after a real sign-in with her password (the only thing she has)."""
    client = Client()
    response = client.post(
        reverse("account_login"),
        {"login": password_moderator.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/api/v1/me").status_code == 200
    return client


def _refused_page(response) -> bool:
    if response.status_code == 302:
        return response.url == reverse("accounts:second_factor")
    return response.status_code in (403, 404)


@pytest.mark.parametrize(("name", "path"), PAGES, ids=[n for n, _ in PAGES])
def test_a_moderator_page_refuses_a_password_only_moderator_like_a_member(
    name, path, password_client, member_client, moderator
):
    as_member = member_client.get(path)
    assert as_member.status_code == 403
    assert _refused_page(password_client.get(path))
    assert _refused_page(password_client.post(path, {}))

    with_factor = sign_in(Client(), moderator, second_factor=True).get(path)
    # The view itself answers now: 200, or its own 404 / 405 for a sample id / a GET.
    assert not _refused_page(with_factor) or with_factor.status_code == 404
    assert with_factor.status_code != 403
    if name in OPEN_WITH_FACTOR:
        assert with_factor.status_code == 200


def test_a_password_only_moderator_is_not_a_moderator_on_the_same_page(
    password_client, password_moderator
):
    """Same person, then with a factor: the page opens only once her session has it."""
    path = reverse("moderation:reports")
    assert password_client.get(path).url == reverse("accounts:second_factor")
    TOTP.activate(password_moderator, SECRET)
    assert (
        sign_in(Client(), password_moderator, second_factor=True).get(path).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS]
)
def test_a_moderator_operation_refuses_a_password_only_moderator(
    method, path, password_client, member_client, moderator
):
    call = {"content_type": "application/json", "data": "{}"}
    as_member = member_client.generic(method, path, **call)
    assert as_member.status_code == 403
    assert as_member.json()["error"]["code"] == "forbidden"

    refused = password_client.generic(method, path, **call)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "second_factor_required"

    allowed = sign_in(Client(), moderator, second_factor=True).generic(
        method, path, **call
    )
    assert allowed.status_code != 403
    assert allowed.status_code < 500
    if method == "GET" and "{" not in path and SAMPLE["int"] not in path:
        assert allowed.status_code == 200


# --- the app client (X-Session-Token): its session records the factor too ---------


def _app_login(user: User, *, with_totp: bool) -> str:
    client = Client()
    response = client.post(
        f"{APP}/auth/login",
        {"email": user.email, "password": PASSWORD},
        content_type="application/json",
    )
    token = response.json()["meta"]["session_token"]
    if with_totp:
        assert response.status_code == 401
        flows = {f["id"]: f for f in response.json()["data"]["flows"]}
        assert flows["mfa_authenticate"]["is_pending"]
        response = client.post(
            f"{APP}/auth/2fa/authenticate",
            {"code": totp_now()},
            content_type="application/json",
            HTTP_X_SESSION_TOKEN=token,
        )
    assert response.status_code == 200, response.content
    return response.json()["meta"].get("session_token", token)


def test_the_app_token_of_a_password_only_moderator_gets_no_moderator_operation(
    password_moderator,
):
    token = _app_login(password_moderator, with_totp=False)
    client = Client()
    me = client.get("/api/v1/me", HTTP_X_SESSION_TOKEN=token)
    assert me.status_code == 200
    assert "moderator" in me.json()["roles"]
    for path in ("/api/v1/moderation/reports", "/api/v1/moderation/associations"):
        response = client.get(path, HTTP_X_SESSION_TOKEN=token)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "second_factor_required"


def test_the_app_token_of_a_moderator_signed_in_with_totp_opens_them(moderator):
    token = _app_login(moderator, with_totp=True)
    client = Client()
    for path in ("/api/v1/moderation/reports", "/api/v1/moderation/associations"):
        assert client.get(path, HTTP_X_SESSION_TOKEN=token).status_code == 200


# --- member pages that widen for moderators: only for an effective one -------------


@pytest.fixture
def foreign_association():
    association, _rep = approved_association_with_staff()
    return association


def test_association_listings_and_rosters_need_the_factor_api(
    password_client, member_client, moderator, foreign_association
):
    pk = foreign_association.pk
    factor_client = sign_in(Client(), moderator, second_factor=True)
    listing = "/api/v1/associations"
    for client in (member_client, password_client):
        assert pk not in [a["id"] for a in client.get(listing).json()]
        assert client.get(f"/api/v1/associations/{pk}").status_code == 404
        assert client.get(f"/api/v1/associations/{pk}/staff").status_code == 404
    assert pk in [a["id"] for a in factor_client.get(listing).json()]
    assert factor_client.get(f"/api/v1/associations/{pk}").status_code == 200
    assert factor_client.get(f"/api/v1/associations/{pk}/staff").status_code == 200


def test_association_pages_need_the_factor(
    password_client, member_client, moderator, foreign_association
):
    detail = reverse("associations:detail", args=[foreign_association.pk])
    home = reverse("associations:home")
    factor_client = sign_in(Client(), moderator, second_factor=True)
    for client in (member_client, password_client):
        assert client.get(detail).status_code == 404
        assert foreign_association.name not in client.get(home).content.decode()
    assert factor_client.get(detail).status_code == 200
    assert foreign_association.name in factor_client.get(home).content.decode()


def test_navigation_offers_no_moderator_page_without_the_factor(password_client):
    body = password_client.get(reverse("core:home")).content.decode()
    for name in OPEN_WITH_FACTOR:
        assert f'href="{reverse(name)}"' not in body


def test_a_password_only_moderator_still_times_out_when_idle(password_client, settings):
    """The idle timeout follows the role, not the factor (she is signed out too)."""
    from sorority.privacy.middleware import SESSION_KEY

    password_client.get(reverse("core:home"))
    session = password_client.session
    session[SESSION_KEY] = time.time() - settings.MODERATOR_IDLE_TIMEOUT - 5
    session.save()
    response = password_client.get(reverse("core:home"))
    assert response.status_code == 302
    assert password_client.get("/api/v1/me").status_code == 401
