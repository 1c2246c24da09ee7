from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "sorority.verification"
    label = "verification"
