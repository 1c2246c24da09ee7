"""Scheduled work of the chat: neutral e-mails about messages waiting unread."""

from sorority.chat.services import notify_unread
from sorority.core.scheduler import Job

JOBS = [Job("chat.notify_unread", 300, notify_unread)]
