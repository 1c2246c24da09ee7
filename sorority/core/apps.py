from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sorority.core"
    label = "core"
