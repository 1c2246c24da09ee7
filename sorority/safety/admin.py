from django.contrib import admin

from sorority.safety.models import Hotline


@admin.register(Hotline)
class HotlineAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "channel", "emergency", "position", "active"]
    list_editable = ["position", "active"]
