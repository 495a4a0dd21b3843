"""Enumerations of the review records. Imports nothing from the app.

The vocabulary shared with the application's workflow (states, log actions, acceptance
kinds, objection outcomes, revocation grounds) is in bases.choices.
"""

from django.db import models


class UpwardStatus(models.TextChoices):
    """第三条（四）, 第十六条（三）: a recognised base recommended to provincial or national level. Its
    county makes the first review (初审推荐), the city recommends it on (推荐上报) or not (不予推荐),
    and the city records the outcome the province or the nation decided (获评 / 未获评)."""

    COUNTY_RECOMMENDED = "county_recommended", "县局已初审推荐，待市局审核"
    CITY_DECLINED = "city_declined", "市局不予推荐"
    CITY_RECOMMENDED = "city_recommended", "市局已推荐上报，待评审结果"
    RECOGNISED = "recognised", "已获评"
    NOT_RECOGNISED = "not_recognised", "未获评"
    # 第十五条: the base's recognition revoked while it was recommended: it is recommended no further.
    ENDED = "ended", "基地认定已撤销，推荐终止"


# What each step is called in a recommendation's history (by the stage it leads to).
UPWARD_STEPS = {
    UpwardStatus.COUNTY_RECOMMENDED: "县局初审推荐",
    UpwardStatus.CITY_DECLINED: "市局不予推荐",
    UpwardStatus.CITY_RECOMMENDED: "市局推荐上报",
    UpwardStatus.RECOGNISED: "评审结果：获评",
    UpwardStatus.NOT_RECOGNISED: "评审结果：未获评",
    UpwardStatus.ENDED: "撤销认定，推荐终止",
}

# A base has at most one recommendation per level in these stages (constraint on the model).
UPWARD_OPEN = (UpwardStatus.COUNTY_RECOMMENDED, UpwardStatus.CITY_RECOMMENDED)


class UpwardDecision(models.TextChoices):
    """The city's decision on a county's 初审推荐."""

    RECOMMEND = "recommend", "推荐上报"
    DECLINE = "decline", "不予推荐"


class UpwardOutcome(models.TextChoices):
    """What the province or the nation decided; stored as the recommendation's final status."""

    RECOGNISED = UpwardStatus.RECOGNISED.value, "获评"
    NOT_RECOGNISED = UpwardStatus.NOT_RECOGNISED.value, "未获评"


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
    UPWARD = "upward", "向上推荐"


class ObjectionChannel(models.TextChoices):
    """How an objection reached the bureau: filed by the objector on the public 公示 page, or received
    by post, phone or in person and registered by the bureau's staff. Both are handled in one queue."""

    ONLINE = "online", "网上提交"
    REGISTERED = "registered", "工作人员登记"


class DocumentKind(models.TextChoices):
    """The documents the procedure issues (issue 11), each a PDF stored once as issued."""

    RECEIPT = "receipt", "申报回执"
    PUBLICITY_NOTICE = "notice", "公示公告"
    RECOGNITION_LIST = "list", "认定名单"
    CERTIFICATE = "certificate", "认定证书"
    REVOCATION_DECISION = "revocation", "撤销决定书"


# The stem of each kind's numbers: 文书编号 HZ20260001 (回执), GS…, MD…, ZS… (证书编号), CX…, counted
# per kind and year by bases.services.reference_next.
DOCUMENT_STEMS = {
    DocumentKind.RECEIPT: "HZ",
    DocumentKind.PUBLICITY_NOTICE: "GS",
    DocumentKind.RECOGNITION_LIST: "MD",
    DocumentKind.CERTIFICATE: "ZS",
    DocumentKind.REVOCATION_DECISION: "CX",
}


# The transitions whose step issues a document (reviews.services.documents_issue_for_step).
ISSUING_TRANSITIONS = frozenset({"submit", "open_publicity", "recognise", "revoke"})


class DocumentStatus(models.TextChoices):
    """What the verification page says of a document today."""

    VALID = "valid", "有效"
    REVOKED = "revoked", "已撤销"
    SUPERSEDED = "superseded", "已被取代"


class BundleStatus(models.TextChoices):
    """A zip of printed forms the city or a county asked for, built by a worker."""

    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "生成失败"


BUNDLE_MAX_APPLICATIONS = 500  # forms in one zip: about 100 s of rendering when none is stored yet
BUNDLE_KEEP_DAYS = 7  # the daily job removes zips older than this


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
