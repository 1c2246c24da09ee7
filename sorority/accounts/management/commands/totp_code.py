"""`manage.py totp_code SECRET`: the current TOTP code for a base32 secret.

For the demo moderator (its secret is printed by `make run`), so that the demo can be
tried without an authenticator app.
"""

import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Print the current TOTP code of a base32 secret (demo use)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("secret")

    def handle(self, *args: object, secret: str, **options: object) -> None:
        counter = int(time.time()) // app_settings.TOTP_PERIOD
        self.stdout.write(format_hotp_value(hotp_value(secret, counter)))
