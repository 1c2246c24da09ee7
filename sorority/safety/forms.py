from django import forms
from django.utils.translation import gettext_lazy as _

from sorority.safety.models import Hotline

HotlineFormSet = forms.modelformset_factory(
    Hotline,
    fields=["name", "number", "channel", "description_fr", "description_en", "emergency", "position", "active"],
    extra=1,
    can_delete=False,
    labels={
        "name": _("Name"),
        "number": _("Number"),
        "channel": _("Channel"),
        "description_fr": _("Description (French)"),
        "description_en": _("Description (English)"),
        "emergency": _("Emergency number (shown in the top strip)"),
        "position": _("Position"),
        "active": _("Shown"),
    },
)
