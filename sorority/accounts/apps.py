from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sorority.accounts"
    label = "accounts"
