from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "sorority.places"
    label = "places"
    verbose_name = _("Places and offers")

    def ready(self) -> None:
        from sorority.core import account_state
        from sorority.core.access import Access
        from sorority.core.homepage import Section, register_section
        from sorority.core.navigation import NavItem, register_nav
        from sorority.core.personal_data import PersonalData, register
        from sorority.places import account_hooks, community, personal_data

        account_state.register("places.reindex", account_hooks.account_state_changed)

        register_nav(
            NavItem(
                label=_("Find help"),
                url_name="places:search_support",
                rule=Access.MEMBER,
                order=20,
            )
        )
        register_nav(
            NavItem(
                label=_("Safe place"),
                plain_label=_("Housing"),
                url_name="places:search_safe_place",
                rule=Access.MEMBER,
                order=21,
            )
        )
        register_nav(
            NavItem(label=_("Map"), url_name="places:map", rule=Access.MEMBER, order=22)
        )
        register_nav(
            NavItem(
                label=_("My profile"),
                url_name="places:profile",
                rule=Access.MEMBER,
                order=23,
            )
        )
        register_section(
            Section(
                template="places/community_section.html",
                context=community.landing_context,
                order=40,
                public=True,
                member=False,
            )
        )
        register(
            PersonalData(
                app_label="places",
                models=personal_data.MODELS,
                export=personal_data.export_for,
                erase=personal_data.erase_for,
            )
        )
