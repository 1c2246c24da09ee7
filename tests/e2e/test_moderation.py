"""Browser journey: a moderator acts on reports from the report page."""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from playwright.sync_api import expect

from sorority.accounts.models import RoleAssignment, User
from sorority.accounts.tests.factories import PASSWORD, UserFactory
from sorority.moderation import services
from sorority.moderation.models import BanProposal, ModerationEvent, Report, Suspension
from tests.e2e.conftest import login
from tests.e2e.shots import shoot

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def moderator_signed_in(page, live_server, moderator: User) -> None:
    """Password, then the TOTP code: the session then carries a second factor."""
    login(page, live_server, moderator.email, PASSWORD)
    page.wait_for_url("**/2fa/**")
    page.fill(
        "input[name=code]",
        format_hotp_value(hotp_value(SECRET, int(time.time()) // 30)),
    )
    page.press("input[name=code]", "Enter")
    page.wait_for_url(lambda url: "/2fa/" not in url)


def apply(page, live_server, report: Report, label: str, **fields: str) -> None:
    page.goto(f"{live_server.url}/moderation/reports/{report.pk}/")
    page.get_by_label(label, exact=True).check()
    for name, value in fields.items():
        page.fill(f"#report-action [name={name}]", value)
    page.get_by_role("button", name="Appliquer").click()
    page.wait_for_url("**/moderation/reports/")
    expect(page.locator(".messages")).to_contain_text("C'est fait.")


@pytest.mark.django_db(transaction=True)
def test_a_moderator_applies_every_action_from_the_report_page(
    page, live_server, settings
):
    settings.MODERATOR_ALLOW_TOTP = True
    moderator = UserFactory(status=User.Status.MEMBER, display_name="Modo")
    RoleAssignment.objects.create(user=moderator, role=RoleAssignment.Role.MODERATOR)
    TOTP.activate(moderator, SECRET)
    reporter = UserFactory(status=User.Status.MEMBER)
    reports = [
        services.report_create(
            reporter=reporter,
            member_id=UserFactory(status=User.Status.MEMBER).pk,
            reason="harassment",
            details="d",
        )
        for _ in range(4)
    ]
    moderator_signed_in(page, live_server, moderator)

    # The action is a labelled radio group; "Appliquer" with nothing chosen says why.
    page.goto(f"{live_server.url}/moderation/reports/{reports[0].pk}/")
    radios = page.locator("#report-action input[type=radio][name=action]")
    expect(radios).to_have_count(4)
    for label in (
        "Classer sans suite",
        "Avertir",
        "Suspendre",
        "Proposer une exclusion",
    ):
        expect(page.get_by_label(label, exact=True)).to_be_visible()
    shoot(page, "report-detail")
    page.get_by_role("button", name="Appliquer").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Choisissez une mesure.")
    shoot(page, "report-detail-error")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Classer sans suite", exact=True)).to_be_focused()
    assert Report.objects.get(pk=reports[0].pk).status == "open"

    # A suspension with a number of days out of range is refused beside the field.
    page.get_by_label("Suspendre", exact=True).check()
    page.fill("#report-action [name=days]", "0")
    page.get_by_role("button", name="Appliquer").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#id_days-error")).to_be_visible()
    assert Report.objects.get(pk=reports[0].pk).status == "open"

    apply(page, live_server, reports[0], "Classer sans suite")
    assert Report.objects.get(pk=reports[0].pk).status == "dismissed"

    apply(page, live_server, reports[1], "Avertir", note="Premier avertissement")
    assert Report.objects.get(pk=reports[1].pk).status == "actioned"
    assert ModerationEvent.objects.filter(kind="warned", report=reports[1]).exists()

    apply(page, live_server, reports[2], "Suspendre", days="3")
    assert Report.objects.get(pk=reports[2].pk).status == "actioned"
    suspension = Suspension.objects.get(report=reports[2])
    assert (
        2.9 < (suspension.until - suspension.created_at).total_seconds() / 86400 < 3.1
    )
    assert not User.objects.get(pk=reports[2].reported_id).is_active

    apply(page, live_server, reports[3], "Proposer une exclusion")
    proposal = BanProposal.objects.get(report=reports[3])
    assert proposal.status == "proposed"
    assert proposal.proposed_by == moderator
