from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sorority.accounts"
    label = "accounts"

    def ready(self) -> None:
        from sorority.accounts.personal_data import ENTRY
        from sorority.core.personal_data import register

        register(ENTRY)
