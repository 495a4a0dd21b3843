from django.contrib import admin

from .models import PeriodGoal, StandardEnterprise, Target


@admin.register(PeriodGoal)
class PeriodGoalAdmin(admin.ModelAdmin):
    """The goals of a planning period (十四五: 30 / 150 / 300 / 400) are reference data, as the counties."""

    list_display = ["name", "kind", "count", "first_year", "last_year"]
    list_filter = ["name"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    """Read here; set on the targets page (a year at a time, all counties at once) or by importing 附件1."""

    list_display = ["year", "county", "kind", "count", "updated_by", "updated_at"]
    list_filter = ["year", "county", "kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StandardEnterprise)
class StandardEnterpriseAdmin(admin.ModelAdmin):
    """Read here; entered on the register's page by the counties and the city."""

    list_display = ["name", "credit_code", "county", "year", "practice", "recorded_by", "created_at"]
    list_filter = ["year", "county", "practice"]
    search_fields = ["name", "credit_code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
