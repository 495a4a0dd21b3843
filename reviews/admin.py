from django.contrib import admin

from .models import ApplicationLog


@admin.register(ApplicationLog)
class ApplicationLogAdmin(admin.ModelAdmin):
    """The log is append-only: visible in the admin, never editable there."""

    list_display = ["created_at", "application", "label", "from_state", "to_state", "actor", "actor_role", "ip_address"]
    list_filter = ["action", "to_state"]
    search_fields = ["application__reference", "actor__username", "comment"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
