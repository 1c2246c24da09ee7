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
from dataclasses import dataclass, field

import pytest
import schemathesis
from django.test.client import ClientHandler
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from conftest import sign_in
from sorority.accounts.models import RoleAssignment, User
from sorority.accounts.tests.factories import PASSWORD, UserFactory
from sorority.core.ids import is_id

# Bounded so that the whole run takes about a minute on two cores.
MAX_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "5"))
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
            ("Set-Cookie", morsel.OutputString())
            for morsel in response.cookies.values()
        ]
        status = f"{response.status_code} {response.reason_phrase}"
        start_response(status, headers)  # type: ignore[operator]
        if response.streaming:
            return list(response.streaming_content)
        return [response.content]


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", DjangoTestApp())
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True)
# Methods an operation does not declare answer 405 from Ninja's router, for every path
# alike: not worth a few hundred calls each run.
schema.config.phases.coverage.unexpected_methods = set()


def _role_for(path: str) -> str:
    if path.startswith("/api/v1/moderation/"):
        return "moderator"
    if path.startswith(("/api/v1/cases", "/api/v1/verification/attestation-codes")):
        return "staff"
    if path.startswith("/api/v1/verification"):
        return "applicant"
    return "member"


@dataclass
class Account:
    """A throw-away account, signed in, and the things of hers a path may name."""

    token: str
    ids: dict[str, int] = field(default_factory=dict)


def _account_for(role: str) -> Account:
    """A new account for `role`, with a small world around it (made for one test)."""
    from django.test import Client

    from sorority.associations import services as association_services
    from sorority.associations.tests.factories import (
        AssociationFactory,
        approved_association_with_staff,
    )
    from sorority.chat.tests.factories import conversation_between, message_in

    ids: dict[str, int] = {}
    if role == "staff":
        association, user = approved_association_with_staff()
        case = association_services.case_open(
            association=association, actor=user, label="R", target_commune="75056"
        )
        association_services.case_record_safety_check(
            case=case, actor=user, threatened=False
        )
        host = UserFactory()
        (host_request,) = association_services.outreach_send(
            case=case, actor=user, host_ids=[host.pk]
        )
        ids = {
            "association": association.pk,
            "membership": association.memberships.get().pk,
            "case": case.pk,
            "request": host_request.pk,
        }
    elif role == "applicant":
        user = UserFactory(status=User.Status.PENDING)
    else:
        user = UserFactory(status=User.Status.MEMBER)
    if role == "moderator":
        from allauth.mfa.totp.internal.auth import TOTP

        RoleAssignment.objects.create(user=user, role=RoleAssignment.Role.MODERATOR)
        TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
        ids["association"] = AssociationFactory(status="pending").pk
    if role == "member":
        other = UserFactory()
        conversation = conversation_between(user, other)
        message_in(conversation, other, "Bonjour")
        ids.update(conversation=conversation.pk, member=other.pk)
    client = sign_in(Client(), user, second_factor=role == "moderator")
    return Account(token=client.session.session_key, ids=ids)


# Which of her things a path parameter names, by operation path and parameter name.
def _kind_of(path: str, name: str) -> str | None:
    if name == "conversation_id":
        return "conversation"
    if name == "request_pk":
        return "request"
    if name == "membership_pk":
        return "membership"
    if name == "pk":
        if path.startswith("/api/v1/cases/"):
            return "case"
        if path.startswith(
            ("/api/v1/associations/", "/api/v1/moderation/associations/")
        ):
            return "association"
    return None


def _aim(case: object, account: Account) -> None:
    """Point some generated path ids at her real things, so success paths run too.

    Only ids that are valid (positive mode) and odd are replaced: the others stay as
    generated (out of range, malformed, or simply unknown: a 404). Likewise some
    passwords sent to erase her account are her real one.
    """
    parameters = case.path_parameters or {}  # type: ignore[attr-defined]
    for name, value in list(parameters.items()):
        kind = _kind_of(case.operation.path, name)  # type: ignore[attr-defined]
        if kind in account.ids and is_id(value) and value % 2 == 1:
            parameters[name] = account.ids[kind]
    body = case.body  # type: ignore[attr-defined]
    if (
        case.operation.path == "/api/v1/me"  # type: ignore[attr-defined]
        and isinstance(body, dict)
        and "password" in body
        and body["password"] is None
        and body.get("keep_flags") is False
    ):
        body["password"] = PASSWORD  # her erasure really runs, on a throw-away account


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
    """`accounts(method, path)`: the right throw-away account for an operation."""
    shared: dict[str, Account] = {}

    def account(method: str, path: str) -> Account:
        role = _role_for(path)
        if method == "DELETE" or (method, path) in DESTRUCTIVE:
            return _account_for(role)
        if role not in shared:
            shared[role] = _account_for(role)
        return shared[role]

    return account


@pytest.fixture(scope="module", autouse=True)
def _report(request: pytest.FixtureRequest) -> object:
    yield
    line = (
        f"API fuzz: {len(RUN['operations'])} operations, {RUN['cases']} cases "
        f"(at most {MAX_EXAMPLES} generated examples per operation and phase), "
        f"statuses {dict(sorted(STATUSES.items()))}"
    )
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if capture is not None and reporter is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("\n" + line)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    print_blob=True,
    database=None,  # deterministic: nothing to replay, nothing written
)
@pytest.mark.django_db
def test_api_operation(case, accounts):
    account = accounts(case.operation.method.upper(), case.operation.path)
    _aim(case, account)
    RUN["cases"] += 1  # type: ignore[operator]
    RUN["operations"].add(case.operation.label)  # type: ignore[union-attr]
    response = case.call_and_validate(
        headers={"X-Session-Token": account.token}, checks=CHECKS
    )
    STATUSES[response.status_code] = STATUSES.get(response.status_code, 0) + 1
