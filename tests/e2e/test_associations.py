"""A referent's day in real Chromium: open a case, check safety, search hosts around
Lyon, contact ten, one accepts (from her own browser), place, log a check-in, rehouse.
"""

import re

import pytest
from playwright.sync_api import expect

from sorority.accounts.tests.factories import PASSWORD, UserFactory
from sorority.associations.models import Case, HostRequest
from sorority.associations.tests.factories import approved_association_with_staff
from sorority.places.tests.factories import located_member
from tests.e2e.conftest import login

ROOM = {"type": "room", "adults": 2, "children": 2, "animals": ["cat"], "max_nights": 7,
        "availability": "now"}


@pytest.mark.django_db(transaction=True)
def test_a_referents_day(live_server, browser, page):
    _association, referent = approved_association_with_staff()
    hosts = [
        located_member("69123", safe_place=ROOM, user=UserFactory(display_name=f"Hôte {i:02d}"))
        for i in range(12)
    ]

    login(page, live_server, referent.email, PASSWORD)
    page.goto(f"{live_server.url}/associations/cases/new/")
    page.fill("input[name=label]", "Rose")
    page.fill("input[name=children_ages]", "6")
    page.check("input[name=animals][value=cat]")
    page.fill("input[name=nights]", "3")
    page.fill("input[name=target_commune]", "69123")
    page.click("form button[type=submit].primary")
    expect(page.locator("h1")).to_contain_text("Rose")
    case = Case.objects.get(label="Rose")

    # Safety first: the search is refused until she was asked.
    page.check("input[name=threatened][value=no]")
    page.click("#safety-title ~ form button[type=submit]")
    expect(page.locator("#safety-title ~ p").first).to_contain_text("Réponse : non")

    page.click("#search-hosts")
    boxes = page.locator("input[name=host_ids]")
    expect(boxes).to_have_count(12)
    for i in range(10):
        boxes.nth(i).check()
    page.click("form button[type=submit].primary")
    expect(page.locator("#requests tbody tr")).to_have_count(10)
    assert case.requests.count() == 10

    # One host accepts from her own browser.
    chosen = HostRequest.objects.filter(case=case).order_by("pk")[3]
    host_context = browser.new_context(locale="fr-FR")
    host_page = host_context.new_page()
    login(host_page, live_server, chosen.host.email, PASSWORD)
    host_page.goto(f"{live_server.url}/associations/requests/{chosen.pk}/")
    expect(host_page.locator("pre.preview")).to_contain_text("canapé, chambre, logement entier")
    host_page.click("button[value=accepted]")
    expect(host_page.locator("#request-status")).to_have_text("Accepté")

    page.reload()
    expect(page.locator("td.answer-accepted")).to_have_count(1)
    expect(page.locator("td.answer-need_met")).to_have_count(9)

    # Place her with that host.
    form = page.locator("form.placement-form")
    form.locator("input[name=starts_on]").fill("2030-01-10")
    form.locator("input[name=expected_end_on]").fill("2030-01-13")
    form.locator("button[type=submit]").click()
    expect(page.locator("h1 .status")).to_have_text("Hébergée")

    # The host sees her referent and checks in.
    host_page.goto(f"{live_server.url}/associations/")
    host_page.click("a[href^='/associations/hosting/']")
    expect(host_page.locator("#referent-title ~ p").first).to_contain_text(referent.display_name)

    # The referent logs a check-in with the host.
    check_in = page.locator("form.check-in").first
    check_in.locator("input[value=fine]").check()
    check_in.locator("button[type=submit]").click()
    expect(page.locator("li.follow-up-done")).to_have_count(1)

    # End the placement and rehouse: the previous hosts are left out of the search.
    page.check("input[name=rehouse]")
    page.click("button.danger")
    expect(page.locator("h1 .status")).to_have_text("En recherche")
    page.click("#search-hosts")
    expect(page.locator("input[name=host_ids]")).to_have_count(2)
    page.locator("input[name=host_ids]").first.check()
    page.click("form button[type=submit].primary")
    expect(page.locator("#requests tbody tr")).to_have_count(11)
    expect(page.locator("#timeline")).to_contain_text(re.compile("Hébergement terminé"))
    assert case.requests.filter(batch=2).count() == 1
    assert {h.pk for h in hosts} >= set(case.requests.values_list("host_id", flat=True))
    host_context.close()
