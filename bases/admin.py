from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django_password_validators.password_history import admin as password_history_admin
from django_password_validators.password_history.models import PasswordHistory, UserPasswordHistoryConfig
from guardian.admin import GuardedModelAdmin

from .models import (
    Application,
    ApplicationLog,
    Attachment,
    Base,
    Batch,
    CalendarDay,
    CalendarYear,
    County,
    Industry,
    Organisation,
    User,
)


class ReadOnlyAdminMixin:
    """Rows that change only through the application's own pages and services (which log): the
    admin shows them, nobody adds, changes or deletes them there, not even a superuser."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "bureau_name", "order"]
    list_editable = ["order"]


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "order", "is_active"]
    list_filter = ["category", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "credit_code", "county", "status", "created_at"]
    list_filter = ["status", "kind", "county"]
    search_fields = ["name", "credit_code"]
    readonly_fields = ["confirmed_by", "confirmed_at", "created_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "role", "county", "organisation", "is_active", "last_login"]
    list_filter = ["role", "county", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email", "organisation__name"]
    fieldsets = (*DjangoUserAdmin.fieldsets, ("角色与范围", {"fields": ("role", "county", "organisation", "phone")}))
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, ("角色与范围", {"fields": ("role", "county", "organisation")}))

    @admin.display(description="姓名")
    def display_name(self, obj):
        return obj.display_name

    # A city administrator manages accounts, but cannot grant itself or anyone more than roles give.
    PRIVILEGED = ("is_superuser", "groups", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if request.user.is_superuser else (*fields, *self.PRIVILEGED)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 3
    fields = ["day", "name", "is_workday"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """The yearly holiday arrangement: 公示 and statement periods count working days from it."""

    list_display = ["year", "source"]
    inlines = [CalendarDayInline]


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "deadline", "publicity_working_days"]


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    can_delete = False
    fields = ["condition_code", "download", "kind", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="文件")
    def download(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("bases:attachment-download", args=[obj.pk]), obj.original_name
        )


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdminMixin, GuardedModelAdmin):
    """Read-only: applications change only through the online form and the workflow."""

    list_display = ["reference", "applicant_name", "base_type", "level", "batch", "state", "updated_at"]
    list_filter = ["batch", "base_type", "level", "state", "organisation__county"]
    search_fields = ["reference", "applicant_name", "organisation__name", "organisation__credit_code"]
    inlines = [AttachmentInline]


@admin.register(Base)
class BaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: a base is recognised and revoked only through the procedure, which logs (and the
    2-year ban of 第十五条 hangs on it)."""

    list_display = ["name", "base_type", "level", "year", "document_number", "status"]
    list_filter = ["base_type", "level", "year", "status"]
    search_fields = ["name", "document_number"]
    readonly_fields = ["public_id"]

    def has_add_permission(self, request):
        return False


@admin.register(ApplicationLog)
class ApplicationLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The log is append-only: visible in the admin, never editable there."""

    list_display = ["created_at", "application", "label", "from_state", "to_state", "actor", "actor_role", "ip_address"]
    list_filter = ["action", "to_state"]
    search_fields = ["application__reference", "actor__username", "comment"]

    def has_change_permission(self, request, obj=None):
        return False


# The password history is the record behind "not one of the last 5 passwords" (等保): shown in the
# admin, never written there, its hashes not shown. django-password-validators' own admin offered add
# forms that leave out the required user, whose saving was a server error (found by `make fuzz`).
admin.site.unregister([UserPasswordHistoryConfig, PasswordHistory])


@admin.register(UserPasswordHistoryConfig)
class UserPasswordHistoryConfigAdmin(ReadOnlyAdminMixin, password_history_admin.UserPasswordHistoryConfigAdmin):
    fields = ["user", "date", "iterations"]


@admin.register(PasswordHistory)
class PasswordHistoryAdmin(ReadOnlyAdminMixin, password_history_admin.PasswordHistoryAdmin):
    fields = ["user_config", "date"]
