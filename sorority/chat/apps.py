from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "sorority.chat"
    label = "chat"
    verbose_name = _("Messages")

    def ready(self) -> None:
        from sorority.chat.personal_data import erase_for, export_for
        from sorority.core.access import Access
        from sorority.core.navigation import NavItem, register_nav
        from sorority.core.personal_data import PersonalData, register

        register(
            PersonalData(
                app_label="chat",
                models=(
                    "chat.Conversation",
                    "chat.Participant",
                    "chat.Message",
                    "chat.ConversationEvent",
                    "chat.ChatSettings",
                ),
                export=export_for,
                erase=erase_for,
            )
        )
        register_nav(
            NavItem(
                label=_("Messages"),
                url_name="chat:list",
                rule=Access.MEMBER,
                order=40,
                badge=_unread_badge,
            )
        )


def _unread_badge(request: object) -> int:
    from sorority.chat.selectors import unread_total

    return unread_total(request.user)  # type: ignore[attr-defined]
