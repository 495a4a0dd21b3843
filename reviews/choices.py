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
    YEARLY_REPORT = "yearly_report", "年度报告"


class ReportStatus(models.TextChoices):
    """第十四条: a recognised base's yearly report (年度报告) and the county's review of it."""

    DRAFT = "draft", "填报中"
    SUBMITTED = "submitted", "已提交，待县局审核"
    PASSED = "passed", "合格"
    RECTIFY = "rectify", "限期整改"
    RESUBMITTED = "resubmitted", "整改后已重新提交"
    FAILED = "failed", "不合格"


class ReviewOutcome(models.TextChoices):
    PASSED = "passed", "合格"
    RECTIFY = "rectify", "限期整改"
    FAILED = "failed", "不合格（仅限整改后重报的报告）"


class SupportKind(models.TextChoices):
    """第十六条: what the bureaus record of their support to a base."""

    FUNDING = "funding", "资金扶持"
    AWARD = "award", "奖励"


class ServiceKind(models.TextChoices):
    """第十六条（二）: the services given to a base."""

    GUIDANCE = "guidance", "精准指导"
    RIGHTS = "rights", "快速维权"
    EMERGENCY = "emergency", "应急服务"
