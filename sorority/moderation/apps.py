from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "sorority.moderation"
    label = "moderation"
