from django.contrib import admin

from sorority.accounts.models import AccountEvent, RoleAssignment, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["id", "display_name", "status", "is_active", "date_joined"]
    list_filter = ["status", "is_active"]
    search_fields = ["display_name"]
    exclude = ["password"]
    # Status and suspension change only through the account services (events, the
    # two-moderator ban, and the account-state hooks that keep search, map counts
    # and open channels in step): a change saved here would reach none of them.
    readonly_fields = [
        "last_login",
        "date_joined",
        "consented_at",
        "status",
        "is_active",
    ]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "created_at"]


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "actor", "created_at"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
