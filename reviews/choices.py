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
# States that no longer count as the organisation's active application in a batch.
INACTIVE_STATES = frozenset({State.WITHDRAWN, State.DECLINED, State.FAILED})


class LogAction(models.TextChoices):
    """Entries of the append-only application log that are not transitions."""

    CREATE = "create", "创建申报"
    EDIT = "edit", "保存申报表"
    ATTACHMENT_ADD = "attachment_add", "上传证明材料"
    ATTACHMENT_DELETE = "attachment_delete", "删除证明材料"
    TRANSITION = "transition", "流程操作"
