import pytest
from django.urls import reverse

from sorority.accounts.models import Block, User
from sorority.accounts.tests.factories import UserFactory
from sorority.chat.models import ChatSettings, Conversation, Message
from sorority.chat.tests.factories import conversation_between, message_in

pytestmark = pytest.mark.django_db


def test_the_list_shows_unread_counts_and_escaped_names(member_client, member):
    other = UserFactory(display_name="<i>Lou</i>")
    conversation = conversation_between(member, other)
    message_in(conversation, other)
    message_in(conversation, other)
    page = member_client.get(reverse("chat:list")).content.decode()
    assert "&lt;i&gt;Lou&lt;/i&gt;" in page
    assert "<i>Lou</i>" not in page
    assert 'class="badge"' in page


def test_the_nav_shows_messages_with_an_unread_badge(member_client, member):
    other = UserFactory()
    message_in(conversation_between(member, other), other)
    page = member_client.get(reverse("chat:list")).content.decode()
    assert reverse("chat:list") in page
    assert '<span class="badge" aria-label="1' in page


def test_the_conversation_page_escapes_text_and_shows_links_as_text(
    member_client, member
):
    other = UserFactory()
    conversation = conversation_between(member, other)
    message_in(conversation, other, "<img src=x onerror=alert(1)> https://example.org")
    page = member_client.get(
        reverse("chat:detail", args=[conversation.pk])
    ).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img src=x" not in page
    assert 'href="https://example.org"' not in page
    assert "https://example.org" in page


def test_opening_a_conversation_marks_it_read(member_client, member):
    from sorority.chat.selectors import unread_total

    other = UserFactory()
    conversation = conversation_between(member, other)
    message_in(conversation, other)
    member_client.get(reverse("chat:detail", args=[conversation.pk]))
    assert unread_total(member) == 0


def test_sending_without_javascript_redirects_back(member_client, member):
    conversation = conversation_between(member)
    response = member_client.post(
        reverse("chat:send", args=[conversation.pk]), {"text": "Bonjour"}
    )
    assert response.status_code == 302
    assert Message.objects.get().text == "Bonjour"


def test_sending_with_htmx_returns_only_the_new_messages(member_client, member):
    other = UserFactory()
    conversation = conversation_between(member, other)
    old = message_in(conversation, other, "old")
    response = member_client.post(
        reverse("chat:send", args=[conversation.pk]),
        {"text": "fresh", "after": old.pk},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "fresh" in body
    assert "old" not in body
    assert 'id="last-id"' in body


def test_an_htmx_send_error_is_shown_in_the_form(member_client, member, settings):
    settings.CHAT_MESSAGES_PER_MINUTE = 0
    conversation = conversation_between(member)
    response = member_client.post(
        reverse("chat:send", args=[conversation.pk]),
        {"text": "x"},
        headers={"HX-Request": "true"},
    )
    assert response["HX-Retarget"] == "#send-error"
    assert (
        "Too many" in response.content.decode() or "Trop" in response.content.decode()
    )


def test_polling_returns_messages_after_the_last_one(member_client, member):
    other = UserFactory()
    conversation = conversation_between(member, other)
    first = message_in(conversation, other, "first")
    message_in(conversation, other, "second")
    response = member_client.get(
        reverse("chat:detail", args=[conversation.pk]),
        {"after": first.pk},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert "second" in body
    assert "first" not in body
    assert "<html" not in body


def test_foreign_and_blocked_conversations_are_404(member_client, member):
    foreign = conversation_between()
    other = UserFactory()
    blocked = conversation_between(member, other)
    Block.objects.create(blocker=other, blocked=member)
    for conversation in (foreign, blocked):
        assert (
            member_client.get(
                reverse("chat:detail", args=[conversation.pk])
            ).status_code
            == 404
        )
        response = member_client.post(
            reverse("chat:send", args=[conversation.pk]), {"text": "x"}
        )
        assert response.status_code == 404
    assert not Message.objects.exists()


def test_the_guided_form_starts_a_conversation(member_client, member):
    other = UserFactory()
    response = member_client.post(
        reverse("chat:new", args=[other.pk]),
        {
            "subject": "Accompagnement",
            "context": "Rendez-vous",
            "availability": "Mardi",
        },
    )
    conversation = Conversation.objects.get()
    assert response.url == reverse("chat:detail", args=[conversation.pk])
    text = Message.objects.get().text
    assert "Accompagnement" in text
    assert "Rendez-vous" in text
    assert "Mardi" in text


@pytest.mark.parametrize("status", [User.Status.PENDING, User.Status.BANNED])
def test_the_guided_form_is_404_for_non_members(member_client, status):
    other = UserFactory(status=status)
    assert member_client.get(reverse("chat:new", args=[other.pk])).status_code == 404


def test_the_guided_form_is_404_across_a_block(member_client, member):
    other = UserFactory()
    Block.objects.create(blocker=other, blocked=member)
    assert member_client.get(reverse("chat:new", args=[other.pk])).status_code == 404


def test_block_page_blocks_after_confirmation(member_client, member):
    other = UserFactory()
    url = reverse("chat:block", args=[other.pk])
    assert member_client.get(url).status_code == 200
    assert not Block.objects.exists()
    member_client.post(url)
    assert Block.objects.filter(blocker=member, blocked=other).exists()


def test_settings_page_saves_choices(member_client, member):
    member_client.post(reverse("chat:settings"), {"email_unread": "on"})
    chosen = ChatSettings.objects.get(user=member)
    assert chosen.email_unread
    assert not chosen.accept_several


PAGES = ["chat:list", "chat:settings"]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_people_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


@pytest.mark.parametrize("name", PAGES)
def test_applicants_are_sent_to_their_status(applicant_client, name):
    response = applicant_client.get(reverse(name))
    assert response.status_code == 302
    assert response.url == reverse("accounts:status")


def test_the_conversation_page_has_no_inline_script(member_client, member):
    conversation = conversation_between(member)
    page = member_client.get(
        reverse("chat:detail", args=[conversation.pk])
    ).content.decode()
    assert "onclick" not in page
    assert "<script>" not in page
    assert "chat/chat.js" in page


def test_contact_several_page_sends_one_message_per_host(member_client, member):
    hosts = UserFactory.create_batch(3)
    query = "&".join(f"member_ids={h.pk}" for h in hosts)
    page = member_client.get(f"{reverse('chat:several')}?{query}")
    assert page.status_code == 200
    for host in hosts:
        assert host.display_name in page.content.decode()
    response = member_client.post(
        reverse("chat:several"),
        {"member_ids": [h.pk for h in hosts], "text": "Besoin d'un abri"},
    )
    assert response.status_code == 302
    assert Conversation.objects.count() == 3


def test_contact_several_page_hides_blocked_people(member_client, member):
    other = UserFactory(display_name="Cachée")
    Block.objects.create(blocker=other, blocked=member)
    page = member_client.get(f"{reverse('chat:several')}?member_ids={other.pk}")
    assert "Cachée" not in page.content.decode()
