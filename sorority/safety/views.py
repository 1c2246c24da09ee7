from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sorority.core.access import Access, access


@access(Access.PUBLIC)
def safety_page(request: HttpRequest) -> HttpResponse:
    """Emergency numbers, hotlines and advice for using the site safely."""
    return render(request, "safety/safety.html")
