"""Model permissions that come with a role, so the three administrators (三员: system, security,
audit) work in the admin without per-user permission bookkeeping, each with only its own share."""

from django.contrib.auth.backends import BaseBackend

from .choices import Role

ROLE_PERMISSIONS = {
    Role.CITY_ADMIN: frozenset(
        [
            f"bases.{verb}_{model}"
            for model in ("user", "county", "industry", "batch", "organisation", "calendaryear", "calendarday")
            for verb in ("view", "add", "change")
        ]
        + ["bases.delete_calendarday"]
        + ["bases.view_application", "bases.view_attachment", "bases.view_base", "bases.view_applicationlog"]
        # which e-mails failed, and why (reviews.Notification)
        + ["reviews.view_notification"]
        # the goals of the planning period (十四五) are reference data; the yearly targets and the
        # register of 贯标企业 are kept on their own pages and only read here
        + [f"targets.{verb}_periodgoal" for verb in ("view", "add", "change")]
        + ["targets.view_target", "targets.view_standardenterprise"]
    ),
    # 安全管理员: roles and status of accounts (bases.admin.UserAdmin lets it change nothing else),
    # unlocking after a lockout, removing a lost two-factor device.
    Role.SECURITY_ADMIN: frozenset(
        [
            "bases.view_user",
            "bases.change_user",
            "axes.view_accessattempt",
            "axes.delete_accessattempt",
            "otp_totp.view_totpdevice",
            "otp_totp.delete_totpdevice",
        ]
    ),
    # 安全审计员: reads every record of who did what, changes nothing.
    Role.AUDIT_ADMIN: frozenset(
        [
            "bases.view_securityevent",
            "bases.view_applicationlog",
            "bases.view_user",
            "axes.view_accesslog",
            "axes.view_accessfailurelog",
            "axes.view_accessattempt",
        ]
    ),
}


class RolePermissionBackend(BaseBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return set()
        return set(ROLE_PERMISSIONS.get(user_obj.role, ()))

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))
