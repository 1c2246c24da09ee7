"""allauth hooks: pseudonym on sign-up, neutral e-mails."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.forms import Form
from django.http import HttpRequest

from sorority.accounts.models import User
from sorority.core import account_state
from sorority.core.account_state import Reason


class AccountAdapter(DefaultAccountAdapter):
    def save_user(
        self, request: HttpRequest, user: User, form: Form, commit: bool = True
    ) -> User:
        user.display_name = form.cleaned_data.get("display_name", "")
        return super().save_user(request, user, form, commit=commit)

    def format_email_subject(self, subject: str) -> str:
        # Neutral subjects: no platform name, nothing an abuser could read into.
        return str(subject)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        user = context.get("user")
        discreet = (
            getattr(user, "discreet_mode", False)
            or User.objects.filter(email__iexact=email, discreet_mode=True).exists()
        )
        context = {**context, "discreet": discreet}
        msg = self.render_mail(template_prefix, email, context)
        if discreet:
            msg.from_email = settings.DISCREET_FROM_EMAIL
        msg.send()


def user_display(user: User) -> str:
    """How allauth names a person in its messages: her pseudonym, nothing else."""
    return user.display_name


def password_changed(sender: type, user: User, **kwargs: object) -> None:
    """allauth's password changed, set or reset (web and app), her session updated.

    Connected in `CoreConfig.ready()` to `password_changed`, `password_set` and
    `password_reset`, which allauth sends once the current session carries the new
    authentication hash (its key rotated): her other sessions no longer match, and
    the account-state hook makes their open sockets check again and close
    (docs/security.md).
    """
    account_state.changed(user_id=user.pk, reason=Reason.PASSWORD)
