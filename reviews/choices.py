"""Enumerations of the review records. Imports nothing from the app.

The vocabulary shared with the application's workflow (states, log actions, acceptance
kinds, objection outcomes, revocation grounds) is in bases.choices.
"""

from django.db import models


class UpwardOutcome(models.TextChoices):
    PENDING = "pending", "待评审"
    RECOGNISED = "recognised", "已获认定"
    NOT_RECOGNISED = "not_recognised", "未获认定"


class RevocationStatus(models.TextChoices):
    OPEN = "open", "告知已送达，待决定"
    REVOKED = "revoked", "已决定撤销"
    CLOSED = "closed", "已决定不予撤销"


class EmailStatus(models.TextChoices):
    """Where a notification's e-mail stands. A failed one is tried again (with backoff by the worker,
    and by the daily job) until MAIL_ATTEMPTS; the city admin sees what failed and why in the admin."""

    NONE = "", "无需发送"
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


MAIL_ATTEMPTS = 5


class NotificationKind(models.TextChoices):
    TRANSITION = "transition", "办理进度"
    DEADLINE = "deadline", "截止提醒"
    WAITING = "waiting", "待办提醒"
    PUBLICITY = "publicity", "公示"
    RECEIPT = "receipt", "回执"
    OBJECTION = "objection", "异议"
    REVOCATION = "revocation", "撤销程序"


class BundleStatus(models.TextChoices):
    """A zip of printed forms the city or a county asked for, built by a worker."""

    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "生成失败"


BUNDLE_MAX_APPLICATIONS = 500  # forms in one zip: about 100 s of rendering when none is stored yet
BUNDLE_KEEP_DAYS = 7  # the daily job removes zips older than this
