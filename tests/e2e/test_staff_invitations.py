"""A representative invites staff in real Chromium: the page never says who is a member."""

import pytest
from playwright.sync_api import expect

from sorority.accounts.models import User
from sorority.accounts.tests.factories import PASSWORD, UserFactory
from sorority.associations.tests.factories import approved_association_with_staff
from tests.e2e.conftest import login

NEUTRAL = "Invitation enregistrée. Si cette adresse est celle d'une membre vérifiée"


@pytest.mark.django_db(transaction=True)
def test_inviting_a_member_and_nobody_looks_the_same(live_server, page):
    association, rep = approved_association_with_staff()
    member = UserFactory(display_name="Inès")
    applicant = UserFactory(status=User.Status.PENDING, display_name="Candidate")
    login(page, live_server, rep.email, PASSWORD)
    for address in (member.email, "nobody@example.org", applicant.email):
        page.goto(f"{live_server.url}/associations/{association.pk}/")
        page.fill("input[name=member]", address)
        page.click("form[action$='/staff/invite/'] button[type=submit]")
        expect(page.locator("body")).to_contain_text(NEUTRAL)
    table = page.locator("table", has=page.locator("text=Numéro de membre ou e-mail"))
    expect(table.locator("tbody tr")).to_have_count(3)
    body = page.locator("main").inner_text()
    assert "Inès" not in body
    assert "Candidate" not in body
    # Withdrawing one leaves two rows.
    table.locator("tbody tr").first.locator("button").click()
    expect(page.locator("body")).to_contain_text("Invitation retirée.")
    expect(table.locator("tbody tr")).to_have_count(2)
