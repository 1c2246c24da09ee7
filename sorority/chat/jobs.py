"""Scheduled work of the chat: neutral e-mails about messages waiting unread."""

from sorority.chat import tasks
from sorority.core.scheduler import Job

JOBS = [Job("chat.notify_unread", 300, tasks.notify_unread)]
