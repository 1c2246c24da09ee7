"""Browser journeys in real Chromium (Debian's), driven by Playwright."""

import os

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread
from playwright.sync_api import expect

from tests.e2e.chromium import CHROMIUM_FLAGS, CHROMIUM_PATH

# Playwright's sync API runs an event loop in this thread; the live server and the
# ORM calls of the tests are synchronous (microsoft/playwright-pytest#29).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# One request at a time: with SQLite the live server shares the test's in-memory
# connection, which concurrent request threads (a page loading several images at
# once) cannot use safely. Django then answers `Connection: close`, so nothing waits.
class SingleThreadedWSGIServer(WSGIServer):
    def __init__(self, *args: object, connections_override: object = None, **kwargs: object) -> None:
        # LiveServerThread.run() already installs the shared connections in its thread.
        super().__init__(*args, **kwargs)


LiveServerThread.server_class = SingleThreadedWSGIServer

# Browser journeys wait on conditions, never on timings tuned for an idle machine:
# CI may run on a busy one, so every `expect` gets a generous ceiling by default.
expect.set_options(timeout=20_000)



def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM_PATH,
        "args": CHROMIUM_FLAGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "locale": "fr-FR", "permissions": ["camera"]}


@pytest.fixture(autouse=True)
def _block_outside_world(context) -> None:
    """No request leaves the machine: outside URLs get an empty neutral page."""

    def fulfil(route) -> None:
        route.fulfill(status=200, content_type="text/html", body="<title>Météo</title>")

    context.route("https://**/*", fulfil)
    context.route("http://tile.openstreetmap.org/**", fulfil)


def login(page, live_server, email: str, password: str) -> None:
    """Sign in through the real login page."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("form:has(input[name=password]) button[type=submit]").first.click()
