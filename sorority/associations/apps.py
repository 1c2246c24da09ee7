from django.apps import AppConfig
from django.http import HttpRequest
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
                badge=_attention_badge,
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
        register_nav(
            NavItem(
                label=_("Associations to review"),
                url_name="associations:review_list",
                rule=Access.MODERATOR,
                order=75,
                badge=_pending_badge,
            )
        )
        personal_data.register_personal_data()


def _attention_badge(request: HttpRequest) -> int:
    from sorority.associations.selectors import attention_count

    return attention_count(request.user)


def _pending_badge(request: HttpRequest) -> int:
    from sorority.associations.models import Association

    return Association.objects.filter(status=Association.Status.PENDING).count()
