from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "sorority.moderation"
    label = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        from sorority.chat.personal_data import register_message_keeper
        from sorority.core.access import Access
        from sorority.core.navigation import NavItem, register_nav
        from sorority.core.personal_data import PersonalData, register
        from sorority.moderation.personal_data import (
            erase_for,
            export_for,
            messages_under_open_report,
        )

        register(
            PersonalData(
                app_label="moderation",
                models=(
                    "moderation.Report",
                    "moderation.Suspension",
                    "moderation.BanProposal",
                    "moderation.ModerationEvent",
                ),
                export=export_for,
                erase=erase_for,
                order=40,
            )
        )
        register_message_keeper(messages_under_open_report)
        register_nav(
            NavItem(
                label=_("Reports"),
                url_name="moderation:reports",
                rule=Access.MODERATOR,
                order=80,
                badge=_open_reports,
            )
        )


def _open_reports(request: object) -> int:
    from sorority.moderation.models import Report

    return Report.objects.filter(status=Report.Status.OPEN).count()
