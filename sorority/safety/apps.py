from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "sorority.safety"
    label = "safety"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from sorority.core.access import Access
        from sorority.core.navigation import NavItem, register_nav
        from sorority.safety import signals  # noqa: F401

        register_nav(
            NavItem(label=_("Hotlines"), url_name="safety:directory", rule=Access.MODERATOR, order=90)
        )
