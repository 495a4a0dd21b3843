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


class NotificationKind(models.TextChoices):
    TRANSITION = "transition", "办理进度"
    DEADLINE = "deadline", "截止提醒"
    WAITING = "waiting", "待办提醒"
    PUBLICITY = "publicity", "公示"
    RECEIPT = "receipt", "回执"
    OBJECTION = "objection", "异议"
    REVOCATION = "revocation", "撤销程序"
