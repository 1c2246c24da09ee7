"""Neutral e-mail notifications (SECURITY.md 35, 38).

Notifications never carry content, names or the platform's purpose: an abuser may read
her mailbox or lock screen. In discreet mode the sender and subject are neutral too.
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from sorority.accounts.models import User


def send_notification(*, user: "User", subject: str, body: str, link_path: str = "") -> None:
    """E-mail a short neutral notice to a person, in discreet form if she chose it.

    `subject` and `body` must already be neutral (no names, no message content). In
    discreet mode both are replaced by a generic notice and the neutral sender is used.
    """
    with translation.override("fr"):
        if user.discreet_mode:
            subject = _("You have a new notification")
            body = _("Something new is waiting for you. Sign in to see it.")
            sender = settings.DISCREET_FROM_EMAIL
        else:
            sender = settings.DEFAULT_FROM_EMAIL
    if link_path:
        body = f"{body}\n\n{link_path}"
    EmailMessage(subject=subject, body=body, from_email=sender, to=[user.email]).send()
