"""Demo accounts: one per role and state, with fixed demo-only credentials."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from sorority.accounts.models import RoleAssignment, User
from sorority.accounts.policies import for_operator_task
from sorority.accounts.services import user_grant_role, user_set_status
from sorority.core.demo import DemoContext

# Base32 secret of the demo moderator's authenticator app (demo only).
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - demo only

ACCOUNTS = [
    # role, e-mail, display name, password, status, extra role
    ("applicant_pending", "pending@demo.sorority.local", "Camille", "demo-pending-2026", User.Status.PENDING, None),
    ("applicant_refused", "refused@demo.sorority.local", "Dominique", "demo-refused-2026", User.Status.REFUSED, None),
    ("member", "member@demo.sorority.local", "Aïcha", "demo-member-2026", User.Status.MEMBER, None),
    ("association_staff", "staff@demo.sorority.local", "Nadia (asso)", "demo-staff-2026", User.Status.MEMBER, RoleAssignment.Role.ASSOCIATION_STAFF),
    ("moderator", "moderator@demo.sorority.local", "Modératrice Inès", "demo-moderator-2026", User.Status.MEMBER, RoleAssignment.Role.MODERATOR),
]


def seed(ctx: DemoContext) -> None:
    for role, email, name, password, status, extra_role in ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, password, display_name=name)
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        user_set_status(user=user, status=status)
        if extra_role:
            user_grant_role(user=user, role=extra_role)
        login = {"role": role, "email": email, "password": password}
        if role == "moderator":
            if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                TOTP.activate(user, DEMO_TOTP_SECRET)
            login["totp_secret"] = DEMO_TOTP_SECRET
            # Later seeders act as her (approving the demo association): an operator task.
            for_operator_task(user)
        ctx.people[role] = user
        ctx.logins.append(login)
