"""Malformed input to the authentication API and pages: a clear 4xx, never a 500."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ENDPOINTS = ["/_allauth/app/v1/auth/login", "/_allauth/app/v1/auth/signup", "/_allauth/browser/v1/auth/login"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("email=a@b.c&password=x", "application/x-www-form-urlencoded"),
        ("{not json", "application/json"),
        ('{"email": "' + "a" * 10_000 + '@example.org", "password": "x"}', "application/json"),
        ('{"email": 5, "password": null}', "application/json"),
        ("", "application/json"),
        ("<xml/>", "text/xml"),
    ],
)
@pytest.mark.parametrize("url", ENDPOINTS)
def test_malformed_authentication_requests_get_a_4xx(client, url, body, content_type):
    response = client.post(url, body, content_type=content_type)
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize("login", ["", "a" * 10_000, "not-an-email", "'; DROP TABLE accounts_user; --"])
def test_malformed_web_login_shows_the_form_again(client, login):
    response = client.post(reverse("account_login"), {"login": login, "password": "x" * 10_000})
    assert response.status_code == 200
    assert response.context["form"].errors
