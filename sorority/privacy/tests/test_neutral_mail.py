"""Every e-mail is neutral for a person in discreet mode, and some for everyone.

Someone who reads her mailbox or her lock screen must not learn what the site is
for. E-mails that anyone can make the platform send to an address (a password
reset, a sign-up) look the same whether an account exists and whether she chose
discreet mode: otherwise they would tell exactly that to whoever sent them.
"""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from sorority.accounts.models import User
from sorority.accounts.tests.factories import PASSWORD, UserFactory
from sorority.core.neutral import giveaways

pytestmark = pytest.mark.django_db


def _neutral_problems(message: mail.EmailMessage) -> list[str]:
    problems = []
    if message.from_email != settings.DISCREET_FROM_EMAIL:
        problems.append(f"sender {message.from_email!r}")
    headers = message.message()
    for name in ("From", "Subject", "Message-ID", "Reply-To"):
        words = giveaways(str(headers.get(name, "")))
        if words:
            problems.append(f"{name}: {words}")
    # The message id names the sender's domain, never the server (often named
    # after the platform).
    if not str(headers["Message-ID"]).endswith("@notes.example>"):
        problems.append(f"Message-ID {headers['Message-ID']}")
    words = giveaways(message.body)
    if words:
        problems.append(f"body: {words} in {message.body!r}")
    return problems


def assert_neutral(message: mail.EmailMessage) -> None:
    assert _neutral_problems(message) == [], (message.subject, message.body)


@pytest.fixture(autouse=True)
def _a_sender_that_names_the_platform(settings):
    # As in production: the ordinary sender names the platform, on its own domain.
    settings.DEFAULT_FROM_EMAIL = "Sorority <no-reply@sorority.example>"
    settings.DISCREET_FROM_EMAIL = "Notification <no-reply@notes.example>"


# ---------------------------------------------------------------------------
# E-mails anyone can trigger
# ---------------------------------------------------------------------------
def _accounts() -> dict[str, str]:
    plain = UserFactory(status=User.Status.MEMBER, discreet_mode=False)
    discreet = UserFactory(status=User.Status.MEMBER, discreet_mode=True)
    return {
        "no account": "nobody@example.org",
        "account": plain.email,
        "discreet account": discreet.email,
    }


def test_a_password_reset_looks_the_same_whoever_owns_the_address(client):
    sent = {}
    for case, email in _accounts().items():
        mail.outbox.clear()
        client.post(reverse("account_reset_password"), {"email": email})
        (sent[case],) = mail.outbox
    subjects = {message.subject for message in sent.values()}
    senders = {message.from_email for message in sent.values()}
    assert subjects == {"Réinitialisation du mot de passe"}
    assert senders == {settings.DISCREET_FROM_EMAIL}
    for message in sent.values():
        assert_neutral(message)


def test_a_sign_up_with_any_address_gets_the_same_subject_and_sender(client):
    sent = {}
    for case, email in _accounts().items():
        mail.outbox.clear()
        client.post(
            reverse("account_signup"),
            {
                "email": email,
                "password1": "a-long-passphrase-42",
                "password2": "a-long-passphrase-42",
                "display_name": "Léa",
                "consent": "on",
            },
        )
        client.logout()
        (sent[case],) = mail.outbox
    # The platform did send two different e-mails: the test compares something.
    assert sent["no account"].body != sent["account"].body
    assert {m.subject for m in sent.values()} == {"Confirmez votre adresse e-mail"}
    assert {m.from_email for m in sent.values()} == {settings.DISCREET_FROM_EMAIL}
    for message in sent.values():
        assert_neutral(message)


def test_message_ids_do_not_name_the_server(client, member):
    client.post(reverse("account_reset_password"), {"email": member.email})
    (message,) = mail.outbox
    assert message.message()["Message-ID"].endswith("@notes.example>")


# ---------------------------------------------------------------------------
# Every kind of e-mail, for a person in discreet mode
# ---------------------------------------------------------------------------
@pytest.fixture
def community(db, monkeypatch):
    """The demo community (fewer generated members), everyone in discreet mode."""
    from functools import partial

    from sorority.core.demo import seed_all
    from sorority.places import demo as places_demo

    monkeypatch.setattr(
        places_demo, "seed_members", partial(places_demo.seed_members, count=200)
    )
    ctx = seed_all()
    User.objects.update(discreet_mode=True)
    for user in ctx.people.values():
        user.refresh_from_db()
    mail.outbox.clear()
    return ctx


def _sent_to(user: User) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if user.email in m.to]


def test_a_verification_decision_mail_is_neutral(community):
    from sorority.verification.models import VerificationRequest
    from sorority.verification.services import (
        CHECKLIST,
        verification_claim,
        verification_decide,
    )

    moderator = community.people["moderator"]
    applicant = community.people["applicant_pending"]
    case = VerificationRequest.objects.get(user=applicant, state="submitted")
    case = verification_claim(case=case, moderator=moderator)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        verification_decide(
            case=case,
            moderator=moderator,
            decision="resubmit",
            reason="blurry",
            checklist=dict.fromkeys(CHECKLIST, False),
        )
    (message,) = _sent_to(applicant)
    assert_neutral(message)


def test_an_association_invitation_mail_is_neutral(community):
    from django.test import TestCase

    from sorority.associations.models import Association
    from sorority.associations.services import staff_invite

    staff = community.people["association_staff"]
    member = community.people["member"]
    association = Association.objects.get(memberships__user=staff)
    with TestCase.captureOnCommitCallbacks(execute=True):
        staff_invite(association=association, actor=staff, reference=member.email)
    (message,) = _sent_to(member)
    assert_neutral(message)


def test_a_host_answer_mail_to_the_referent_is_neutral(community):
    from django.test import TestCase

    from sorority.associations.models import HostRequest
    from sorority.associations.services import request_answer

    staff = community.people["association_staff"]
    request = (
        HostRequest.objects.filter(status="waiting").select_related("host").first()
    )
    assert request is not None
    with TestCase.captureOnCommitCallbacks(execute=True):
        request_answer(request=request, actor=request.host, answer="declined")
    messages = _sent_to(staff)
    assert messages
    for message in messages:
        assert_neutral(message)


def test_an_unread_chat_message_mail_is_neutral(community):
    from django.test import TestCase

    from sorority.chat.services import notify_unread

    with (
        time_machine.travel(timezone.now() + timedelta(days=1)),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        assert notify_unread() >= 1
    assert mail.outbox
    for message in mail.outbox:
        assert_neutral(message)


def test_a_moderation_warning_mail_is_neutral(community):
    from django.test import TestCase

    from sorority.moderation.services import report_create, report_warn

    member = community.people["member"]
    moderator = community.people["moderator"]
    other = UserFactory(status=User.Status.MEMBER, discreet_mode=True)
    report = report_create(reporter=other, reason="harassment", member_id=member.pk)
    with TestCase.captureOnCommitCallbacks(execute=True):
        report_warn(moderator=moderator, report_id=report.pk)
    (message,) = _sent_to(member)
    assert_neutral(message)


def test_the_erasure_mail_is_neutral(client):
    from django.test import TestCase

    user = UserFactory(status=User.Status.MEMBER, discreet_mode=True)
    email = user.email
    sign_in(client, user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("privacy:delete"), {"password": PASSWORD, "confirm": "on"}
        )
    assert response.status_code == 200
    (message,) = [m for m in mail.outbox if email in m.to]
    assert_neutral(message)


def test_her_own_account_mails_are_neutral_in_discreet_mode(client):
    user = UserFactory(status=User.Status.MEMBER, discreet_mode=True)
    sign_in(client, user)
    client.post(
        reverse("account_email"), {"action_add": "", "email": "second@example.org"}
    )
    assert mail.outbox
    for message in mail.outbox:
        assert_neutral(message)


def test_notifications_name_the_platform_outside_discreet_mode(member):
    from sorority.core.notify import send_notification

    send_notification(user=member, subject="Sujet", body="Texte")
    (message,) = mail.outbox
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "Sujet"


def test_security_notices_are_neutral_in_discreet_mode(client, settings):
    settings.ACCOUNT_EMAIL_NOTIFICATIONS = True
    user = UserFactory(status=User.Status.MEMBER, discreet_mode=True)
    sign_in(client, user)
    client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "another-long-passphrase-7",
            "password2": "another-long-passphrase-7",
        },
    )
    (message,) = mail.outbox
    assert message.subject == "À propos de votre compte"
    assert_neutral(message)
