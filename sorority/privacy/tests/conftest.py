"""Fixtures of the privacy tests."""

import pytest

from sorority.core import personal_data


@pytest.fixture(autouse=True)
def _accounts_registered(monkeypatch):
    """Register the accounts app's personal data until its `ready()` does it itself.

    Restored after each test, and a no-op once `AccountsConfig.ready()` registers it
    (the export-completeness test reads the registry as it is at start-up).
    """
    if "accounts" not in personal_data._registry:
        from sorority.accounts.personal_data import ENTRY

        monkeypatch.setitem(personal_data._registry, "accounts", ENTRY)


@pytest.fixture
def flags_on(settings):
    settings.ABUSER_FLAGS_ENABLED = True
    return settings
