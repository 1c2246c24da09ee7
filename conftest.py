"""Global fixtures and test-only settings."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client

from sorority.accounts.models import RoleAssignment, User
from sorority.accounts.tests.factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.VAULT_ROOT = tmp_path / "vault"
    settings.STORAGES = {
        **settings.STORAGES,
        "vault": {
            "BACKEND": "sorority.verification.storage.VaultFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "vault"), "base_url": None},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SECURE_SSL_REDIRECT = False
    settings.MODERATOR_ALLOW_TOTP = True
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def member(db) -> User:
    return UserFactory(status=User.Status.MEMBER)


@pytest.fixture
def applicant(db) -> User:
    return UserFactory(status=User.Status.PENDING)


@pytest.fixture
def staff_member(db) -> User:
    user = UserFactory(status=User.Status.MEMBER)
    RoleAssignment.objects.create(user=user, role=RoleAssignment.Role.ASSOCIATION_STAFF)
    return user


@pytest.fixture
def moderator(db) -> User:
    user = UserFactory(status=User.Status.MEMBER)
    RoleAssignment.objects.create(user=user, role=RoleAssignment.Role.MODERATOR)
    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    # As a request signed in with her factor sees her (services called directly get
    # this object); HTTP tests sign in and are marked by the middleware instead.
    as_second_factor_session(user)
    return user


def as_second_factor_session(user: User) -> User:
    """Mark a user object as coming from a session signed in with a second factor."""
    from sorority.accounts.policies import for_operator_task

    return for_operator_task(user)


def sign_in(client: Client, user: User, *, second_factor: bool = False) -> Client:
    """Sign a person in on a test client; with `second_factor`, as after a TOTP login."""
    client.force_login(user)
    if second_factor:
        from allauth.account.internal.flows.login import record_authentication

        session = client.session
        request = type("R", (), {"session": session})()
        record_authentication(request, user, "password")
        authenticator = Authenticator.objects.filter(user=user).first()
        record_authentication(
            request, user, "mfa", id=authenticator.pk, type=authenticator.type
        )
        session.save()
    return client


@pytest.fixture
def member_client(client, member) -> Client:
    return sign_in(client, member)


@pytest.fixture
def applicant_client(client, applicant) -> Client:
    return sign_in(client, applicant)


@pytest.fixture
def moderator_client(client, moderator) -> Client:
    return sign_in(client, moderator, second_factor=True)


def _run_rank(item: pytest.Item) -> int:
    """0 database tests in a transaction, 1 no database, 2 flushing tests, 3 browsers."""
    if "tests/e2e/" in str(item.fspath):
        return 3
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    flushing = (
        marker is not None
        and bool(marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    ) or bool({"transactional_db", "live_server"} & set(fixtures))
    if flushing:
        return 2
    return 0 if marker is not None or "db" in fixtures else 1


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run tests that flush the database, then the browser journeys, last.

    A flushing test (transactional, live server, another process) empties the
    tables that data migrations filled (the hotline directory), and Playwright's
    sync API leaves an event loop running in the main thread that later asyncio
    tests cannot share. Plugins may reorder the collection (pytest-django does,
    others too), so this hook runs last and settles the order.
    """
    items.sort(key=_run_rank)
