"""Discreet mode covers every page: walk all that each kind of person can reach.

The demo community gives every page something to show (cases, a placement, a chat,
a pending verification). Starting from every URL pattern without parameters, the
walk follows every link of every page, signed in as each kind of person with
discreet mode on, and checks what an onlooker sees first: the tab title, the
headings, and everything around the content (header, quick exit, emergency strip,
hotlines, footer).
"""

import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from conftest import sign_in
from sorority.accounts.models import User
from sorority.core.neutral import DISCREET_COOKIE, giveaways

pytestmark = pytest.mark.django_db

# Paths the walk does not open: not pages (API, admin, files, the service worker) or
# pages that end the session.
SKIP_PREFIXES = ("/api/", "/_allauth/", "/admin/", "/static/", "/media/", "/exit/")
SKIP_PATHS = ("/accounts/logout/", "/privacy/export/download/", "/sw.js")
MAX_PAGES = 400
# Pages of one URL pattern share a template: a couple of them is enough.
PER_ROUTE = 2


class _Page(HTMLParser):
    """Collect the title, the h1-h3 texts and the text around `<main>`."""

    HEADINGS = ("h1", "h2", "h3")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.headings: list[str] = []
        self.chrome: list[str] = []
        self.links: list[str] = []
        self.icons: list[str] = []
        self._stack: list[str] = []
        self._in_main = 0
        self._heading: list[str] | None = None
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag == "link" and "icon" in (attributes.get("rel") or ""):
            self.icons.append(attributes.get("href") or "")
        if tag == "main":
            self._in_main += 1
        if tag == "title" and not self.title:
            self._in_title = True
        if tag in self.HEADINGS:
            self._heading = []
        if not self._in_main:
            for name in ("title", "aria-label", "alt"):
                if attributes.get(name):
                    self.chrome.append(attributes[name])

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self._in_main -= 1
        if tag == "title":
            self._in_title = False
        if tag in self.HEADINGS and self._heading is not None:
            self.headings.append(" ".join(self._heading))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
            return
        if self._heading is not None:
            self._heading.append(data)
        if not self._in_main:
            self.chrome.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _routes(patterns: list, prefix: str = "") -> list[str]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found += _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append(prefix + str(entry.pattern))
    return found


def _start_paths() -> list[str]:
    """Every URL pattern without a parameter: where the walk starts."""
    return [
        "/" + route
        for route in _routes(get_resolver().url_patterns)
        if not re.search(r"[<(^$]", route)
    ]


def _wanted(path: str) -> bool:
    return (
        path.startswith("/")
        and not path.startswith("//")
        and not path.startswith(SKIP_PREFIXES)
        and path not in SKIP_PATHS
    )


def problems_of(path: str, html: str) -> list[str]:
    """What on this page would tell an onlooker what the site is."""
    from sorority.associations.models import Association

    # Names people chose (an association's) are their data, not the site's words.
    for name in Association.objects.values_list("name", flat=True):
        html = html.replace(name, "")
    page = parse(html)
    found = []
    for where, text in (
        ("title", page.title),
        *(("heading", h) for h in page.headings),
        ("around the content", " | ".join(t.strip() for t in page.chrome if t.strip())),
    ):
        words = giveaways(text)
        if words:
            found.append(f"{path} {where}: {words} in {text.strip()[:300]!r}")
    if any("neutral" not in icon for icon in page.icons) or not page.icons:
        found.append(f"{path}: icon {page.icons}")
    return found


def walk(client: Client) -> tuple[list[str], set[str]]:
    """Open every page reachable from the start paths; return problems and routes."""
    queue = deque(_start_paths())
    seen = set(queue)
    problems: list[str] = []
    per_route: Counter[str] = Counter()
    pages: set[str] = set()
    opened = 0
    while queue and opened < MAX_PAGES:
        path = queue.popleft()
        if not _wanted(path):
            continue
        try:
            route = resolve(urlsplit(path).path).route
        except Resolver404:
            continue
        if per_route[route] >= PER_ROUTE:
            continue
        per_route[route] += 1
        response = client.get(path)
        if response.status_code != 200 or not response.get(
            "Content-Type", ""
        ).startswith("text/html"):
            continue
        opened += 1
        pages.add(route)
        html = response.content.decode()
        problems += problems_of(path, html)
        for href in parse(html).links:
            target = urldefrag(href)[0]
            parts = urlsplit(target)
            if parts.scheme or parts.netloc:
                continue
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return problems, pages


@pytest.fixture
def community(db, monkeypatch):
    """The demo community (with fewer generated members), everyone in discreet mode."""
    from functools import partial

    from sorority.core.demo import seed_all
    from sorority.places import demo as places_demo

    monkeypatch.setattr(
        places_demo, "seed_members", partial(places_demo.seed_members, count=200)
    )
    ctx = seed_all()
    User.objects.update(discreet_mode=True)
    return ctx


def _claim_the_demo_verification(moderator: User) -> None:
    from sorority.verification.models import VerificationRequest
    from sorority.verification.services import verification_claim

    case = VerificationRequest.objects.get(state="submitted")
    verification_claim(case=case, moderator=moderator)


def _host_of_the_demo_placement() -> User:
    from sorority.associations.models import Placement

    placement = Placement.objects.select_related("host").first()
    assert placement is not None
    return placement.host


# Pages each walk must have opened: proof that it reaches the pages with content.
EXPECTED = {
    "member": (
        "home/",
        "chat/<int:pk>/",
        "places/search/safe-place/",
        "privacy/notice/",
    ),
    "association_staff": (
        "associations/cases/<int:pk>/",
        "associations/<int:pk>/",
        "safety/",
    ),
    "moderator": ("verification/moderation/<uuid:case_id>/", "safety/directory/"),
    "host": ("associations/hosting/<int:pk>/",),
    None: ("", "accounts/login/", "accounts/signup/", "before-you-start/"),
}


@pytest.mark.parametrize(
    ("person", "language"),
    [
        ("member", "fr"),
        ("member", "en"),
        ("association_staff", "fr"),
        ("moderator", "fr"),
        ("applicant_pending", "fr"),
        ("host", "fr"),
        (None, "fr"),
        (None, "en"),
    ],
)
def test_every_page_is_neutral_in_discreet_mode(client, community, person, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if person == "host":
        user = _host_of_the_demo_placement()
    elif person is not None:
        user = community.people[person]
        if person == "moderator":
            _claim_the_demo_verification(user)
    if person is not None:
        user.refresh_from_db()
        assert user.discreet_mode
        sign_in(client, user, second_factor=person == "moderator")
    else:
        # Signed out, on a device where she switched discreet mode on.
        client.cookies[DISCREET_COOKIE] = "1"
    problems, pages = walk(client)
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    problems += problems_of("/no-such-page/", missing.content.decode())
    manifest = client.get("/manifest.webmanifest")
    assert giveaways(manifest.content.decode()) == []
    assert all("neutral" in icon["src"] for icon in manifest.json()["icons"])
    assert len(pages) > 10
    assert f'lang="{language}"' in client.get("/offline/").content.decode()
    for route in EXPECTED.get(person, ()):
        assert route in pages, (route, sorted(pages))
    assert problems == [], "\n".join(problems)


# ---------------------------------------------------------------------------
# The sheltered person's check-in: an ordinary form, discreet mode or not
# ---------------------------------------------------------------------------
def _check_in_url() -> str:
    from django.urls import reverse

    from sorority.associations.models import Placement

    placement = Placement.objects.exclude(guest_key="").first()
    assert placement is not None
    return reverse("associations:guest_check_in", args=[placement.guest_key])


@pytest.mark.parametrize("cookie", [False, True])
def test_the_check_in_page_looks_like_an_ordinary_form(client, community, cookie):
    if cookie:
        client.cookies[DISCREET_COOKIE] = "1"
    url = _check_in_url()
    html = client.get(url).content.decode()
    page = parse(html)
    assert page.title == "Questionnaire"
    # Nowhere in the page, not even in an attribute or a file name.
    assert giveaways(html) == []
    assert 'rel="manifest"' not in html
    assert "register-sw" not in html
    assert page.icons
    assert all("neutral" in icon for icon in page.icons)
    for hotline in ("Violences Femmes Info", "Coeurs de Guerrières", "3919"):
        assert hotline not in html
    # Still a usable, accessible form with a way out first.
    assert html.index('id="quick-exit"') < html.index("<main")
    assert "Quitter" in html
    assert "<legend>" in html
    assert 'for="id_note"' in html
    assert 'lang="fr"' in html
    done = client.post(url, {"answer": "quiet_day"}).content.decode()
    assert "Merci, votre nouvelle a été envoyée." in done
    assert giveaways(done) == []
    assert parse(done).title == "Questionnaire"


# ---------------------------------------------------------------------------
# Signed out on her device: the cookie follows her setting
# ---------------------------------------------------------------------------
def test_her_device_keeps_discreet_mode_for_the_pages_she_sees_signed_out(
    client, member
):
    sign_in(client, member)
    client.post("/privacy/discreet/", {"next": "/home/"})
    client.get("/home/")
    cookie = client.cookies[DISCREET_COOKIE]
    assert cookie.value == "1"
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    # Her session ends on its own (not a sign-out, which clears the site's data).
    del client.cookies[settings.SESSION_COOKIE_NAME]
    login = client.get("/accounts/login/").content.decode()
    assert parse(login).title == "Notes"
    assert problems_of("/accounts/login/", login) == []
    # Switched off again: the device forgets it.
    sign_in(client, member)
    client.post("/privacy/discreet/", {"next": "/home/"})
    client.get("/home/")
    assert client.cookies[DISCREET_COOKIE].value == ""
    del client.cookies[settings.SESSION_COOKIE_NAME]
    assert "Sorority" in parse(client.get("/accounts/login/").content.decode()).title


# ---------------------------------------------------------------------------
# The one mechanism: {% neutral %}
# ---------------------------------------------------------------------------
def test_the_neutral_tag_shows_the_plain_wording_only_in_discreet_mode():
    from django.template import Context, Template, TemplateSyntaxError

    template = Template(
        "{% load neutral %}{% neutral plain %}<b>Sorority</b>{% endneutral %}"
    )
    assert template.render(Context({"plain": "<i>"})) == "<b>Sorority</b>"
    assert template.render(Context({"plain": "<i>", "discreet": True})) == "&lt;i&gt;"
    with pytest.raises(TemplateSyntaxError):
        Template("{% load neutral %}{% neutral %}x{% endneutral %}")
