import pytest
from django.core import mail

from sorority.accounts.models import Block, User
from sorority.accounts.tests.factories import UserFactory
from sorority.chat import selectors, services
from sorority.chat.models import ChatSettings, ConversationEvent, Message
from sorority.chat.policies import conversations_visible_to
from sorority.chat.tests.factories import conversation_between, message_in
from sorority.core.errors import ApplicationError, NotFound, RateLimited

pytestmark = pytest.mark.django_db


def test_starting_a_conversation_stores_the_first_message_and_an_event(member):
    other = UserFactory()
    conversation, message = services.conversation_start(
        starter=member, other=other, text="  Bonjour  "
    )
    assert message.text == "Bonjour"
    assert set(conversation.participants.values_list("user_id", flat=True)) == {
        member.pk,
        other.pk,
    }
    assert ConversationEvent.objects.filter(
        conversation=conversation, kind="started", actor=member
    ).exists()


def test_starting_twice_reuses_the_same_conversation(member):
    other = UserFactory()
    first, _ = services.conversation_start(starter=member, other=other, text="a")
    second, _ = services.conversation_start(starter=other, other=member, text="b")
    assert first.pk == second.pk
    assert first.messages.count() == 2


@pytest.mark.parametrize(
    "status", [User.Status.PENDING, User.Status.REFUSED, User.Status.BANNED]
)
def test_only_approved_members_can_be_contacted(member, status):
    other = UserFactory(status=status)
    with pytest.raises(NotFound):
        services.conversation_start(starter=member, other=other, text="hi")


def test_nobody_can_write_to_herself(member):
    with pytest.raises(ApplicationError) as info:
        services.conversation_start(starter=member, other=member, text="hi")
    assert info.value.code == "cannot_contact_self"


@pytest.mark.parametrize("direction", ["she_blocked", "was_blocked"])
def test_no_conversation_starts_across_a_block(member, direction):
    other = UserFactory()
    if direction == "she_blocked":
        Block.objects.create(blocker=member, blocked=other)
    else:
        Block.objects.create(blocker=other, blocked=member)
    # The blocker is told plainly; the blocked one gets "no such member".
    expected = ApplicationError if direction == "she_blocked" else NotFound
    with pytest.raises(expected) as info:
        services.conversation_start(starter=member, other=other, text="hi")
    code = "blocked_by_you" if direction == "she_blocked" else "not_found"
    assert info.value.code == code


def test_an_applicant_cannot_start_a_conversation(applicant):
    with pytest.raises(NotFound):
        services.conversation_start(starter=applicant, other=UserFactory(), text="hi")


def test_a_block_hides_the_conversation_both_ways_and_stops_messages(member):
    other = UserFactory()
    conversation = conversation_between(member, other)
    Block.objects.create(blocker=other, blocked=member)
    assert not conversations_visible_to(member).exists()
    assert not conversations_visible_to(other).exists()
    with pytest.raises(NotFound):
        services.message_send(sender=member, conversation_id=conversation.pk, text="x")


def test_a_member_cannot_post_in_someone_elses_conversation(member):
    conversation = conversation_between()
    with pytest.raises(NotFound):
        services.message_send(sender=member, conversation_id=conversation.pk, text="x")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty_message"),
        ("   \n ", "empty_message"),
        ("x" * 2001, "message_too_long"),
    ],
)
def test_empty_or_too_long_messages_are_refused_clearly(member, text, code):
    conversation = conversation_between(member)
    with pytest.raises(ApplicationError) as info:
        services.message_send(sender=member, conversation_id=conversation.pk, text=text)
    assert info.value.code == code
    assert not Message.objects.exists()


def test_messages_per_minute_are_limited_with_a_clear_error(member, settings):
    settings.CHAT_MESSAGES_PER_MINUTE = 3
    conversation = conversation_between(member)
    for _ in range(3):
        services.message_send(sender=member, conversation_id=conversation.pk, text="x")
    with pytest.raises(RateLimited) as info:
        services.message_send(sender=member, conversation_id=conversation.pk, text="x")
    assert info.value.code == "rate_limited"
    assert info.value.status == 429
    assert conversation.messages.count() == 3


def test_unread_counts_exclude_her_own_messages_and_clear_when_read(member):
    other = UserFactory()
    conversation = conversation_between(member, other)
    services.message_send(sender=member, conversation_id=conversation.pk, text="0")
    services.message_send(sender=other, conversation_id=conversation.pk, text="1")
    services.message_send(sender=other, conversation_id=conversation.pk, text="2")
    assert selectors.unread_total(member) == 2
    assert selectors.unread_total(other) == 0
    assert selectors.conversation_list(member).get().unread == 2
    services.conversation_mark_read(user=member, conversation=conversation)
    assert selectors.unread_total(member) == 0


def test_unread_count_ignores_blocked_conversations(member):
    other = UserFactory()
    conversation = conversation_between(member, other)
    message_in(conversation, other)
    Block.objects.create(blocker=member, blocked=other)
    assert selectors.unread_total(member) == 0


def test_the_conversation_list_is_one_query(member, django_assert_max_num_queries):
    for _ in range(5):
        message_in(conversation_between(member), member)
    with django_assert_max_num_queries(2):
        rows = list(selectors.conversation_list(member))
        assert all(r.person_low and r.person_high for r in rows)


def test_contact_several_opens_one_conversation_per_accepting_member(member):
    hosts = UserFactory.create_batch(4)
    ChatSettings.objects.create(user=hosts[0], accept_several=False)
    Block.objects.create(blocker=hosts[1], blocked=member)
    applicant = UserFactory(status=User.Status.PENDING)
    result = services.contact_several(
        sender=member,
        member_ids=[h.pk for h in hosts] + [applicant.pk, member.pk],
        text="Besoin d'un abri ce soir",
    )
    assert len(result["conversations"]) == 2
    assert set(result["skipped"]) == {hosts[0].pk, hosts[1].pk, applicant.pk, member.pk}
    assert Message.objects.filter(sender=member).count() == 2


def test_contact_several_takes_at_most_ten_members(member):
    hosts = UserFactory.create_batch(11)
    with pytest.raises(ApplicationError) as info:
        services.contact_several(
            sender=member, member_ids=[h.pk for h in hosts], text="x"
        )
    assert info.value.code == "too_many_members"


def test_contact_several_is_limited_per_day(member, settings):
    settings.CHAT_SEVERAL_PER_DAY = 2
    hosts = UserFactory.create_batch(2)
    for _ in range(2):
        services.contact_several(
            sender=member, member_ids=[h.pk for h in hosts], text="x"
        )
    with pytest.raises(RateLimited):
        services.contact_several(
            sender=member, member_ids=[h.pk for h in hosts], text="x"
        )


def test_broadcast_waits_for_the_commit(member, django_capture_on_commit_callbacks):
    conversation = conversation_between(member)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.message_send(sender=member, conversation_id=conversation.pk, text="x")
    assert len(callbacks) == 1


class TestUnreadNotifications:
    def _age(self, minutes: int) -> None:
        from datetime import timedelta

        from django.utils import timezone

        Message.objects.update(created_at=timezone.now() - timedelta(minutes=minutes))

    def test_an_old_unread_message_sends_one_neutral_email_per_batch(
        self, member, settings, django_capture_on_commit_callbacks
    ):
        settings.CHAT_NOTIFY_AFTER_MINUTES = 30
        other = UserFactory(display_name="Zoé Secret")
        conversation = conversation_between(member, other)
        message_in(conversation, other, "Texte très privé")
        message_in(conversation, other, "Encore")
        self._age(31)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.notify_unread() == 1
        assert len(mail.outbox) == 1
        sent = mail.outbox[0]
        assert sent.to == [member.email]
        for secret in ("Zoé", "Secret", "privé", "Encore"):
            assert secret not in sent.subject
            assert secret not in sent.body
        with django_capture_on_commit_callbacks(execute=True):
            assert services.notify_unread() == 0  # same batch: no second e-mail
        services.conversation_mark_read(user=member, conversation=conversation)
        message_in(conversation, other, "Nouveau")
        self._age(40)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.notify_unread() == 1  # a new batch after she read

    def test_recent_messages_and_opted_out_members_get_no_email(self, member, settings):
        settings.CHAT_NOTIFY_AFTER_MINUTES = 30
        other = UserFactory()
        message_in(conversation_between(member, other), other)
        assert services.notify_unread() == 0
        self._age(60)
        ChatSettings.objects.create(user=member, email_unread=False)
        assert services.notify_unread() == 0
        assert mail.outbox == []


def test_replying_counts_as_having_read_the_conversation(member):
    other = UserFactory()
    conversation = conversation_between(member, other)
    services.message_send(sender=other, conversation_id=conversation.pk, text="1")
    services.message_send(sender=member, conversation_id=conversation.pk, text="2")
    assert selectors.unread_total(member) == 0
    assert selectors.unread_total(other) == 1
