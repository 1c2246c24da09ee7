from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sorority.safety.selectors import hotline_list


def hotlines(request: HttpRequest) -> dict:
    """The directory for every page; `plain_name` is its label in discreet mode.

    Numbers stay (she may need them); names such as "Violences Femmes Info" say what
    the site is for, so discreet mode shows a neutral label instead.
    """
    language = get_language() or "fr"
    return {
        "hotlines": [
            {
                "h": h,
                "description": h.description(language),
                "plain_name": _("Emergency number") if h.emergency else _("Helpline"),
            }
            for h in hotline_list()
        ]
    }
