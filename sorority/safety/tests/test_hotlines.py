import pytest
from django.urls import reverse

from sorority.safety.models import Hotline

pytestmark = pytest.mark.django_db


def test_the_directory_is_seeded_with_the_emergency_numbers_and_partners():
    numbers = set(Hotline.objects.values_list("number", flat=True))
    assert {"17", "112", "114", "3919", "115", "06 60 58 96 05", "09 77 42 59 20"} <= numbers
    assert Hotline.objects.get(number="114").tel == "sms:114"


def test_an_edited_hotline_shows_on_the_next_page(client):
    client.get(reverse("core:landing"))  # fills the cache
    hotline = Hotline.objects.get(number="3919")
    hotline.description_fr = "Écoute nationale, nouveau texte"
    hotline.save()
    assert "Écoute nationale, nouveau texte" in client.get(reverse("core:landing")).content.decode()


def test_an_inactive_hotline_disappears(client):
    Hotline.objects.filter(number="115").update(active=False)
    from django.core.cache import cache

    cache.clear()
    body = client.get(reverse("safety:page")).content.decode()
    assert "tel:115" not in body


def test_hotlines_api_is_public_and_localised(client):
    response = client.get("/api/v1/safety/hotlines", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    by_number = {h["number"]: h for h in response.json()}
    assert by_number["114"]["channel"] == "sms"
    assert by_number["17"]["emergency"] is True


def _management(count: int) -> dict:
    return {"form-TOTAL_FORMS": str(count), "form-INITIAL_FORMS": str(count), "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000"}


def test_a_moderator_edits_the_directory(moderator_client):
    hotlines = list(Hotline.objects.all())
    data = _management(len(hotlines))
    for i, h in enumerate(hotlines):
        data |= {
            f"form-{i}-id": str(h.pk), f"form-{i}-name": h.name, f"form-{i}-number": h.number,
            f"form-{i}-channel": h.channel, f"form-{i}-description_fr": h.description_fr,
            f"form-{i}-description_en": h.description_en, f"form-{i}-position": str(h.position),
            f"form-{i}-active": "on",
        }
        if h.emergency:
            data[f"form-{i}-emergency"] = "on"
    data["form-0-description_fr"] = "Police, nouveau libellé"
    response = moderator_client.post(reverse("safety:directory"), data)
    assert response.status_code == 302
    assert Hotline.objects.get(number="17").description_fr == "Police, nouveau libellé"


@pytest.mark.parametrize("who", ["anonymous", "applicant", "member", "staff", "moderator_without_2fa"])
def test_only_a_moderator_with_a_second_factor_edits_the_directory(client, who, applicant, member, staff_member, moderator):
    from conftest import sign_in

    user = {"applicant": applicant, "member": member, "staff": staff_member, "moderator_without_2fa": moderator}.get(who)
    if user:
        sign_in(client, user)
    response = client.get(reverse("safety:directory"))
    assert response.status_code in (302, 403)
    if who == "moderator_without_2fa":
        assert response["Location"] == reverse("accounts:second_factor")
