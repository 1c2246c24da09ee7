"""Background tasks of the chat: neutral e-mails about messages waiting unread."""

from sorority.core.tasking import background


@background()
def notify_unread() -> int:
    from sorority.chat.services import notify_unread

    return notify_unread()
