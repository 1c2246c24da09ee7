"""French by default, English one click away, catalogues complete."""

from pathlib import Path

import polib
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
FRENCH_CATALOGUES = sorted(ROOT.rglob("locale/fr/LC_MESSAGES/django.po"))


def test_there_is_a_french_catalogue():
    assert FRENCH_CATALOGUES


@pytest.mark.parametrize("path", FRENCH_CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_french_catalogue_is_complete(path):
    po = polib.pofile(str(path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


def test_pages_are_in_french_by_default(client):
    body = client.get(reverse("core:landing")).content.decode()
    assert 'lang="fr"' in body
    assert "Sortie rapide" in body
    assert "Rejoindre la communauté" in body


def test_switching_to_english_is_one_post_away(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("core:landing")}
    )
    assert response.status_code == 302
    body = client.get(reverse("core:landing")).content.decode()
    assert 'lang="en"' in body
    assert "Quick exit" in body
    assert "Join the community" in body


def test_emergency_numbers_and_partner_hotlines_are_on_every_public_page(client):
    for name in ("core:landing", "core:before_signup", "account_login", "account_signup"):
        body = client.get(reverse(name)).content.decode()
        for number in ("17", "112", "114", "3919", "115", "06 60 58 96 05", "09 77 42 59 20"):
            assert f">{number}<" in body or f"> {number}<" in body or f"SMS {number}" in body, (name, number)


def test_an_english_browser_still_gets_french_pages_until_she_switches(client):
    body = client.get(reverse("core:landing"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="fr"' in body
