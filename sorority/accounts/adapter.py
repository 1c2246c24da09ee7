"""allauth hooks: pseudonym on sign-up, neutral e-mails."""

from allauth.account.adapter import DefaultAccountAdapter
from django.forms import Form
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sorority.accounts.models import User
from sorority.core import account_state
from sorority.core.account_state import Reason
from sorority.core.validators import clean_display_name

# E-mails that anyone can trigger for any address, by flow: each pair (account or
# not) shares one subject, and all of them the neutral sender.
_RESET = _("Password reset")
_CONFIRM = _("Confirm your e-mail address")
ANYONE_CAN_TRIGGER = {
    "account/email/password_reset_key": _RESET,
    "account/email/password_reset_code": _RESET,
    "account/email/unknown_account": _RESET,
    "account/email/email_confirmation_signup": _CONFIRM,
    "account/email/email_confirmation": _CONFIRM,
    "account/email/account_already_exists": _CONFIRM,
    "account/email/login_code": _("Your sign-in code"),
}


class AccountAdapter(DefaultAccountAdapter):
    def save_user(
        self, request: HttpRequest, user: User, form: Form, commit: bool = True
    ) -> User:
        # The sign-up form (browser, headless browser and app) already ran this
        # same rule; running it here too keeps the account's door the authority.
        user.display_name = clean_display_name(
            form.cleaned_data.get("display_name", "")
        )
        return super().save_user(request, user, form, commit=commit)

    def format_email_subject(self, subject: str) -> str:
        # Neutral subjects: no platform name, nothing an abuser could read into.
        return str(subject)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Send an account e-mail with a neutral sender and subject where it matters.

        Anyone can make the platform write to an address (a password reset, a sign-up
        with it): those e-mails carry the same subject and sender whether an account
        exists and whether she chose discreet mode, so that someone reading her
        mailbox learns neither. Her other account e-mails are neutral in discreet mode.
        """
        from sorority.core.notify import mail_later, neutral_envelope

        msg = self.render_mail(template_prefix, email, context)
        flow_subject = ANYONE_CAN_TRIGGER.get(template_prefix)
        if flow_subject is not None:
            msg.subject = str(flow_subject)
            neutral_envelope(msg, neutral=True)
        else:
            user = context.get("user")
            discreet = bool(getattr(user, "discreet_mode", False)) or (
                User.objects.filter(email__iexact=email, discreet_mode=True).exists()
            )
            if discreet:
                msg.subject = str(_("About your account"))
            neutral_envelope(msg, neutral=discreet)
        # Sent by the worker: the answer never waits for (or depends on) the mail
        # server, and takes as long for an address with an account as without.
        mail_later(msg, after_commit=False)


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
