"""Her data in a real browser: discreet switch, export, a service worker that keeps
no personal page, and erasure with her password."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from sorority.accounts.models import User
from sorority.accounts.tests.factories import PASSWORD, UserFactory
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _accounts_registered(monkeypatch):
    """Until `AccountsConfig.ready()` registers the accounts app's personal data."""
    from sorority.core import personal_data

    if "accounts" not in personal_data._registry:
        from sorority.accounts.personal_data import ENTRY

        monkeypatch.setitem(personal_data._registry, "accounts", ENTRY)


PASSWORD_LABEL = "Votre mot de passe, pour confirmer que c\u2019est bien vous"


def _signed_in(page, live_server, **fields) -> User:
    user = UserFactory(**fields)
    login(page, live_server, user.email, PASSWORD)
    page.wait_for_url("**/home/")
    return user


def test_one_tap_discreet_mode_changes_the_title_and_icon(page, live_server):
    _signed_in(page, live_server)
    page.goto(f"{live_server.url}/privacy/")
    assert "Sorority" in page.title()
    page.get_by_role("button", name="Activer le mode discret").click()
    expect(page.get_by_role("button", name="Désactiver le mode discret")).to_be_visible()
    assert "Sorority" not in page.title()
    assert "neutral" in page.locator("link[rel=icon]").get_attribute("href")
    manifest = page.request.get(f"{live_server.url}/manifest.webmanifest").json()
    assert manifest["name"] != "Sorority"


def test_export_downloads_a_neutral_json_file(page, live_server):
    user = _signed_in(page, live_server, display_name="Exportée")
    page.goto(f"{live_server.url}/privacy/export/")
    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger (fichier JSON)").click()
    download = info.value
    assert "sorority" not in download.suggested_filename.lower()
    document = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert document["data"]["accounts"]["account"]["email"] == user.email
    page.goto(f"{live_server.url}/privacy/export/view/")
    expect(page.locator("main")).to_contain_text("Exportée")


def test_service_worker_caches_only_static_files_and_the_offline_page(page, live_server):
    _signed_in(page, live_server)
    page.goto(f"{live_server.url}/privacy/")
    cached = page.evaluate(
        """async () => {
            const reg = await navigator.serviceWorker.register("/sw.js", {scope: "/"});
            await navigator.serviceWorker.ready;
            const names = await caches.keys();
            const urls = [];
            for (const name of names) {
                const cache = await caches.open(name);
                for (const request of await cache.keys()) {
                    urls.push(new URL(request.url).pathname);
                }
            }
            return urls;
        }"""
    )
    assert "/offline/" in cached
    assert all(url == "/offline/" or url.startswith("/static/") for url in cached), cached
    # Browse personal pages under the worker: still nothing personal in the cache.
    page.goto(f"{live_server.url}/privacy/export/view/")
    page.goto(f"{live_server.url}/home/")
    after = page.evaluate(
        """async () => {
            const urls = [];
            for (const name of await caches.keys()) {
                for (const r of await (await caches.open(name)).keys()) {
                    urls.push(new URL(r.url).pathname);
                }
            }
            return urls;
        }"""
    )
    assert all(url == "/offline/" or url.startswith("/static/") for url in after), after


def test_she_deletes_her_account_with_her_password(page, live_server):
    user = _signed_in(page, live_server)
    page.goto(f"{live_server.url}/privacy/delete/")
    page.get_by_label(PASSWORD_LABEL).fill(
        "wrong-password-123"
    )
    page.get_by_label("Je comprends que mon compte").check()
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    expect(page.locator("main")).to_contain_text("Ce mot de passe n\u2019est pas correct")
    assert User.objects.filter(pk=user.pk).exists()
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_label("Je comprends que mon compte").check()
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    expect(page.locator("h1")).to_have_text("Votre compte est supprimé")
    assert not User.objects.filter(pk=user.pk).exists()
    page.goto(f"{live_server.url}/privacy/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/privacy/")
