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


class ObjectionChannel(models.TextChoices):
    """How an objection reached the bureau: filed by the objector on the public 公示 page, or received
    by post, phone or in person and registered by the bureau's staff. Both are handled in one queue."""

    ONLINE = "online", "网上提交"
    REGISTERED = "registered", "工作人员登记"
