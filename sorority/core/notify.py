"""Neutral e-mail notifications (docs/security.md: neutral notifications, discreet mode).

Notifications never carry content, names or the platform's purpose: an abuser may read
her mailbox or lock screen. In discreet mode the sender, subject and body are neutral
too. Every e-mail the platform sends goes out through `neutral_envelope`, so the
sender and the message id never name the platform for a discreet person.
"""

from email.utils import make_msgid, parseaddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from sorority.accounts.models import User


def neutral_envelope(message: EmailMessage, *, neutral: bool) -> EmailMessage:
    """Give `message` the neutral sender (when `neutral`) and a message id of its domain.

    Django's default message id names the server's host, which may well say what
    the site is: it takes the domain of the sender instead.
    """
    if neutral:
        message.from_email = settings.DISCREET_FROM_EMAIL
    address = parseaddr(message.from_email or settings.DEFAULT_FROM_EMAIL)[1]
    domain = address.rpartition("@")[2] or "localhost"
    message.extra_headers["Message-ID"] = make_msgid(domain=domain)
    return message


def send_notification(
    *, user: "User", subject: str, body: str, link_path: str = ""
) -> None:
    """E-mail a short neutral notice to a person, in discreet form if she chose it.

    `subject` and `body` must already be neutral (no names, no message content). In
    discreet mode both are replaced by a generic notice and the neutral sender is used.
    """
    discreet = bool(user.discreet_mode)
    with translation.override("fr"):
        if discreet:
            subject = _("You have a new notification")
            body = _("Something new is waiting for you. Sign in to see it.")
    if link_path:
        body = f"{body}\n\n{link_path}"
    message = EmailMessage(
        subject=str(subject),
        body=str(body),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    from sorority.core import metrics

    try:
        neutral_envelope(message, neutral=discreet).send()
    except Exception:
        metrics.notification_outcome("failed")
        raise
    metrics.notification_outcome("sent")
