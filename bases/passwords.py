"""Password rules of 等保2.0 level 3 that Django does not ship: three kinds of character, a password
that expires, and the length rule in Chinese. (Similarity, common passwords and history are Django's
and django-password-validators'; settings.AUTH_PASSWORD_VALIDATORS lists them all.)"""

import datetime
import string

from django.conf import settings
from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_password_validators.password_history.password_validation import UniquePasswordsValidator

CLASSES = {
    "大写字母": set(string.ascii_uppercase),
    "小写字母": set(string.ascii_lowercase),
    "数字": set(string.digits),
}


def character_classes(password: str) -> set[str]:
    found = {name for name, chars in CLASSES.items() if set(password) & chars}
    if any(not c.isalnum() or not c.isascii() for c in password):
        found.add("符号")
    return found


class LengthValidator(MinimumLengthValidator):
    """Django's rule in Chinese: Django 5.2 changed the message's msgid and its zh_Hans catalogue still
    has the old one, so the refusal reached users in English."""

    def get_error_message(self):
        return f"密码长度太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少 {self.min_length} 个字符。"


class CharacterClassesValidator:
    """At least `min_classes` of: upper-case letters, lower-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        found = character_classes(password)
        if len(found) < self.min_classes:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类（当前仅有：%(found)s）。",
                code="password_classes",
                params={"n": self.min_classes, "found": "、".join(sorted(found)) or "无"},
            )

    def get_help_text(self):
        return f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。"


def password_expires_on(user) -> datetime.date | None:
    """The day the user's password must be changed by (settings.PASSWORD_MAX_AGE_DAYS; 0: never)."""
    days = getattr(settings, "PASSWORD_MAX_AGE_DAYS", 0)
    if not days:
        return None
    changed = user.password_changed_at or user.date_joined
    return timezone.localtime(changed).date() + datetime.timedelta(days=days)


def password_expired(user) -> bool:
    expires = password_expires_on(user)
    return expires is not None and timezone.localdate() >= expires


class PasswordHistoryValidator(UniquePasswordsValidator):
    """None of the user's last passwords (django-password-validators keeps salted hashes of them). A
    user still being registered has no history: checked quietly, instead of warning about it."""

    def _user_ok(self, user):
        return user is not None and getattr(user, "pk", None) is not None
