from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Router, Schema

from sorority.core.access import Access
from sorority.core.api import api_access
from sorority.safety.selectors import hotline_list

API_PREFIX = "safety"
router = Router(tags=["safety"])


class HotlineOut(Schema):
    name: str
    number: str
    channel: str
    link: str
    description: str
    emergency: bool


@router.get("/hotlines", response=list[HotlineOut], auth=api_access(Access.PUBLIC))
def hotlines(request: HttpRequest) -> list[dict]:
    """Emergency numbers and partner hotlines (public)."""
    language = get_language() or "fr"
    return [
        {
            "name": h.name,
            "number": h.number,
            "channel": h.channel,
            "link": h.tel,
            "description": h.description(language),
            "emergency": h.emergency,
        }
        for h in hotline_list()
    ]
