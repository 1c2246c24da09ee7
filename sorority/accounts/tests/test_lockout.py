"""A targeted lock-out never keeps her out.

Someone else typing wrong passwords for her address closes the *password* door for a
while (allauth's `login_failed` limit, per address). The e-mailed sign-in code and
her passkey stay open, and the code door is limited per IP only, so another
person's requests cannot use it up for her.
"""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from sorority.accounts.models import User
from sorority.accounts.tests.factories import PASSWORD, UserFactory
from sorority.accounts.tests.soft_authenticator import SoftPasskey
from sorority.accounts.tests.test_moderator_factor import totp_now

pytestmark = pytest.mark.django_db

IP_A = "198.51.100.7"  # the attacker
IP_B = "203.0.113.20"  # her
BROWSER = "/_allauth/browser/v1"


@pytest.fixture
def her(db) -> User:
    return UserFactory(status=User.Status.MEMBER, email="lea@example.org")


def attack(email: str, tries: int = 10) -> Client:
    attacker = Client(REMOTE_ADDR=IP_A)
    for _ in range(tries):
        response = attacker.post(
            reverse("account_login"), {"login": email, "password": "wrong-guess-123"}
        )
        assert response.status_code in (200, 429)
    return attacker


def last_code() -> str:
    body = mail.outbox[-1].body
    return re.search(r"^\s*([A-Z0-9]{4,}(?:-[A-Z0-9]{4,})*)\s*$", body, re.M).group(1)


def test_after_failed_passwords_from_elsewhere_her_password_door_is_closed(her):
    """The lock-out this file is about exists: even her right password is refused."""
    attack(her.email)
    mine = Client(REMOTE_ADDR=IP_B)
    response = mine.post(
        reverse("account_login"), {"login": her.email, "password": PASSWORD}
    )
    assert response.status_code in (200, 429)
    assert mine.get("/api/v1/me").status_code == 401


def test_she_still_signs_in_with_an_emailed_code_on_the_pages(her):
    attack(her.email)
    mine = Client(REMOTE_ADDR=IP_B)
    mail.outbox.clear()
    response = mine.post(reverse("account_request_login_code"), {"email": her.email})
    assert response.status_code == 302
    assert response.url == reverse("account_confirm_login_code")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [her.email]
    assert "Voici votre code de connexion" in mail.outbox[0].body
    assert "Sign-In" not in mail.outbox[0].subject
    response = mine.post(reverse("account_confirm_login_code"), {"code": last_code()})
    assert response.status_code == 302
    assert mine.get("/api/v1/me").json()["email"] == her.email


def test_she_still_signs_in_with_an_emailed_code_over_the_api(her):
    attack(her.email)
    mine = Client(REMOTE_ADDR=IP_B)
    mail.outbox.clear()
    response = mine.post(
        f"{BROWSER}/auth/code/request",
        {"email": her.email},
        content_type="application/json",
    )
    assert response.status_code == 401  # a pending "login_by_code" flow
    response = mine.post(
        f"{BROWSER}/auth/code/confirm",
        {"code": last_code()},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert mine.get("/api/v1/me").status_code == 200


def test_a_moderator_signs_in_by_code_then_her_factor_and_is_a_moderator(moderator):
    attack(moderator.email)
    mine = Client(REMOTE_ADDR=IP_B)
    mail.outbox.clear()
    mine.post(reverse("account_request_login_code"), {"email": moderator.email})
    response = mine.post(reverse("account_confirm_login_code"), {"code": last_code()})
    assert response.url == reverse("mfa_authenticate")  # the code is not a factor
    assert mine.get(reverse("moderation:reports")).status_code == 302
    mine.post(reverse("mfa_authenticate"), {"code": totp_now()})
    assert mine.get(reverse("moderation:reports")).status_code == 200


def test_the_attackers_code_requests_do_not_use_up_hers(her):
    """Code requests are limited per IP only: the attacker's IP hits the wall, not her."""
    attack(her.email)
    mail.outbox.clear()
    for _ in range(8):  # a fresh browser each time, from the same IP
        Client(REMOTE_ADDR=IP_A).post(
            reverse("account_request_login_code"), {"email": her.email}
        )
    assert len(mail.outbox) == 5  # 5 a minute per IP, then nothing more is sent
    mine = Client(REMOTE_ADDR=IP_B)
    response = mine.post(reverse("account_request_login_code"), {"email": her.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 6
    mine.post(reverse("account_confirm_login_code"), {"code": last_code()})
    assert mine.get("/api/v1/me").status_code == 200


def test_wrong_codes_end_only_the_guessers_attempt(her):
    """Three wrong codes end that pending sign-in (in that browser), nobody else's."""
    guesser = Client(REMOTE_ADDR=IP_A)
    guesser.post(reverse("account_request_login_code"), {"email": her.email})
    mine = Client(REMOTE_ADDR=IP_B)
    mine.post(reverse("account_request_login_code"), {"email": her.email})
    my_code = last_code()
    for _ in range(4):
        guesser.post(reverse("account_confirm_login_code"), {"code": "WRONG1"})
    assert guesser.get("/api/v1/me").status_code == 401
    mine.post(reverse("account_confirm_login_code"), {"code": my_code})
    assert mine.get("/api/v1/me").status_code == 200


def test_the_login_page_offers_the_code_in_french(client):
    body = client.get(reverse("account_login")).content.decode()
    assert reverse("account_request_login_code") in body
    page = client.get(reverse("account_request_login_code")).content.decode()
    assert 'lang="fr"' in page
    assert "code" in page.lower()


def test_signed_in_people_are_not_affected(member):
    assert sign_in(Client(), member).get("/api/v1/me").status_code == 200


# --- her passkey --------------------------------------------------------------------


def _register_passkey(client: Client) -> SoftPasskey:
    """Add a passkey through the headless API, as her browser's JavaScript does."""
    response = client.post(
        f"{BROWSER}/auth/reauthenticate",
        {"password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    path = f"{BROWSER}/account/authenticators/webauthn"
    options = client.get(path, {"passwordless": ""}).json()["data"]["creation_options"]
    passkey = SoftPasskey()
    response = client.post(
        path,
        {"name": "Téléphone", "credential": passkey.create(options)},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return passkey


def _passkey_login(passkey: SoftPasskey, ip: str = IP_B) -> Client:
    client = Client(REMOTE_ADDR=ip)
    path = f"{BROWSER}/auth/webauthn/login"
    options = client.get(path).json()["data"]["request_options"]
    response = client.post(
        path, {"credential": passkey.get(options)}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return client


def test_she_still_signs_in_with_her_passkey(her):
    passkey = _register_passkey(sign_in(Client(REMOTE_ADDR=IP_B), her))
    attack(her.email)
    mine = _passkey_login(passkey)
    assert mine.get("/api/v1/me").json()["email"] == her.email


def test_a_forged_passkey_answer_is_refused(her):
    """Her credential id and user handle without her private key open nothing."""
    real = _register_passkey(sign_in(Client(REMOTE_ADDR=IP_B), her))
    impostor = SoftPasskey(
        credential_id=real.credential_id, user_handle=real.user_handle
    )
    client = Client(REMOTE_ADDR=IP_A)
    path = f"{BROWSER}/auth/webauthn/login"
    options = client.get(path).json()["data"]["request_options"]
    response = client.post(
        path, {"credential": impostor.get(options)}, content_type="application/json"
    )
    assert response.status_code == 400
    assert client.get("/api/v1/me").status_code == 401


def test_a_moderator_locked_out_of_her_password_signs_in_with_her_passkey(moderator):
    passkey = _register_passkey(
        sign_in(Client(REMOTE_ADDR=IP_B), moderator, second_factor=True)
    )
    attack(moderator.email)
    mine = _passkey_login(passkey)
    # A passkey sign-in is a second-factor sign-in: her moderator pages open.
    assert mine.get(reverse("moderation:reports")).status_code == 200
