from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "sorority.safety"
    label = "safety"

    def ready(self) -> None:
        from sorority.safety import signals  # noqa: F401
