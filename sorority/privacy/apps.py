from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "sorority.privacy"
    label = "privacy"
