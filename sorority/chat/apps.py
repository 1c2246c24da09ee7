from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "sorority.chat"
    label = "chat"
