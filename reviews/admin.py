from django.contrib import admin

from bases import permissions
from bases.admin import ReadOnlyAdminMixin

from .models import (
    AcceptanceGroup,
    AcceptanceRecord,
    GuidanceVisit,
    Notification,
    Objection,
    Publicity,
    UpwardDocument,
    UpwardRecommendation,
    UpwardRecommendationLog,
    YearlyReport,
    YearlyReportDeadline,
    YearlyReportLog,
)


# Records of the procedure: shown in the admin for inspection, written only through the pages.
@admin.register(GuidanceVisit)
class GuidanceVisitAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["visited_on", "application", "officer", "recorded_by"]
    search_fields = ["application__reference", "officer", "content"]


@admin.register(AcceptanceGroup)
class AcceptanceGroupAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["application", "leader", "external_experts", "formed_at"]
    search_fields = ["application__reference"]


@admin.register(AcceptanceRecord)
class AcceptanceRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["held_on", "application", "kind", "members", "recorded_by"]
    list_filter = ["kind"]
    search_fields = ["application__reference", "findings"]


@admin.register(Publicity)
class PublicityAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "level", "county", "starts_on", "ends_on", "closed_at"]
    list_filter = ["level", "county"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["reference", "channel", "application", "name", "received_on", "outcome", "replied_at"]
    list_filter = ["channel", "outcome"]
    search_fields = ["reference", "application__reference", "name"]


@admin.register(UpwardRecommendation)
class UpwardRecommendationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["base", "level", "status", "county_on", "city_on", "outcome_on", "outcome_document"]
    list_filter = ["level", "status"]


@admin.register(UpwardRecommendationLog)
class UpwardRecommendationLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "recommendation", "from_status", "to_status", "step_on", "actor", "reason"]


@admin.register(UpwardDocument)
class UpwardDocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["uploaded_at", "recommendation", "entry", "original_name", "kind", "size", "uploaded_by"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Also where the city admin sees which e-mails failed, how often and why (发送失败)."""

    list_display = ["created_at", "user", "kind", "message", "read_at", "email_status", "email_attempts", "email_error"]
    list_filter = ["email_status", "kind"]
    search_fields = ["user__username", "message"]


@admin.register(YearlyReportDeadline)
class YearlyReportDeadlineAdmin(admin.ModelAdmin):
    """第十四条: the city admin sets the deadline of each year's reports (default 31 January)."""

    list_display = ["year", "deadline"]

    def has_module_permission(self, request):
        return permissions.is_city_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.is_city_admin(request.user)

    has_add_permission = has_change_permission = has_view_permission

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(YearlyReport)
class YearlyReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["base", "year", "status", "submitted_at", "reviewed_at"]
    list_filter = ["status", "year"]


@admin.register(YearlyReportLog)
class YearlyReportLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "report", "from_status", "to_status", "actor", "reason"]
