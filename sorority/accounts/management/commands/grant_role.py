"""Operators: `manage.py grant_role EMAIL moderator|association_staff [--revoke]`."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sorority.accounts.models import RoleAssignment, User
from sorority.accounts.services import user_grant_role, user_revoke_role


class Command(BaseCommand):
    help = "Grant (or revoke) a role to the person with this e-mail address."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("role", choices=RoleAssignment.Role.values)
        parser.add_argument("--revoke", action="store_true")

    def handle(self, *args: object, email: str, role: str, revoke: bool, **options: object) -> None:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError("No account with this e-mail address.")
        if revoke:
            user_revoke_role(user=user, role=role)
            self.stdout.write(f"Role {role} revoked from account #{user.pk}.")
        else:
            user_grant_role(user=user, role=role)
            self.stdout.write(f"Role {role} granted to account #{user.pk}.")
