from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "sorority.verification"
    label = "verification"
    verbose_name = _("Verification")

    def ready(self) -> None:
        from sorority.accounts import status_panels
        from sorority.core.access import Access
        from sorority.core.navigation import NavItem, register_nav
        from sorority.core.personal_data import PersonalData, register
        from sorority.verification import personal_data, views

        status_panels.register("verification", views.next_step_panel)
        status_panels.register("verification_wait", views.expected_wait_panel)

        register_nav(
            NavItem(
                label=_("Verifications"),
                url_name="verification:moderation_queue",
                rule=Access.MODERATOR,
                order=80,
                badge=personal_data.queue_badge,
            )
        )
        register_nav(
            NavItem(
                label=_("Vouch for a person"),
                url_name="verification:attestation",
                rule=Access.ASSOCIATION_STAFF,
                order=85,
            )
        )
        register(
            PersonalData(
                app_label="verification",
                models=(
                    "verification.VerificationChallenge",
                    "verification.VerificationRequest",
                    "verification.EvidenceDocument",
                    "verification.DeletionReceipt",
                    "verification.AttestationCode",
                    # Ban entries hold tags only; the moderators who proposed or approved
                    # them are referenced, and unlinked (SET_NULL) when they leave.
                    "verification.BanEntry",
                    # A moderator's own work: her decisions (for the queue statistics)
                    # and the cases she said she knows; unlinked or deleted on erasure.
                    "verification.ReviewRecord",
                    "verification.Recusal",
                ),
                export=personal_data.export_for,
                erase=personal_data.erase_for,
                order=20,
            )
        )
