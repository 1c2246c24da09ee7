"""Forms of the chat pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sorority.chat.models import MESSAGE_MAX_LENGTH


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StartForm(forms.Form):
    """The guided first message: what, in which situation, and when."""

    subject = forms.CharField(
        label=_("What is it about?"),
        max_length=200,
        help_text=_("For example: someone to listen, going with me to an appointment."),
    )
    context = forms.CharField(
        label=_("Your situation, in a few words"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Share only what you are comfortable sharing."),
    )
    availability = forms.CharField(
        label=_("When are you available?"),
        max_length=300,
        required=False,
    )

    def first_message(self) -> str:
        data = self.cleaned_data
        parts = [str(_("Subject: %(subject)s") % {"subject": data["subject"]})]
        if data.get("context"):
            parts.append(str(_("Context: %(context)s") % {"context": data["context"]}))
        if data.get("availability"):
            parts.append(
                str(_("Availability: %(when)s") % {"when": data["availability"]})
            )
        return "\n".join(parts)


class ChatSettingsForm(forms.Form):
    accept_several = forms.BooleanField(
        label=_("Accept requests sent to several hosts at once"), required=False
    )
    email_unread = forms.BooleanField(
        label=_("E-mail me (without any name or content) when a message waits unread"),
        required=False,
    )
