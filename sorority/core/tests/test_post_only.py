"""A browser GET on a POST-only address lands on a page, never on a bare 405."""

import uuid

import pytest
from django.contrib.sessions.models import Session
from django.urls import URLPattern, URLResolver, get_resolver

from conftest import sign_in
from sorority.accounts.models import User
from sorority.accounts.tests.factories import PASSWORD, UserFactory
from sorority.core.middleware import page_above

pytestmark = pytest.mark.django_db


def _routes(patterns: list, prefix: str = "") -> list[str]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found += _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append(prefix + str(entry.pattern))
    return found


def _concrete(route: str) -> str | None:
    """A real path for a route: ids filled in; None for regex routes or the API."""
    if route.startswith(("api/", "_allauth/", "admin/")) or "^" in route:
        return None
    path = route.replace("<int:pk>", "999").replace("<int:flag_id>", "999")
    path = path.replace("<uuid:case_id>", str(uuid.uuid4())).replace("<slug:name>", "x")
    if "<" in path:
        return None
    return "/" + path


PATHS = sorted({p for r in _routes(get_resolver().url_patterns) if (p := _concrete(r))})


@pytest.mark.parametrize("who", ["applicant", "member", "moderator"])
def test_no_page_of_the_site_answers_a_browser_get_with_405(client, request, who):
    sign_in(client, request.getfixturevalue(who), second_factor=who == "moderator")
    answered_405 = [path for path in PATHS if client.get(path).status_code == 405]
    assert answered_405 == []


def test_a_get_on_a_post_only_address_goes_to_its_page_and_says_nothing_was_sent(
    client,
):
    sign_in(client, UserFactory(status=User.Status.APPLICANT))
    response = client.get("/verification/challenge/", follow=True)
    assert response.redirect_chain[0] == ("/verification/", 302)
    assert response.status_code == 200
    assert "Rien n&#x27;a été envoyé." in response.content.decode()


def test_signing_in_again_after_an_expired_session_on_a_post_lands_on_a_page(client):
    applicant = UserFactory(status=User.Status.APPLICANT)
    sign_in(client, applicant)
    Session.objects.all().delete()  # the session expired server-side
    response = client.post("/verification/challenge/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/verification/challenge/"
    response = client.post(
        response.url, {"login": applicant.email, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/verification/"
    assert "verification/start.html" in [t.name for t in response.templates]


def test_the_api_keeps_its_405():
    from django.test import Client

    assert Client().get("/api/v1/auth/logout").status_code in (401, 404, 405)


@pytest.mark.parametrize(
    ("path", "page"),
    [
        ("/verification/challenge/", "/verification/"),
        ("/privacy/flags/12/withdraw/", "/privacy/flags/"),
        ("//evil.example/x/", "/"),
    ],
)
def test_the_page_above_an_address_is_its_nearest_resolvable_ancestor(path, page):
    assert page_above(path) == page
