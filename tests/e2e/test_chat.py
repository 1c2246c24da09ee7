"""Two members chat in two browsers, then one reloads and sees the whole history.

The live server of the tests is WSGI, so the pages run on their fallback here (htmx
polling every few seconds); the WebSocket path is covered by the consumer tests.
"""

import pytest
from playwright.sync_api import expect

from sorority.accounts.tests.factories import PASSWORD, UserFactory
from sorority.chat.models import Message
from sorority.chat.tests.factories import conversation_between

pytestmark = pytest.mark.django_db(transaction=True)


def login(page, live_server, email: str, password: str) -> None:
    # tests.e2e.conftest.login clicks the first submit button of the page, which is
    # the header's language switch; this one targets the login form in <main>.
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").first.click()


def _page(browser, live_server, user):
    context = browser.new_context(locale="fr-FR")
    context.route(
        "https://**/*",
        lambda route: route.fulfill(status=200, content_type="text/html", body=""),
    )
    page = context.new_page()
    login(page, live_server, user.email, PASSWORD)
    page.wait_for_url("**/home/")
    return context, page


def _send(page, text: str) -> None:
    page.fill("#id_text", text)
    page.click("#compose button[type=submit]")


def test_two_members_chat_live_then_one_reloads_and_sees_everything(
    browser, live_server
):
    alice = UserFactory(display_name="Alice")
    bea = UserFactory(display_name="Béa")
    conversation = conversation_between(alice, bea)
    url = f"{live_server.url}/chat/{conversation.pk}/"
    ctx_a, page_a = _page(browser, live_server, alice)
    ctx_b, page_b = _page(browser, live_server, bea)
    page_a.goto(url)
    page_b.goto(url)

    _send(page_a, "Bonjour Béa <b>!</b>")
    expect(page_a.locator("#messages li")).to_have_count(1)
    expect(page_b.locator("#messages")).to_contain_text(
        "Bonjour Béa <b>!</b>", timeout=15_000
    )
    _send(page_b, "Bonjour Alice, https://example.org")
    expect(page_a.locator("#messages")).to_contain_text(
        "https://example.org", timeout=15_000
    )
    _send(page_a, "Troisième message")
    expect(page_b.locator("#messages li")).to_have_count(3, timeout=15_000)
    assert page_b.locator("#messages a[href='https://example.org']").count() == 0

    page_b.reload()
    items = page_b.locator("#messages li .chat-text")
    expect(items).to_have_count(3)
    assert items.all_inner_texts() == [
        "Bonjour Béa <b>!</b>",
        "Bonjour Alice, https://example.org",
        "Troisième message",
    ]
    assert Message.objects.count() == 3
    # No message shown twice on the other page after polling and sending.
    expect(page_a.locator("#messages li")).to_have_count(3)
    ctx_a.close()
    ctx_b.close()


def test_the_guided_form_opens_a_conversation(page, live_server):
    alice = UserFactory()
    bea = UserFactory(display_name="Béa")
    login(page, live_server, alice.email, PASSWORD)
    page.wait_for_url("**/home/")
    page.goto(f"{live_server.url}/chat/new/{bea.pk}/")
    page.fill("input[name=subject]", "Aller au commissariat")
    page.fill("textarea[name=context]", "Porter plainte")
    page.fill("input[name=availability]", "Jeudi matin")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/chat/*/")
    expect(page.locator("#messages")).to_contain_text("Aller au commissariat")


@pytest.fixture
def asgi_server(live_server):
    """The project's ASGI application (HTTP and WebSocket) on a loopback port.

    The tests' live server is WSGI; this serves the same test database (SQLite's
    shared in-memory database, or the test PostgreSQL) through uvicorn in a thread.
    """
    import socket
    import threading
    import time

    import uvicorn
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from config.asgi import application

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        ASGIStaticFilesHandler(application),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws_per_message_deflate=False,
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield type("Server", (), {"url": f"http://127.0.0.1:{port}"})()
    server.should_exit = True
    thread.join(timeout=10)


def test_messages_arrive_over_the_websocket_then_reload_shows_all(browser, asgi_server):
    alice = UserFactory(display_name="Alice")
    bea = UserFactory(display_name="Béa")
    conversation = conversation_between(alice, bea)
    url = f"{asgi_server.url}/chat/{conversation.pk}/"
    ctx_a, page_a = _page(browser, asgi_server, alice)
    ctx_b, page_b = _page(browser, asgi_server, bea)
    page_a.goto(url)
    page_b.goto(url)
    # Live: the socket is open, so the polling fallback was removed.
    expect(page_a.locator("#chat")).to_have_attribute("data-live", "true")
    expect(page_b.locator("#chat")).to_have_attribute("data-live", "true")
    assert page_b.locator("#chat-poll").count() == 0

    for i in range(3):
        _send(page_a, f"En direct {i}")
        expect(page_b.locator("#messages li")).to_have_count(i + 1, timeout=20_000)
    _send(page_b, "Réponse")
    expect(page_a.locator("#messages")).to_contain_text("Réponse", timeout=20_000)

    page_a.reload()
    texts = page_a.locator("#messages li .chat-text")
    expect(texts).to_have_count(4)
    assert texts.all_inner_texts() == [
        "En direct 0",
        "En direct 1",
        "En direct 2",
        "Réponse",
    ]
    expect(page_b.locator("#messages li")).to_have_count(4)
    ctx_a.close()
    ctx_b.close()
