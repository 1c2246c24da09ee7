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
