"""Neutral where she may be watched, in a real browser, on a phone and a desktop.

Set E2E_SHOTS_DIR to keep the screenshots for review.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sorority.accounts.models import User
from sorority.accounts.tests.factories import PASSWORD, UserFactory
from sorority.core.neutral import giveaways
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = [(390, 844), (1280, 800)]


def _shot(page, name: str) -> None:
    folder = os.environ.get("E2E_SHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def _check_in_path() -> str:
    from django.urls import reverse

    from sorority.associations import services
    from sorority.associations.tests.factories import approved_association_with_staff

    association, rep = approved_association_with_staff()
    case = services.case_open(association=association, actor=rep, label="Rose")
    services.case_record_safety_check(case=case, actor=rep, threatened=False)
    host = UserFactory()
    (request,) = services.outreach_send(case=case, actor=rep, host_ids=[host.pk])
    services.request_answer(request=request, actor=host, answer="accepted")
    placement = services.placement_record(
        case=case,
        actor=rep,
        request=request,
        starts_on=timezone.localdate(),
        expected_end_on=timezone.localdate(),
        duress_answer="nothing_new",
    )
    return reverse("associations:guest_check_in", args=[placement.guest_key])


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_the_check_in_page_is_an_ordinary_form(page, live_server, width, height):
    # The services broadcast through async_to_sync: not in Playwright's loop thread.
    with ThreadPoolExecutor(1) as pool:
        path = pool.submit(_check_in_path).result()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}{path}")
    assert page.title() == "Questionnaire"
    assert giveaways(page.locator("body").inner_text()) == []
    assert _no_horizontal_scroll(page)
    _shot(page, f"check-in-{width}")
    # The way out is first in keyboard order, and says nothing about the site.
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent").strip()
    assert focused.endswith("Quitter")
    page.get_by_label("Tout va bien, journée calme.").check()
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("status")).to_contain_text("Merci")
    assert page.title() == "Questionnaire"


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_a_member_page_in_discreet_mode_says_nothing_of_the_site(
    page, live_server, width, height
):
    from sorority.safety.models import Hotline

    Hotline.objects.get_or_create(
        number="3919",
        defaults={
            "name": "Violences Femmes Info",
            "description_fr": "Écoute anonyme et gratuite, 24 h/24",
            "description_en": "Free, anonymous listening, 24/7",
            "emergency": True,
        },
    )
    user = UserFactory(status=User.Status.MEMBER, discreet_mode=True)
    page.set_viewport_size({"width": width, "height": height})
    login(page, live_server, user.email, PASSWORD)
    page.wait_for_url("**/home/")
    for path, name in (("/home/", "home"), ("/places/search/safe-place/", "search")):
        page.goto(f"{live_server.url}{path}")
        assert page.title() == "Notes"
        chrome = " ".join(
            page.locator(selector).first.inner_text()
            for selector in (
                "header",
                "#quick-exit",
                ".emergency-strip",
                ".hotlines",
                "footer",
            )
        )
        assert giveaways(chrome) == []
        assert giveaways(page.locator("h1").first.inner_text()) == []
        assert "3919" in chrome  # the numbers stay
        assert _no_horizontal_scroll(page)
        _shot(page, f"discreet-{name}-{width}")
