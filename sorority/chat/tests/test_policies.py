import pytest
from django.contrib.auth.models import AnonymousUser

from sorority.accounts.models import RoleAssignment, User
from sorority.accounts.tests.factories import UserFactory
from sorority.chat.policies import (
    can_contact,
    conversations_visible_to,
    messages_visible_to,
)
from sorority.chat.tests.factories import conversation_between, message_in

pytestmark = pytest.mark.django_db


def person(role: str) -> object:
    if role == "anonymous":
        return AnonymousUser()
    if role == "applicant":
        return UserFactory(status=User.Status.PENDING)
    if role == "banned":
        return UserFactory(status=User.Status.BANNED, is_active=False)
    user = UserFactory()
    if role in ("moderator", "association_staff"):
        RoleAssignment.objects.create(user=user, role=role)
    return user


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("anonymous", False),
        ("applicant", False),
        ("banned", False),
        ("member", False),
        ("association_staff", False),
        ("moderator", False),
        ("participant", True),
    ],
)
def test_who_sees_a_conversation(role, sees):
    alice = UserFactory()
    viewer = alice if role == "participant" else person(role)
    conversation = conversation_between(alice, UserFactory())
    message_in(conversation, alice)
    assert conversations_visible_to(viewer).filter(pk=conversation.pk).exists() is sees
    assert messages_visible_to(viewer).exists() is sees


def test_a_participant_who_lost_membership_sees_nothing():
    alice = UserFactory()
    conversation = conversation_between(alice)
    User.objects.filter(pk=alice.pk).update(status=User.Status.BANNED, is_active=False)
    alice.refresh_from_db()
    assert not conversations_visible_to(alice).filter(pk=conversation.pk).exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("anonymous", False),
        ("applicant", False),
        ("banned", False),
        ("member", True),
        ("association_staff", True),
        ("moderator", True),
    ],
)
def test_who_may_start_a_conversation(role, allowed):
    assert can_contact(person(role), UserFactory()) is allowed
