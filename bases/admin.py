from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_password_validators.password_history import admin as password_history_admin
from django_password_validators.password_history.models import PasswordHistory, UserPasswordHistoryConfig
from guardian.admin import GuardedModelAdmin

from . import permissions, services
from .choices import Role
from .client import client_ip
from .models import (
    Application,
    ApplicationLog,
    Attachment,
    Base,
    Batch,
    CalendarDay,
    CalendarYear,
    County,
    CountyRules,
    CountyRulesChange,
    Industry,
    Organisation,
    SecurityEvent,
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


class UserChangeForm(DjangoUserAdmin.form):
    """Django's form, with the county rules administrator (第十七条) as a tick box: the city's
    administrators give it to a county's staff member without the superuser's permission lists."""

    manages_county_rules = forms.BooleanField(
        label="县级规则管理员",
        required=False,
        help_text="仅限县局工作人员：可制定和修改本县局的县级基地规则（申报截止日期、申报表表名、条件指标、公示期）。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "manages_county_rules" in self.fields:  # read-only on one's own account
            self.fields["manages_county_rules"].initial = services.manages_county_rules(self.instance)

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role", self.instance.role)
        if cleaned.get("manages_county_rules") and role != Role.COUNTY:
            self.add_error("manages_county_rules", "只有县局工作人员可以担任县级规则管理员。")
        return cleaned


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "role", "county", "organisation", "is_active", "last_login"]
    list_filter = ["role", "county", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email", "organisation__name"]
    form = UserChangeForm
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("角色与范围", {"fields": ("role", "county", "organisation", "phone", "manages_county_rules")}),
    )
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, ("角色与范围", {"fields": ("role", "county", "organisation")}))

    @admin.display(description="姓名")
    def display_name(self, obj):
        return obj.display_name

    # 三员分立: the system administrator keeps accounts' details and gives everyday roles; the security
    # administrator gives roles (the administrators' too), enables and disables; nobody changes its own
    # powers; groups, permissions and superuser status only a superuser. The rules are the predicates of
    # bases.permissions; this admin only applies them.
    PRIVILEGED = ("is_superuser", "is_staff", "groups", "user_permissions")  # is_staff follows the role
    POWERS = ("role", "county", "organisation", "is_active", "manages_county_rules")
    DETAILS = ("username", "first_name", "last_name", "email", "phone")

    def get_readonly_fields(self, request, obj=None):
        user = request.user
        fields = [*super().get_readonly_fields(request, obj), "last_login", "date_joined"]
        if user.is_superuser:
            return fields
        fields += self.PRIVILEGED
        if not permissions.may_enable_accounts(user):
            fields.append("is_active")
        if obj is not None and permissions.is_security_admin(user):
            fields += self.DETAILS
        if obj is not None and obj.pk == user.pk:
            fields += self.POWERS
        return list(dict.fromkeys(fields))

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role":
            allowed = permissions.assignable_roles(request.user)
            kwargs["choices"] = [(value, label) for value, label in Role.choices if value in allowed]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not permissions.may_change_account(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        # Accounts are the system administrator's to open, not the security administrator's.
        return not permissions.is_security_admin(request.user) and super().has_add_permission(request)

    def save_model(self, request, obj, form, change):
        obj._changed_by = request.user  # the security event (bases.security_events) names who did it
        obj._changed_from = client_ip(request)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        form.instance._changed_by = request.user
        super().save_related(request, form, formsets, change)
        if "manages_county_rules" in form.cleaned_data and "manages_county_rules" not in self.get_readonly_fields(
            request, form.instance
        ):
            services.county_rules_manager_set(
                account=form.instance, granted=form.cleaned_data["manages_county_rules"], user=request.user
            )

    @admin.display(description="县级规则管理员", boolean=True)
    def manages_county_rules(self, obj):
        return services.manages_county_rules(obj)


# django-otp ships no Chinese names for its device model; the security administrator removes a lost
# authenticator there (动态口令设备).
TOTPDevice._meta.verbose_name = "动态口令设备"
TOTPDevice._meta.verbose_name_plural = "动态口令设备"
apps.get_app_config("otp_totp").verbose_name = "动态口令"


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """安全事件, for the auditor: read-only, kept for SECURITY_EVENT_RETENTION_DAYS."""

    list_display = ["created_at", "kind", "username", "actor", "ip_address", "detail"]
    list_filter = ["kind"]
    search_fields = ["username", "ip_address", "detail"]
    date_hierarchy = "created_at"


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


class CountyRulesChangeInline(admin.TabularInline):
    model = CountyRulesChange
    extra = 0
    can_delete = False
    fields = ["version", "changed_at", "changed_by", "reason", "changes", "ip_address"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CountyRules)
class CountyRulesAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: a county's rules are its administrator's, edited on /county-rules/ with a reason."""

    list_display = ["county", "batch", "deadline", "publicity_working_days", "version", "updated_at"]
    list_filter = ["batch", "county"]
    inlines = [CountyRulesChangeInline]


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
