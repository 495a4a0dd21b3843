"""Enumerations of the review workflow. Imports nothing from the app."""

from django.db import models


class State(models.TextChoices):
    """Every state of the procedure of 第十一条 (and 第十五条 for revocation)."""

    CULTIVATION = "cultivation", "培育中"
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已申报"
    RETURNED = "returned", "退回修改"
    DECLINED = "declined", "不予推荐"
    RECOMMENDED = "recommended", "已推荐"
    IN_ACCEPTANCE = "in_acceptance", "验收中"
    ACCEPTED = "accepted", "验收通过"
    FAILED = "failed", "验收不通过"
    IN_PUBLICITY = "in_publicity", "公示中"
    RECOGNISED = "recognised", "已认定"
    REVOKED = "revoked", "已撤销"
    WITHDRAWN = "withdrawn", "已撤回"


# The applicant may change the form only in these states.
EDITABLE_STATES = frozenset({State.DRAFT, State.RETURNED})
# The county bureau logs 培育指导 visits until the application is submitted.
GUIDANCE_STATES = frozenset({State.CULTIVATION, State.DRAFT, State.RETURNED})
# States that no longer count as the organisation's active application in a batch.
INACTIVE_STATES = frozenset({State.WITHDRAWN, State.DECLINED, State.FAILED})


class LogAction(models.TextChoices):
    """Entries of the append-only application log that are not transitions."""

    CREATE = "create", "创建申报"
    EDIT = "edit", "保存申报表"
    ATTACHMENT_ADD = "attachment_add", "上传证明材料"
    ATTACHMENT_DELETE = "attachment_delete", "删除证明材料"
    TRANSITION = "transition", "流程操作"
    GUIDANCE = "guidance", "培育指导"
    ACCEPTANCE_RECORD = "acceptance_record", "验收记录"
    OBJECTION = "objection", "公示异议"
    UPWARD = "upward", "向上推荐"


class AcceptanceKind(models.TextChoices):
    """第十一条（四）: the four ways the acceptance group checks an application."""

    WRITTEN_REVIEW = "written_review", "书面预审"
    SPOT_CHECK = "spot_check", "重点抽查"
    MEETING = "meeting", "会议验收"
    SITE_VISIT = "site_visit", "实地考察"


# An acceptance opinion needs at least these records (the written pre-review and the meeting).
REQUIRED_ACCEPTANCE_KINDS = (AcceptanceKind.WRITTEN_REVIEW, AcceptanceKind.MEETING)


class RevocationGround(models.TextChoices):
    """第十五条: the five grounds for revoking a recognition."""

    FORGED = "forged", "（一）伪造虚假申报材料"
    VIOLATION = "violation", "（二）在知识产权、重大生产安全、质量安全和环境保护等方面有严重违法违规行为"
    DISHONESTY = "dishonesty", "（三）存在严重失信行为记录"
    INFRINGEMENT = "infringement", "（四）发生重大商业秘密被侵权事件未积极维权或侵犯他人商业秘密"
    OTHER = "other", "（五）其他不符合本指南规定的情形"


class ObjectionOutcome(models.TextChoices):
    PENDING = "pending", "待处理"
    DISMISSED = "dismissed", "异议不成立"
    UPHELD = "upheld", "异议成立"


class UpwardOutcome(models.TextChoices):
    PENDING = "pending", "待评审"
    RECOGNISED = "recognised", "已获认定"
    NOT_RECOGNISED = "not_recognised", "未获认定"


class NotificationKind(models.TextChoices):
    TRANSITION = "transition", "办理进度"
    DEADLINE = "deadline", "截止提醒"
    WAITING = "waiting", "待办提醒"
    PUBLICITY = "publicity", "公示"
