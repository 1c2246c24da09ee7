"""Schemathesis over the whole JSON API: no input gives a 5xx, every answer fits the schema.

Every operation of `/api/v1/openapi.json` is called with generated requests (valid and
invalid ones, a bounded number per operation), through Django's own request handler in
the test's database transaction, signed in with an X-Session-Token. Each example gets
throw-away accounts of its own, so destructive operations (erasing her account,
blocks, reports, withdrawals) run on people made for that example only. Moderation
operations run as a moderator with a second factor, case operations as association
staff. Checks: `not_a_server_error` and `response_schema_conformance` (the 2xx shapes,
and the error envelope documented for every 4xx).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.test.client import ClientHandler
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from conftest import sign_in
from sorority.accounts.models import RoleAssignment, User
from sorority.accounts.tests.factories import UserFactory

# Bounded so that the whole run takes about a minute on two cores.
MAX_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "12"))
STATUSES: dict[int, int] = {}
CHECKS = [not_a_server_error, response_schema_conformance]
RUN: dict[str, set | int] = {"cases": 0, "operations": set()}


class DjangoTestApp:
    """Django's test request handler as a WSGI application.

    The same thread and database connection as the test (so its transaction, rolled
    back at the end), the CSRF checks on like in production.
    """

    def __init__(self) -> None:
        self.handler = ClientHandler(enforce_csrf_checks=True)

    def __call__(self, environ: dict, start_response: object) -> list[bytes]:
        environ.setdefault("REMOTE_ADDR", "127.0.0.1")
        response = self.handler(environ)
        headers = list(response.items())
        headers += [
            ("Set-Cookie", morsel.OutputString()) for morsel in response.cookies.values()
        ]
        status = f"{response.status_code} {response.reason_phrase}"
        start_response(status, headers)  # type: ignore[operator]
        if response.streaming:
            return list(response.streaming_content)
        return [response.content]


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", DjangoTestApp())
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True)


def _role_for(path: str) -> str:
    if path.startswith("/api/v1/moderation/"):
        return "moderator"
    if path.startswith(("/api/v1/cases", "/api/v1/verification/attestation-codes")):
        return "staff"
    if path.startswith("/api/v1/verification"):
        return "applicant"
    return "member"


def _token_for(role: str) -> str:
    """A throw-away account for one example, signed in: its session token."""
    from django.test import Client

    if role == "applicant":
        user = UserFactory(status=User.Status.PENDING)
    else:
        user = UserFactory(status=User.Status.MEMBER)
    if role == "staff":
        from sorority.associations.models import Association, Membership

        RoleAssignment.objects.create(
            user=user, role=RoleAssignment.Role.ASSOCIATION_STAFF
        )
        association = Association.objects.create(
            name=f"Asso {user.pk}",
            identifier_kind=Association.IdentifierKind.RNA,
            identifier=f"W{user.pk:09d}",
            address="1 rue de la Paix, Paris",
            status=Association.Status.APPROVED,
            representative=user,
        )
        Membership.objects.create(
            association=association,
            user=user,
            status=Membership.Status.ACTIVE,
            is_representative=True,
        )
    second_factor = role == "moderator"
    if second_factor:
        from allauth.mfa.totp.internal.auth import TOTP

        RoleAssignment.objects.create(user=user, role=RoleAssignment.Role.MODERATOR)
        TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    client = sign_in(Client(), user, second_factor=second_factor)
    return client.session.session_key


# Operations that destroy or change the account they are called with: a fresh one for
# every example. The others share one account per operation (per test).
DESTRUCTIVE = {
    ("DELETE", "/api/v1/me"),
    ("POST", "/api/v1/blocks"),
    ("POST", "/api/v1/reports"),
    ("POST", "/api/v1/verification/withdraw"),
    ("POST", "/api/v1/contact/several"),
}


@pytest.fixture
def accounts(db: None) -> object:
    """`accounts(method, path)`: the session token of the right throw-away account."""
    shared: dict[str, str] = {}

    def token(method: str, path: str) -> str:
        role = _role_for(path)
        if method == "DELETE" or (method, path) in DESTRUCTIVE:
            return _token_for(role)
        if role not in shared:
            shared[role] = _token_for(role)
        return shared[role]

    return token


@pytest.fixture(scope="module", autouse=True)
def _report(request: pytest.FixtureRequest) -> object:
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    line = (
        f"API fuzz: {len(RUN['operations'])} operations, {RUN['cases']} cases "
        f"(at most {MAX_EXAMPLES} generated examples per operation and phase), "
        f"statuses {dict(sorted(STATUSES.items()))}"
    )
    if reporter is not None:
        reporter.write_line(line)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    print_blob=True,
)
@pytest.mark.django_db
def test_api_operation(case, accounts):
    token = accounts(case.operation.method.upper(), case.operation.path)
    RUN["cases"] += 1  # type: ignore[operator]
    RUN["operations"].add(case.operation.label)  # type: ignore[union-attr]
    response = case.call_and_validate(headers={"X-Session-Token": token}, checks=CHECKS)
    STATUSES[response.status_code] = STATUSES.get(response.status_code, 0) + 1
