from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "sorority.privacy"
    label = "privacy"

    def ready(self) -> None:
        from sorority.core.access import Access
        from sorority.core.navigation import NavItem, register_nav
        from sorority.core.personal_data import register
        from sorority.privacy.personal_data import ENTRY

        register(ENTRY)
        register_nav(
            NavItem(
                label=_("My data"),
                url_name="privacy:index",
                rule=Access.SIGNED_IN,
                order=90,
            )
        )
