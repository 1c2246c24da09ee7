"""Default deny: every URL (web and API) declares who may use it, and refusals hold."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from config.api import api
from sorority.accounts.models import User
from sorority.accounts.policies import access_denial
from sorority.accounts.tests.factories import UserFactory
from sorority.core.access import Access, Denial, rule_for
from sorority.core.api import PublicAuth, RuleAuth

pytestmark = pytest.mark.django_db


def _walk(patterns: list, prefix: str = "") -> list[tuple[str, object]]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found += _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append((prefix + str(entry.pattern), entry.callback))
    return found


def test_every_url_pattern_declares_an_access_rule():
    missing = [
        route for route, view in _walk(get_resolver().url_patterns) if rule_for(view) is None
    ]
    assert missing == [], f"views without an access rule: {missing}"


def test_every_api_operation_declares_an_access_rule():
    missing = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                auth = operation.auth_callbacks
                if not auth or not all(isinstance(a, RuleAuth | PublicAuth) for a in auth):
                    missing.append(f"{operation.methods} {prefix}{path}")
    assert missing == [], f"API operations without an access rule: {missing}"


def test_a_view_without_a_rule_is_refused_by_the_middleware(rf, member):
    from sorority.core.middleware import AccessMiddleware

    def naked_view(request):
        raise AssertionError("must not run")

    request = rf.get("/somewhere/")
    request.user = member
    response = AccessMiddleware(lambda r: None).process_view(request, naked_view, (), {})
    assert response.status_code == 403


PARAMETERLESS_MEMBER_PAGES = ["core:home"]
SIGNED_IN_PAGES = ["accounts:status", "accounts:settings", "accounts:second_factor"]


@pytest.mark.parametrize("name", PARAMETERLESS_MEMBER_PAGES + SIGNED_IN_PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_anonymous_api_calls_get_a_json_401(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_applicant_reaches_her_status_page_but_not_the_member_home(applicant_client):
    assert applicant_client.get(reverse("accounts:status")).status_code == 200
    response = applicant_client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:status")


def test_applicant_gets_verification_required_from_member_endpoints(applicant_client):
    from ninja import Router

    assert applicant_client.get("/api/v1/me").status_code == 200
    # The API's default rule is MEMBER: any member endpoint answers the same way.
    assert isinstance(api.auth[0], RuleAuth)
    assert api.auth[0].rule is Access.MEMBER
    assert Router  # imported to show routers inherit the API default


ROLE_TABLE = [
    # status, roles, second factor in session, rule, expected denial
    (None, [], False, Access.PUBLIC, None),
    (None, [], False, Access.SIGNED_IN, Denial.NOT_AUTHENTICATED),
    ("pending", [], False, Access.SIGNED_IN, None),
    ("pending", [], False, Access.MEMBER, Denial.VERIFICATION_REQUIRED),
    ("refused", [], False, Access.MEMBER, Denial.VERIFICATION_REQUIRED),
    ("resubmit", ["moderator"], False, Access.MODERATOR, Denial.VERIFICATION_REQUIRED),
    ("banned", [], False, Access.SIGNED_IN, Denial.BANNED),
    ("member", [], False, Access.MEMBER, None),
    ("member", [], False, Access.ASSOCIATION_STAFF, Denial.FORBIDDEN),
    ("member", ["association_staff"], False, Access.ASSOCIATION_STAFF, None),
    ("member", [], False, Access.MODERATOR, Denial.FORBIDDEN),
    ("member", ["association_staff"], False, Access.MODERATOR, Denial.FORBIDDEN),
    ("member", ["moderator"], False, Access.MODERATOR, Denial.SECOND_FACTOR_REQUIRED),
    ("member", ["moderator"], True, Access.MODERATOR, None),
]


@pytest.mark.parametrize(("status", "roles", "mfa", "rule", "expected"), ROLE_TABLE)
def test_access_denial_by_role(client, status, roles, mfa, rule, expected):
    from django.contrib.auth.models import AnonymousUser

    from conftest import sign_in

    if status is None:
        user = AnonymousUser()
        request = None
    else:
        user = UserFactory(status=status, is_active=status != "banned")
        for role in roles:
            user.roles.create(role=role)
        if mfa:
            from allauth.mfa.totp.internal.auth import TOTP

            TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
        sign_in(client, user, second_factor=mfa)
        request = type("R", (), {"session": client.session, "user": user})()
    assert access_denial(user, rule, request) == expected


def test_totp_counts_for_moderators_only_when_the_setting_allows_it(client, settings):
    from conftest import sign_in

    moderator = UserFactory(status=User.Status.MEMBER)
    moderator.roles.create(role="moderator")
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(moderator, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    sign_in(client, moderator, second_factor=True)
    request = type("R", (), {"session": client.session, "user": moderator})()
    settings.MODERATOR_ALLOW_TOTP = False
    assert access_denial(moderator, Access.MODERATOR, request) is Denial.SECOND_FACTOR_REQUIRED
    settings.MODERATOR_ALLOW_TOTP = True
    assert access_denial(moderator, Access.MODERATOR, request) is None


def test_member_home_offers_the_pages_she_may_open(member_client):
    body = member_client.get(reverse("core:home")).content.decode()
    assert 'class="home-actions"' in body
    assert reverse("places:search_safe_place") in body
    # Moderator pages are not offered to a plain member.
    assert reverse("verification:moderation_queue") not in body


def test_allauth_names_her_by_her_pseudonym_only(member):
    from allauth.account.utils import user_display

    assert user_display(member) == member.display_name
