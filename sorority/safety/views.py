from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sorority.core.access import Access, access
from sorority.safety.forms import HotlineFormSet
from sorority.safety.models import Hotline
from sorority.safety.services import hotlines_update


@access(Access.PUBLIC)
def safety_page(request: HttpRequest) -> HttpResponse:
    """Emergency numbers, hotlines and advice for using the site safely."""
    return render(request, "safety/safety.html")


@access(Access.MODERATOR)
def directory_edit(request: HttpRequest) -> HttpResponse:
    """Moderators keep the emergency and partner numbers up to date."""
    formset = HotlineFormSet(request.POST or None, queryset=Hotline.objects.all())
    if request.method == "POST" and formset.is_valid():
        hotlines_update(formset=formset, actor=request.user)
        messages.success(request, _("The directory is saved."))
        return redirect("safety:directory")
    return render(request, "safety/directory.html", {"formset": formset})
