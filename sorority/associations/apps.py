from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssociationsConfig(AppConfig):
    name = "sorority.associations"
    label = "associations"
    verbose_name = _("Associations and cases")

    def ready(self) -> None:
        from sorority.associations import personal_data
        from sorority.core.access import Access
        from sorority.core.navigation import NavItem, register_nav

        register_nav(
            NavItem(
                label=_("Cases"),
                url_name="associations:case_list",
                rule=Access.ASSOCIATION_STAFF,
                order=60,
            )
        )
        register_nav(
            NavItem(
                label=_("Associations"),
                url_name="associations:home",
                rule=Access.MEMBER,
                order=70,
            )
        )
        personal_data.register_personal_data()
