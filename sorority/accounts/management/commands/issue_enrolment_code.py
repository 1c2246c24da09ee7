"""Operators: `manage.py issue_enrolment_code EMAIL`.

A one-time code (valid 24 h, stored hashed) that lets the moderator sign-in session
that enters it add a second factor, for instance after she lost her only key. Any
earlier unused code of hers is withdrawn.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sorority.accounts.management.commands.grant_role import write_enrolment_code
from sorority.accounts.models import User
from sorority.accounts.policies import is_privileged


class Command(BaseCommand):
    help = "Issue a one-time code that lets a moderator add a second factor."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: object, email: str, **options: object) -> None:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError("No account with this e-mail address.")
        if not is_privileged(user):
            raise CommandError(
                "This account holds no moderator role: it adds factors without a code."
            )
        write_enrolment_code(self, user)
