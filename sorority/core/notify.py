"""Neutral e-mail notifications (docs/security.md: neutral notifications, discreet mode).

Notifications never carry content, names or the platform's purpose: an abuser may read
her mailbox or lock screen. In discreet mode the sender, subject and body are neutral
too. Every e-mail the platform sends goes out through `neutral_envelope`, so the
sender and the message id never name the platform for a discreet person.
"""

from email.utils import make_msgid, parseaddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
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


def notification_message(
    *, email: str, discreet: bool, subject: str, body: str, link_path: str = ""
) -> EmailMessage:
    """The neutral notice to `email` (see `send_notification`), not yet sent."""
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
        to=[email],
    )
    return neutral_envelope(message, neutral=discreet)


def send_notification(
    *, user: "User", subject: str, body: str, link_path: str = ""
) -> None:
    """E-mail a short neutral notice to a person, in discreet form if she chose it.

    `subject` and `body` must already be neutral (no names, no message content). In
    discreet mode both are replaced by a generic notice and the neutral sender is used.
    Sends now: services call `notify_later` instead, so that the worker sends it.
    """
    message = notification_message(
        email=user.email,
        discreet=bool(user.discreet_mode),
        subject=subject,
        body=body,
        link_path=link_path,
    )
    _send_counted(message)


def notify_later(
    *, user: "User | int", subject: str, body: str, link_path: str = ""
) -> None:
    """Queue a neutral notice, sent by the worker once the transaction has committed.

    Only her id travels: the worker reads her address and discreet mode when it
    sends, so a notice to someone erased in between is dropped.
    """
    from sorority.core import tasks
    from sorority.core.tasking import enqueue_with_transaction

    enqueue_with_transaction(
        tasks.send_notice,
        user_id=user if isinstance(user, int) else user.pk,
        subject=str(subject),
        body=str(body),
        link_path=link_path,
    )


def notice_send(*, user_id: int, subject: str, body: str, link_path: str = "") -> bool:
    """Send a queued notice to the person `user_id`, if she still exists."""
    from sorority.accounts.models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    send_notification(user=user, subject=subject, body=body, link_path=link_path)
    return True


def mail_later(message: EmailMessage, *, after_commit: bool = True) -> None:
    """Queue an already built e-mail (its row is deleted once the worker sent it).

    For messages that cannot wait for an id: an account e-mail rendered by allauth,
    the notice to a person who no longer exists. With `after_commit=False` it is
    queued at once (allauth decided to send it, whatever its caller's transaction).
    """
    from sorority.core import tasks
    from sorority.core.tasking import enqueue_with_transaction

    data = _message_data(message)
    if after_commit:
        enqueue_with_transaction(tasks.send_message, message=data)
    else:
        tasks.send_message.enqueue(message=data)


def _message_data(message: EmailMessage) -> dict:
    alternatives = [
        [str(content), mimetype]
        for content, mimetype in getattr(message, "alternatives", [])
    ]
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "headers": dict(message.extra_headers),
        "alternatives": alternatives,
        "content_subtype": message.content_subtype,
    }


def message_send(data: dict) -> None:
    """Send a message queued by `mail_later`."""
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        headers=data["headers"],
    )
    message.content_subtype = data.get("content_subtype", "plain")
    for content, mimetype in data.get("alternatives", []):
        message.attach_alternative(content, mimetype)
    _send_counted(message)


def _send_counted(message: EmailMessage) -> None:
    """Send, counting the outcome for the metrics endpoint (no label says who)."""
    from sorority.core import metrics

    try:
        message.send()
    except Exception:
        metrics.notification_outcome("failed")
        raise
    metrics.notification_outcome("sent")
