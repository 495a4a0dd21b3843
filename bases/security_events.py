"""Where the security events (安全事件) come from: Django's sign-in signals, django-axes' lockout,
django-otp's two-factor steps (bases.views), and every change of an account's role, status or
permissions, whoever makes it (the admin site, a command, a service). Connected in BasesConfig.ready;
each receiver appends one row through services.security_event_record."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django_otp.plugins.otp_totp.models import TOTPDevice
from guardian.models import UserObjectPermission

from . import services
from .choices import SecurityEventKind
from .client import client_ip
from .models import User

# What makes an account more or less powerful; a change of any of these is an event.
POWERS = ("role", "is_active", "is_superuser", "is_staff", "county_id", "organisation_id")


def _ip(request):
    return client_ip(request) if request is not None else None


def signed_in(sender, request, user, **kwargs):
    services.security_event_record(
        kind=SecurityEventKind.SIGN_IN, username=user.get_username(), actor=user, ip=_ip(request)
    )


def sign_in_failed(sender, credentials, request=None, **kwargs):
    services.security_event_record(
        kind=SecurityEventKind.SIGN_IN_FAILED, username=credentials.get("username", ""), ip=_ip(request)
    )


def locked_out(sender, request, username, ip_address, **kwargs):
    services.security_event_record(
        kind=SecurityEventKind.LOCKED_OUT, username=username or "", ip=_ip(request), detail="连续登录失败，临时锁定"
    )


def signed_out(sender, request, user, **kwargs):
    if user is not None:
        services.security_event_record(
            kind=SecurityEventKind.SIGN_OUT, username=user.get_username(), actor=user, ip=_ip(request)
        )


def account_before_save(sender, instance, update_fields=None, **kwargs):
    """Remember the powers the account had, to compare after saving. A save of other fields only
    (the last sign-in time, say) is left alone without a query."""
    if instance.pk is None or (
        update_fields is not None and not set(update_fields) & {*POWERS, "county", "organisation"}
    ):
        instance._powers_before = None
        return
    instance._powers_before = User.objects.filter(pk=instance.pk).values(*POWERS, "password").first()


def account_after_save(sender, instance, created, **kwargs):
    before = getattr(instance, "_powers_before", None)
    after = {name: getattr(instance, name) for name in POWERS}
    if created:
        changes = [f"新建账号：{_describe(after)}"]
    elif before is None:
        return
    else:
        changes = [f"{name}: {before[name]} → {after[name]}" for name in POWERS if before[name] != after[name]]
        if before["password"] != instance.password:
            services.security_event_record(
                kind=SecurityEventKind.PASSWORD_CHANGED,
                username=instance.get_username(),
                actor=getattr(instance, "_changed_by", None),
                ip=getattr(instance, "_changed_from", None),
            )
    if changes:
        actor = getattr(instance, "_changed_by", None)
        services.security_event_record(
            kind=SecurityEventKind.ACCOUNT_CHANGED,
            username=instance.get_username(),
            actor=actor,
            ip=getattr(instance, "_changed_from", None),
            detail="；".join(changes),
        )
    instance._powers_before = None


def _describe(powers: dict) -> str:
    return "，".join(f"{name}={value}" for name, value in powers.items() if value not in (None, False, ""))


def groups_or_permissions_changed(sender, instance, action, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear") or not isinstance(instance, User):
        return
    what = "用户组" if sender is User.groups.through else "权限"
    services.security_event_record(
        kind=SecurityEventKind.PERMISSION_CHANGED,
        username=instance.get_username(),
        actor=getattr(instance, "_changed_by", None),
        detail=f"{what} {action.removeprefix('post_')} {sorted(pk_set or [])}",
    )


def object_permission_granted(sender, instance, created, **kwargs):
    if created:
        _object_permission_event(instance, "授予")


def object_permission_removed(sender, instance, **kwargs):
    _object_permission_event(instance, "收回")


def _object_permission_event(grant, verb):
    services.security_event_record(
        kind=SecurityEventKind.PERMISSION_CHANGED,
        username=grant.user.get_username(),
        detail=f"{verb} {grant.permission.codename}（{grant.content_type.model} #{grant.object_pk}）",
    )


def two_factor_device_removed(sender, instance, **kwargs):
    services.security_event_record(
        kind=SecurityEventKind.TWO_FACTOR_REMOVED, username=instance.user.get_username(), detail=instance.name
    )


def connect():
    user_logged_in.connect(signed_in, dispatch_uid="security-sign-in")
    user_login_failed.connect(sign_in_failed, dispatch_uid="security-sign-in-failed")
    user_logged_out.connect(signed_out, dispatch_uid="security-sign-out")
    user_locked_out.connect(locked_out, dispatch_uid="security-locked-out")
    pre_save.connect(account_before_save, sender=User, dispatch_uid="security-account-before")
    post_save.connect(account_after_save, sender=User, dispatch_uid="security-account-after")
    m2m_changed.connect(groups_or_permissions_changed, sender=User.groups.through, dispatch_uid="security-groups")
    m2m_changed.connect(
        groups_or_permissions_changed, sender=User.user_permissions.through, dispatch_uid="security-permissions"
    )
    post_save.connect(object_permission_granted, sender=UserObjectPermission, dispatch_uid="security-grant")
    post_delete.connect(object_permission_removed, sender=UserObjectPermission, dispatch_uid="security-revoke")
    post_delete.connect(two_factor_device_removed, sender=TOTPDevice, dispatch_uid="security-two-factor-removed")
