"""Records of the review around an application: guidance, acceptance, 公示 and objections,
upward recommendations, notifications and the documents the procedure issues."""

import datetime
import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.utils import timezone

from bases.choices import (
    APPLICATION_LEVELS,
    UPWARD_LEVELS,
    AcceptanceKind,
    AttachmentKind,
    ObjectionOutcome,
    RevocationGround,
    State,
    choices_of,
)
from bases.models import AppendOnly, AppendOnlyQuerySet, Application, CleanText
from bases.storage import documents_storage, private_storage
from bases.validators import ATTACHMENT_FORMATS, validate_phone

from .choices import (
    UPWARD_OPEN,
    UPWARD_STEPS,
    BundleStatus,
    DocumentKind,
    EmailStatus,
    NotificationKind,
    ObjectionChannel,
    ReportStatus,
    RevocationStatus,
    ServiceKind,
    SupportKind,
    UpwardStatus,
)


class GuidanceVisit(CleanText):
    """培育指导: a county bureau's coaching visit to a candidate (第十一条（一）)."""

    application = models.ForeignKey(
        Application, verbose_name="申报", on_delete=models.PROTECT, related_name="guidance_visits"
    )
    visited_on = models.DateField("指导日期")
    officer = models.CharField("指导人员", max_length=100)
    content = models.TextField("指导内容", max_length=4000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "培育指导记录"
        verbose_name_plural = "培育指导记录"
        ordering = ["-visited_on", "-pk"]

    def __str__(self):
        return f"{self.visited_on} {self.officer}"


class AcceptanceGroup(CleanText):
    """验收组 formed for one application; its members get per-object grants (django-guardian)."""

    application = models.OneToOneField(
        Application, verbose_name="申报", on_delete=models.PROTECT, related_name="acceptance_group"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="组长", on_delete=models.PROTECT, related_name="+"
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="成员", related_name="acceptance_groups")
    external_experts = models.CharField("外聘专家", max_length=200, blank=True)
    formed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="组建人", on_delete=models.PROTECT, related_name="+"
    )
    formed_at = models.DateTimeField("组建时间", default=timezone.now)  # renewed when re-formed

    class Meta:
        verbose_name = "验收组"
        verbose_name_plural = "验收组"

    def __str__(self):
        return f"{self.application.reference} 验收组"


class AcceptanceRecord(CleanText):
    """One step of the acceptance (书面预审, 重点抽查, 会议验收, 实地考察) with its findings."""

    application = models.ForeignKey(
        Application, verbose_name="申报", on_delete=models.PROTECT, related_name="acceptance_records"
    )
    kind = models.CharField("验收方式", max_length=20, choices=AcceptanceKind.choices)
    held_on = models.DateField("日期")
    members = models.CharField("参加人员", max_length=200)
    findings = models.TextField("发现与意见", max_length=4000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "验收记录"
        verbose_name_plural = "验收记录"
        ordering = ["held_on", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.held_on}"


class Publicity(CleanText):
    """公示: the list to be recognised, published for objections (第十一条（五）)."""

    title = models.CharField("公示名称", max_length=150)
    level = models.CharField("级别", max_length=10, choices=choices_of(APPLICATION_LEVELS))
    county = models.ForeignKey(
        "bases.County", verbose_name="县级公示所属县", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    starts_on = models.DateField("公示开始日期")
    ends_on = models.DateField("公示结束日期")
    applications = models.ManyToManyField(Application, verbose_name="公示对象", related_name="publicities")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField("发起时间", auto_now_add=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "公示"
        verbose_name_plural = "公示"
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(F("starts_on").desc(), F("id").desc(), name="publicity_recent")]
        constraints = [
            models.CheckConstraint(
                name="publicity_dates_in_order",
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                violation_error_message="公示结束日期不能早于开始日期。",
            ),
        ]

    def __str__(self):
        return self.title

    def has_ended(self, today=None) -> bool:
        return self.closed_at is not None or (today or timezone.localdate()) > self.ends_on


def objection_evidence_path(instance, filename):
    # A random name with the extension of the type found in the content, as evidence of applications.
    return f"objections/{uuid.uuid4().hex}.{ATTACHMENT_FORMATS[instance.evidence_kind].extension}"


class Objection(CleanText):
    """异议: real name and contact required; each gets a reference and a written reply.

    Filed online by the objector (`channel` online: they get a random 查询码 once, of which only a
    hash is kept, and read the written reply with the reference and the code) or registered by the
    bureau's staff from a letter, a call or a visit; the staff handle both in one queue."""

    reference = models.CharField("异议编号", max_length=20, unique=True)
    channel = models.CharField(
        "提出方式", max_length=20, choices=ObjectionChannel.choices, default=ObjectionChannel.REGISTERED
    )
    # The objector's 查询码 for reading the reply online, hashed as passwords are (never stored plain).
    lookup_code_hash = models.CharField("查询码摘要", max_length=200, blank=True, editable=False)
    publicity = models.ForeignKey(Publicity, verbose_name="公示", on_delete=models.PROTECT, related_name="objections")
    application = models.ForeignKey(
        Application, verbose_name="异议对象", on_delete=models.PROTECT, related_name="objections"
    )
    name = models.CharField("异议人姓名", max_length=50)
    organisation = models.CharField("异议人单位", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=30)
    email = models.EmailField("电子邮箱", blank=True)
    reasons = models.TextField("异议理由及证据", max_length=4000)
    received_on = models.DateField("收到日期")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(
        "处理结果", max_length=20, choices=ObjectionOutcome.choices, default=ObjectionOutcome.PENDING
    )
    reply = models.TextField("书面答复", blank=True, max_length=4000)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    # The objection is put to the applicant (without the objector's identity) for a written answer
    # before it can be upheld.
    answer_due = models.DateField("申报单位说明截止日期", null=True, blank=True)
    answer = models.TextField("申报单位书面说明", blank=True, max_length=4000)
    answered_at = models.DateTimeField("说明提交时间", null=True, blank=True)
    # One optional evidence file of an online objection, checked by content as applications' evidence
    # is and kept in the private storage; only the staff who handle the 公示 download it.
    evidence = models.FileField(
        "证据材料", upload_to=objection_evidence_path, storage=private_storage, max_length=200, blank=True
    )
    evidence_name = models.CharField("证据材料原文件名", max_length=200, blank=True)
    evidence_kind = models.CharField("证据材料类型", max_length=10, choices=AttachmentKind.choices, blank=True)
    evidence_size = models.PositiveBigIntegerField("证据材料大小（字节）", null=True, blank=True)
    evidence_sha256 = models.CharField("证据材料 SHA-256", max_length=64, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    # 个人信息保护法第十九条: the objector's phone and e-mail are kept only until the matter has closed
    # and its retention period passed (reviews.services.RETENTION_RULES); the day they were erased.
    contacts_erased_on = models.DateField("联系方式删除日期", null=True, blank=True)

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["received_on", "pk"]

    def __str__(self):
        return self.reference

    @property
    def resolved(self) -> bool:
        return self.outcome != ObjectionOutcome.PENDING and bool(self.reply.strip())

    @property
    def answerable(self) -> bool:
        """The reply may be written or changed while the application is still in 公示."""
        return self.application.state == State.IN_PUBLICITY

    @property
    def is_online(self) -> bool:
        return self.channel == ObjectionChannel.ONLINE

    @property
    def evidence_download_name(self) -> str:
        stem = self.evidence_name.rpartition(".")[0] or self.evidence_name or self.reference
        return f"{stem}.{ATTACHMENT_FORMATS[self.evidence_kind].extension}"

    @property
    def evidence_content_type(self) -> str:
        return ATTACHMENT_FORMATS[self.evidence_kind].mime

    def applicant_heard(self, today=None) -> bool:
        """The applicant has answered in writing, or let the time given for it pass."""
        today = today or timezone.localdate()
        return self.answered_at is not None or (self.answer_due is not None and today > self.answer_due)


class RevocationCase(CleanText):
    """第十五条: the procedure before a recognition is revoked. The bureau serves a notice (撤销告知)
    with the intended ground and the facts; from the day it is served the organisation has a period
    to state its case in writing (陈述申辩); the bureau then decides, giving its reasons on the
    statement: revoke (the 2-year ban runs from the decision) or close the matter. The base stays
    valid until the decision."""

    application = models.ForeignKey(
        Application, verbose_name="申报", on_delete=models.PROTECT, related_name="revocation_cases"
    )
    ground = models.CharField("拟撤销事由（第十五条）", max_length=20, choices=RevocationGround.choices)
    facts = models.TextField("查证的事实", max_length=4000)
    served_on = models.DateField("告知送达日期")
    statement_days = models.PositiveSmallIntegerField("陈述申辩期（工作日）", default=5)
    statement_due = models.DateField("陈述申辩截止日期")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="告知人", on_delete=models.PROTECT, related_name="+"
    )
    statement = models.TextField("陈述申辩意见", blank=True, max_length=8000)
    statement_at = models.DateTimeField("陈述申辩提交时间", null=True, blank=True)
    status = models.CharField(
        "办理状态", max_length=10, choices=RevocationStatus.choices, default=RevocationStatus.OPEN
    )
    decision_reasons = models.TextField("对陈述申辩的采纳意见及理由", blank=True, max_length=4000)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    document_number = models.CharField("决定文号", max_length=50, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "撤销认定程序"
        verbose_name_plural = "撤销认定程序"
        ordering = ["-served_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(status=RevocationStatus.OPEN),
                name="one_open_revocation_case_per_application",
                violation_error_message="该基地已有一项正在办理的撤销程序。",
            )
        ]

    def __str__(self):
        return f"{self.application.reference} 撤销告知（{self.served_on}）"

    @property
    def is_open(self) -> bool:
        return self.status == RevocationStatus.OPEN


class UpwardRecommendation(CleanText):
    """A recognised base recommended to provincial or national level (第三条（四）, 第十六条（三））: the
    base's county makes the first review with its opinion (初审推荐), the city recommends it on
    (推荐上报) or not (不予推荐), and records the outcome (获评 with the document's number, or 未获评).
    Each step is kept with who, when, why and its documents in UpwardRecommendationLog; the fields
    here hold what the pages and the statistics read. Rows recorded by the city before the county
    step existed have no county date (they start at 推荐上报)."""

    base = models.ForeignKey(
        "bases.Base", verbose_name="基地", on_delete=models.PROTECT, related_name="upward_recommendations"
    )
    level = models.CharField("推荐级别", max_length=20, choices=choices_of(UPWARD_LEVELS))
    status = models.CharField(
        "办理阶段", max_length=20, choices=UpwardStatus.choices, default=UpwardStatus.COUNTY_RECOMMENDED
    )
    county_on = models.DateField("县局初审推荐日期", null=True, blank=True)
    county_opinion = models.TextField("县局初审意见", max_length=4000, blank=True)
    city_on = models.DateField("市局办理日期", null=True, blank=True)
    city_opinion = models.TextField("市局意见（推荐意见或不予推荐理由）", max_length=4000, blank=True)
    outcome_on = models.DateField("评审结果日期", null=True, blank=True)
    outcome_document = models.CharField("获评文号", max_length=50, blank=True)
    outcome_note = models.TextField("结果说明", max_length=2000, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "向上推荐"
        verbose_name_plural = "向上推荐"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["base", "level"],
                condition=models.Q(status__in=UPWARD_OPEN),
                name="one_open_upward_recommendation_per_base_and_level",
                violation_error_message="该基地已有一项同级别的向上推荐正在办理。",
            )
        ]

    def __str__(self):
        return f"{self.base} → {self.get_level_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in UPWARD_OPEN


class UpwardRecommendationLog(AppendOnly, CleanText):
    """Every step of an upward recommendation: who, when (the step's own date and the moment it was
    recorded), the opinion or reasons, and the documents uploaded with it. Never updated or deleted."""

    recommendation = models.ForeignKey(
        UpwardRecommendation, verbose_name="向上推荐", on_delete=models.PROTECT, related_name="log"
    )
    from_status = models.CharField("原阶段", max_length=20, choices=UpwardStatus.choices, blank=True)
    to_status = models.CharField("新阶段", max_length=20, choices=UpwardStatus.choices)
    step_on = models.DateField("办理日期")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("意见/理由", max_length=4000, blank=True)
    created_at = models.DateTimeField("记录时间", default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "向上推荐办理记录"
        verbose_name_plural = "向上推荐办理记录"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.recommendation} {self.get_to_status_display()}"

    @property
    def step_label(self) -> str:
        return UPWARD_STEPS[self.to_status]


def upward_document_path(instance, filename):
    # A random name with the extension of the type found in the content, as evidence of applications.
    return f"upward/{instance.recommendation_id}/{uuid.uuid4().hex}.{ATTACHMENT_FORMATS[instance.kind].extension}"


class UpwardDocument(AppendOnly, CleanText):
    """A supporting document of one step of an upward recommendation (初审推荐表, 推荐函, 获评文件 …),
    checked by content as evidence of applications is and kept in the private storage; only the
    bureaus' staff who see the recommendation download it."""

    recommendation = models.ForeignKey(
        UpwardRecommendation, verbose_name="向上推荐", on_delete=models.PROTECT, related_name="documents"
    )
    entry = models.ForeignKey(
        UpwardRecommendationLog, verbose_name="办理步骤", on_delete=models.PROTECT, related_name="documents"
    )
    file = models.FileField("文件", upload_to=upward_document_path, storage=private_storage, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    kind = models.CharField("文件类型", max_length=10, choices=AttachmentKind.choices)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    APPEND_ONLY_MESSAGES = ("已上传的推荐材料不能修改。", "已上传的推荐材料不能删除。")

    class Meta:
        verbose_name = "向上推荐材料"
        verbose_name_plural = "向上推荐材料"
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    @property
    def download_name(self) -> str:
        stem = self.original_name.rpartition(".")[0] or self.original_name
        return f"{stem}.{ATTACHMENT_FORMATS[self.kind].extension}"

    @property
    def content_type(self) -> str:
        return ATTACHMENT_FORMATS[self.kind].mime


class Notification(CleanText):
    """An in-app message; the same text goes out by e-mail. `key` makes reminders idempotent."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications"
    )
    application = models.ForeignKey(
        Application, verbose_name="申报", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField("类型", max_length=20, choices=NotificationKind.choices)
    key = models.CharField("去重键", max_length=100)
    message = models.CharField("内容", max_length=300)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    email_status = models.CharField("邮件", max_length=10, choices=EmailStatus.choices, blank=True, db_index=True)
    email_attempts = models.PositiveSmallIntegerField("邮件发送次数", default=0)
    email_error = models.CharField("邮件发送错误", max_length=300, blank=True)
    emailed_at = models.DateTimeField("邮件发出时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(F("user"), F("created_at").desc(), F("id").desc(), name="notification_user_recent"),
            # The header's unread badge on every page reads only this user's unread rows.
            models.Index(fields=["user"], condition=models.Q(read_at__isnull=True), name="notification_unread_by_user"),
        ]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_notification_per_user_and_key")]

    def __str__(self):
        return self.message


def new_public_id() -> str:
    """The opaque id in a document's verification URL (/verify/<id>/): 128 random bits, so the
    documents cannot be listed by trying ids."""
    return secrets.token_urlsafe(16)


def document_path(instance, filename):
    return f"{instance.kind}/{instance.issued_at:%Y}/{instance.reference}.pdf"


class IssuedDocument(AppendOnly, CleanText):
    """A document the procedure issued (申报回执, 公示公告, 认定名单, 认定证书, 撤销决定书): the PDF as
    issued, stored once in the storage "documents" and never made again (issuing it a second time
    returns this one), its SHA-256, and what it states (`facts`, public) for the verification page
    its QR code opens. One document per `key`: what it was issued for (a submission, a 公示, a
    document number, a base, a revocation decision)."""

    public_id = models.CharField("核验编号", max_length=32, unique=True, default=new_public_id, editable=False)
    kind = models.CharField("文书类型", max_length=20, choices=DocumentKind.choices)
    reference = models.CharField("文书编号", max_length=20, unique=True)
    key = models.CharField("出具依据", max_length=100, unique=True)
    title = models.CharField("标题", max_length=200)
    applications = models.ManyToManyField(Application, verbose_name="涉及申报", related_name="documents")
    publicity = models.ForeignKey(
        Publicity, verbose_name="公示", on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    base = models.ForeignKey(
        "bases.Base", verbose_name="基地", on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    document_number = models.CharField("文号", max_length=50, blank=True)
    file = models.FileField("文件", upload_to=document_path, storage=documents_storage, max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    facts = models.JSONField("载明事项", default=dict, blank=True)
    issued_at = models.DateTimeField("出具时间", default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="出具人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "出具的文书"
        verbose_name_plural = "出具的文书"
        ordering = ["issued_at", "pk"]

    def __str__(self):
        return f"{self.reference} {self.title}"

    APPEND_ONLY_MESSAGES = ("已出具的文书不能修改。", "已出具的文书不能删除。")

    @property
    def stated(self) -> dict:
        """What the document states, by label (`facts` keeps them in the order printed)."""
        return dict(self.facts.get("rows", []))

    @property
    def download_name(self) -> str:
        """A meaningful Chinese name: 申报回执-<单位>-<申报编号>.pdf, 认定证书-<单位>.pdf …"""
        stated = self.stated
        subject = {
            DocumentKind.RECEIPT: f"{stated.get('申报单位', '')}-{stated.get('申报编号', '')}",
            DocumentKind.PUBLICITY_NOTICE: self.title,
            DocumentKind.RECOGNITION_LIST: self.document_number,
            DocumentKind.CERTIFICATE: stated.get("单位名称", ""),
            DocumentKind.REVOCATION_DECISION: f"{stated.get('被撤销单位', '')}-{self.document_number}",
        }.get(self.kind, self.reference)
        name = f"{self.get_kind_display()}-{subject}.pdf"
        return "".join("_" if c in '/\\:*?"<>|' or not c.isprintable() else c for c in name)


class FormBundle(CleanText):
    """打包下载申报表: the printed forms of many applications (ticked in the list, or a whole 公示) in
    one zip, built by a worker (reviews.tasks.build_form_bundle) through the stored PDFs of
    bases.printing; its progress is on the page that asked for it. Only who asked sees it, and only
    the applications that person may see go into it."""

    public_id = models.UUIDField("编号", default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField("名称", max_length=150)
    applications = models.ManyToManyField(Application, verbose_name="申报", related_name="+")
    publicity = models.ForeignKey(
        Publicity, verbose_name="公示", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField("状态", max_length=10, choices=BundleStatus.choices, default=BundleStatus.QUEUED)
    total = models.PositiveIntegerField("申报表份数", default=0)
    done = models.PositiveIntegerField("已生成份数", default=0)
    file = models.FileField("压缩包", upload_to="bundles/", storage=documents_storage, max_length=200, blank=True)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    error = models.CharField("错误", max_length=300, blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "申报表打包"
        verbose_name_plural = "申报表打包"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in (BundleStatus.DONE, BundleStatus.FAILED)

    @property
    def download_name(self) -> str:
        return f"申报表-{self.title}-{timezone.localtime(self.created_at):%Y%m%d%H%M}.zip"


# --- 第十四条: dynamic management of recognised bases (年度报告) -----------------------------------------

REPORT_FIRST_YEAR = 2021  # the notice dates from 2021; no base reports on a year before it


def default_report_deadline(year: int) -> datetime.date:
    """Without a deadline set by the city, the report on `year` is due on 31 January of the next."""
    return datetime.date(year + 1, 1, 31)


class YearlyReportDeadline(CleanText):
    """The deadline the city sets for the yearly reports on one year (kept by the city admin)."""

    year = models.PositiveSmallIntegerField(
        "报告年度", unique=True, validators=[MinValueValidator(REPORT_FIRST_YEAR), MaxValueValidator(2100)]
    )
    deadline = models.DateField("报送截止日期")

    class Meta:
        verbose_name = "年度报告截止日期"
        verbose_name_plural = "年度报告截止日期"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                name="yearly_report_deadline_after_its_year",
                condition=models.Q(deadline__year__gt=models.F("year")),
                violation_error_message="截止日期须在报告年度之后。",
            )
        ]

    def __str__(self):
        return f"{self.year}年度报告：{self.deadline}"


class YearlyReport(CleanText):
    """年度报告: what a recognised base did in a year, filed by its organisation and reviewed by its
    county (合格 / 限期整改 with a one-time list of what to fix; one resubmission, then 合格 / 不合格)."""

    base = models.ForeignKey("bases.Base", verbose_name="基地", on_delete=models.PROTECT, related_name="yearly_reports")
    year = models.PositiveSmallIntegerField(
        "报告年度", validators=[MinValueValidator(REPORT_FIRST_YEAR), MaxValueValidator(2100)]
    )
    status = models.CharField("状态", max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    work_plan = models.TextField("年度工作计划执行情况", max_length=4000, blank=True)
    trainings = models.TextField("开展培训情况", max_length=4000, blank=True)
    all_staff_trainings = models.PositiveSmallIntegerField(
        "全员轮训次数", default=0, validators=[MaxValueValidator(365)]
    )
    services = models.TextField("提供服务情况", max_length=4000, blank=True)
    infringements = models.TextField("侵权事件及处理情况", max_length=4000, blank=True)
    changes = models.TextField("名称、地址、联系人等变更情况", max_length=2000, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    review_reasons = models.TextField("审核意见", max_length=4000, blank=True)
    fix_items = models.JSONField("整改事项（一次性告知）", default=list, blank=True)
    rectify_due = models.DateField("整改期限", null=True, blank=True)
    resubmitted = models.BooleanField("已整改重报", default=False)
    revocation_ground = models.CharField(
        "审核发现的撤销情形（第十五条）", max_length=20, choices=RevocationGround.choices, blank=True
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revocation_case = models.ForeignKey(
        RevocationCase,
        verbose_name="据此启动的撤销程序",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="yearly_reports",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "年度报告"
        verbose_name_plural = "年度报告"
        ordering = ["-year", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["base", "year"], name="one_yearly_report_per_base_and_year"),
        ]

    def __str__(self):
        return f"{self.base} {self.year}年度报告"

    @property
    def is_editable(self) -> bool:
        return self.status in (ReportStatus.DRAFT, ReportStatus.RECTIFY)


class YearlyReportLog(AppendOnly, CleanText):
    """Every change of a yearly report's state: who, when, why. Never updated or deleted."""

    report = models.ForeignKey(YearlyReport, verbose_name="年度报告", on_delete=models.PROTECT, related_name="log")
    from_status = models.CharField("原状态", max_length=12, choices=ReportStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=12, choices=ReportStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField("说明", max_length=4000, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "年度报告办理记录"
        verbose_name_plural = "年度报告办理记录"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.report} {self.get_to_status_display()}"


# --- 第十六条: incentives and services -------------------------------------------------------------------


class BaseSupport(CleanText):
    """Funding or an award given to a base."""

    base = models.ForeignKey("bases.Base", verbose_name="基地", on_delete=models.PROTECT, related_name="supports")
    kind = models.CharField("类别", max_length=10, choices=SupportKind.choices)
    year = models.PositiveSmallIntegerField(
        "年度", validators=[MinValueValidator(REPORT_FIRST_YEAR), MaxValueValidator(2100)]
    )
    amount = models.DecimalField(
        "金额（万元）", max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    document = models.CharField("文件名称及文号", max_length=150)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "资金扶持与奖励"
        verbose_name_plural = "资金扶持与奖励"
        ordering = ["-year", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="base_support_amount_not_negative",
                condition=models.Q(amount__gte=0),
                violation_error_message="金额不能为负数。",
            )
        ]

    def __str__(self):
        return f"{self.base} {self.year} {self.get_kind_display()}"


class LiaisonDesignation(CleanText):
    """重点企业联系单位 with its liaison officer; one current per base, ended ones kept as history."""

    base = models.ForeignKey("bases.Base", verbose_name="基地", on_delete=models.PROTECT, related_name="liaisons")
    officer_name = models.CharField("联络员姓名", max_length=50)
    officer_phone = models.CharField("联络员电话", max_length=30, validators=[validate_phone])
    since = models.DateField("确定日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "重点企业联系单位"
        verbose_name_plural = "重点企业联系单位"
        ordering = ["-since", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["base"],
                condition=models.Q(ended_on__isnull=True),
                name="one_current_liaison_per_base",
                violation_error_message="该基地已是重点企业联系单位。",
            )
        ]

    def __str__(self):
        return f"{self.base} 联络员 {self.officer_name}"


class BaseService(CleanText):
    """A service given to a base (精准指导, 快速维权, 应急服务): when, by whom, what."""

    base = models.ForeignKey("bases.Base", verbose_name="基地", on_delete=models.PROTECT, related_name="services")
    kind = models.CharField("服务类别", max_length=10, choices=ServiceKind.choices)
    served_on = models.DateField("服务日期")
    provider = models.CharField("服务人员", max_length=100)
    content = models.TextField("服务内容", max_length=4000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "服务记录"
        verbose_name_plural = "服务记录"
        ordering = ["-served_on", "-pk"]

    def __str__(self):
        return f"{self.base} {self.get_kind_display()} {self.served_on}"
