from django.http import HttpRequest
from django.utils.translation import get_language

from sorority.safety.selectors import hotline_list


def hotlines(request: HttpRequest) -> dict:
    language = get_language() or "fr"
    return {
        "hotlines": [
            {"h": h, "description": h.description(language)} for h in hotline_list()
        ]
    }
