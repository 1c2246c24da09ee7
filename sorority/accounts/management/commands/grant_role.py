"""Operators: `manage.py grant_role EMAIL moderator|association_staff [--revoke]`.

Granting `moderator` to an account without an accepted second factor says so and
prints a one-time enrolment code (valid 24 h): her password alone cannot add a
factor to a moderator account, and she has no moderator power until she signs in
with one (docs/security.md, "Moderator powers").
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sorority.accounts.models import RoleAssignment, User
from sorority.accounts.policies import has_second_factor
from sorority.accounts.services import (
    enrolment_code_issue,
    user_grant_role,
    user_revoke_role,
)


class Command(BaseCommand):
    help = "Grant (or revoke) a role to the person with this e-mail address."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("role", choices=RoleAssignment.Role.values)
        parser.add_argument("--revoke", action="store_true")

    def handle(
        self, *args: object, email: str, role: str, revoke: bool, **options: object
    ) -> None:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError("No account with this e-mail address.")
        if revoke:
            user_revoke_role(user=user, role=role)
            self.stdout.write(f"Role {role} revoked from account #{user.pk}.")
            return
        user_grant_role(user=user, role=role)
        self.stdout.write(f"Role {role} granted to account #{user.pk}.")
        if role == RoleAssignment.Role.MODERATOR and not has_second_factor(user):
            write_enrolment_code(self, user)


def write_enrolment_code(command: BaseCommand, user: User) -> None:
    """Print a fresh enrolment code, warning first if she has no accepted factor."""
    code = enrolment_code_issue(user=user)
    if not has_second_factor(user):
        command.stderr.write(
            command.style.WARNING(
                f"Warning: account #{user.pk} has no accepted second factor. Until "
                "she signs in with one she has no moderator power, and her password "
                "alone cannot add one."
            )
        )
    command.stdout.write(
        f"One-time enrolment code (valid 24 h, shown once): {code}\n"
        "Give it to her in person or by another channel than her e-mail. She enters "
        "it on the second-factor page (/me/second-factor/) after signing in, then "
        "adds a security key or passkey."
    )
