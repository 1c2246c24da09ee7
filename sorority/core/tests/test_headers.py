"""Security and privacy headers (docs/security.md §30, 31, 34, 36)."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HTML_PAGES = ["core:landing", "core:before_signup", "safety:page", "account_login", "account_signup"]


@pytest.mark.parametrize("name", HTML_PAGES)
def test_html_pages_carry_a_strict_csp_with_a_nonce(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    nonce = re.search(r"'nonce-([^']+)'", script_src).group(1)
    assert f'nonce="{nonce}"' in response.content.decode()
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"):
        assert directive in csp


def test_pages_are_never_cached_and_camera_is_off_by_default(client):
    response = client.get(reverse("core:landing"))
    assert "no-store" in response["Cache-Control"]
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_inline_script_in_the_base_template(client):
    body = client.get(reverse("core:landing")).content.decode()
    for tag in re.findall(r"<script[^>]*>", body):
        assert "src=" in tag
        assert "nonce=" in tag
    assert " onclick=" not in body
    assert " style=" not in body


def test_quick_exit_ends_the_session_and_clears_site_data(member_client):
    assert member_client.get(reverse("core:home")).status_code == 200
    response = member_client.post(reverse("core:quick_exit"))
    assert response.status_code == 204
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert member_client.get(reverse("core:home")).status_code == 302


def test_quick_exit_needs_a_post(member_client):
    # A GET does nothing: it is sent on to a page (never a bare 405), still signed in.
    response = member_client.get(reverse("core:quick_exit"))
    assert response.status_code == 302
    assert "Clear-Site-Data" not in response
    assert member_client.get(reverse("core:home")).status_code == 200


def test_logout_clears_site_data(member_client):
    response = member_client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'


def test_quick_exit_control_comes_first_in_keyboard_order(client):
    body = client.get(reverse("core:landing")).content.decode()
    first_focusable = re.search(r"<(a|button|input|select|textarea)\b[^>]*>", body.split("<body>")[1])
    assert 'id="quick-exit"' in first_focusable.group(0)


def test_member_chosen_exit_destination_is_used(member_client, member):
    member.exit_url = "https://example.org/recettes"
    member.save()
    body = member_client.get(reverse("core:home")).content.decode()
    assert 'content="https://example.org/recettes"' in body


def test_a_null_origin_is_accepted_only_from_the_same_origin(client, member):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    strict.get("/")
    token = strict.cookies["csrftoken"].value
    url = reverse("account_logout")
    forged = strict.post(url, {"csrfmiddlewaretoken": token}, HTTP_ORIGIN="null")
    assert forged.status_code == 403
    cross = strict.post(
        url, {"csrfmiddlewaretoken": token}, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="cross-site"
    )
    assert cross.status_code == 403
    same = strict.post(
        url, {"csrfmiddlewaretoken": token}, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin"
    )
    assert same.status_code == 302
