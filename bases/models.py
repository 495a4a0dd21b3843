"""Domain model of the bases app: counties, industries, organisations, batches,
applications (the three forms 附表1–3 share one model, whose workflow is declared in
workflow.py), their evidence, their append-only log and the recognised bases."""

import dataclasses
import datetime
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from . import forms_spec, states
from .choices import (
    ADMIN_ROLES,
    APPLICATION_LEVELS,
    CITY_LEVEL_ROLES,
    AttachmentKind,
    AttachmentPurpose,
    BaseStatus,
    BaseType,
    IndustryCategory,
    Level,
    LogAction,
    OrganisationKind,
    OrganisationStatus,
    RevocationGround,
    Role,
    SecurityEventKind,
    State,
    choices_of,
)
from .rules import Rules, city_rules, content_problems, deadline_problem, rules_from_content
from .storage import private_storage
from .validators import (
    ATTACHMENT_FORMATS,
    text_problem,
    validate_credit_code,
    validate_phone,
    validate_postcode,
    validate_sane_date,
)
from .workflow import ApplicationWorkflow

REAPPLY_BAN_YEARS = 2  # 第十五条


def reapply_free_on(revoked_on: datetime.date) -> datetime.date:
    """第十五条: the first day an organisation revoked on `revoked_on` may apply again (2 years on)."""
    try:
        return revoked_on.replace(year=revoked_on.year + REAPPLY_BAN_YEARS)
    except ValueError:
        # Revoked on 29 February: the period ends on 28 February (民法典第二百零二条), so 1 March is free.
        return datetime.date(revoked_on.year + REAPPLY_BAN_YEARS, 3, 1)


class CleanText(models.Model):
    """Every model of the platform: its texts hold no control characters (a single-line one no line
    break either), a long text keeps to its max_length (which the database does not), and its dates
    lie in a sane range. Checked in full_clean, which every service and the admin run before saving."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude=[*(exclude or ()), *self._related_in_hand()])
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if (exclude and field.name in exclude) or field.name in errors:
                continue
            value = getattr(self, field.attname)
            problems = []
            if isinstance(field, models.CharField | models.TextField) and not field.choices:
                problem = text_problem(value, multiline=isinstance(field, models.TextField))
                if problem:
                    problems.append(ValidationError(f"{field.verbose_name}{problem}", code="control_characters"))
                limit = field.max_length if isinstance(field, models.TextField) else None
                if limit and len(value or "") > limit:
                    message = f"{field.verbose_name}最多 {limit} 字（当前 {len(value)} 字）。"
                    problems.append(ValidationError(message, code="max_length"))
            elif isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
                try:
                    validate_sane_date(value)
                except ValidationError as error:
                    problems.append(error)
            if problems:
                errors[field.name] = problems
        if errors:
            raise ValidationError(errors)

    def _related_in_hand(self) -> list[str]:
        """The foreign keys whose saved object the instance holds (set from it, or read with it): Django
        would query each to learn that it exists (two of the three queries of a log entry's check); the
        database's foreign key constraint still refuses one deleted meanwhile."""
        return [
            field.name
            for field in self._meta.concrete_fields
            if isinstance(field, models.ForeignKey)
            and not field.get_limit_choices_to()
            and field.is_cached(self)
            and (related := field.get_cached_value(self)) is not None
            and related.pk is not None
            and not related._state.adding
            and getattr(self, field.attname) == getattr(related, field.target_field.attname)
        ]


class County(CleanText):
    """区、县（市）: the six of 附件1. Reference data, loaded from fixtures/counties.json."""

    code = models.CharField("行政区划代码", max_length=6, unique=True)
    name = models.CharField("名称", max_length=20, unique=True)
    bureau_name = models.CharField("县局名称", max_length=50)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "区、县（市）"
        verbose_name_plural = "区、县（市）"
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class Industry(CleanText):
    """所属行业: editable data; the nine of 第三条（五） are seeded."""

    name = models.CharField("行业名称", max_length=30, unique=True)
    category = models.CharField(
        "产业类别", max_length=20, choices=IndustryCategory.choices, default=IndustryCategory.OTHER
    )
    order = models.PositiveSmallIntegerField("排序", default=100)
    is_active = models.BooleanField("可选用", default=True)

    class Meta:
        verbose_name = "行业"
        verbose_name_plural = "行业"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Organisation(CleanText):
    """An applicant: a park, an association/chamber/township, or an enterprise."""

    name = models.CharField("单位名称", max_length=100)
    kind = models.CharField("单位类型", max_length=20, choices=OrganisationKind.choices)
    credit_code = models.CharField(
        "统一社会信用代码",
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
        help_text="18位，按 GB 32100-2015 校验",
        error_messages={"unique": "该统一社会信用代码已注册。如需新增账号，请联系本单位已注册的经办人或所在地县局。"},
    )
    county = models.ForeignKey(
        County, verbose_name="所在区、县（市）", on_delete=models.PROTECT, related_name="organisations"
    )
    industry = models.ForeignKey(
        Industry, verbose_name="所属行业", on_delete=models.PROTECT, null=True, blank=True, related_name="organisations"
    )
    address = models.CharField("地址", max_length=200)
    postcode = models.CharField("邮政编码", max_length=6, validators=[validate_postcode])
    legal_representative = models.CharField("法定代表人（负责人）", max_length=50)
    contact_name = models.CharField("联系人", max_length=50)
    contact_title = models.CharField("职务/职称", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, validators=[validate_phone])
    contact_email = models.EmailField("电子邮箱", blank=True)
    status = models.CharField(
        "确认状态", max_length=20, choices=OrganisationStatus.choices, default=OrganisationStatus.PENDING
    )
    status_note = models.CharField("确认说明", max_length=200, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "申报单位"
        verbose_name_plural = "申报单位"
        ordering = ["county__order", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.credit_code = (self.credit_code or "").strip().upper()
        loaded = getattr(self, "_loaded_county_id", None)
        if loaded is not None and loaded != self.county_id:
            # Application.county copies the organisation's county (an indexed scope): moved with it,
            # before the save, whose receivers (bases.cached) then count the applications where they are.
            self.applications.update(county_id=self.county_id)
        super().save(*args, **kwargs)
        self._loaded_county_id = self.county_id

    @classmethod
    def from_db(cls, db, field_names, values):
        organisation = super().from_db(db, field_names, values)
        organisation._loaded_county_id = organisation.__dict__.get("county_id")
        return organisation

    @property
    def is_rejected(self) -> bool:
        return self.status == OrganisationStatus.REJECTED

    @property
    def allowed_base_types(self) -> list[str]:
        return forms_spec.base_types_for_organisation(self.kind)

    def may_apply_again_on(self) -> datetime.date | None:
        """第十五条: after a revocation the organisation may not apply for 2 years.

        Returns the first day it may apply again, or None when it is not barred today.
        """
        revoked = [b.revoked_on for b in self.bases.all() if b.is_revoked and b.revoked_on]
        if not revoked:
            return None
        free_on = reapply_free_on(max(revoked))
        return free_on if free_on > timezone.localdate() else None

    def reapply_ban_message(self) -> str:
        """The refusal shown wherever a barred organisation tries to apply; empty when not barred."""
        free_on = self.may_apply_again_on()
        if free_on is None:
            return ""
        return (
            f"{self.name}的商业秘密保护基地认定已被撤销，按指南第十五条2年内不得再次申报，"
            f"可于{free_on.year}年{free_on.month}月{free_on.day}日起重新申报。"
        )


class User(CleanText, AbstractUser):
    """A person. The role decides the scope: an applicant sees its organisation,
    county staff their county, city staff everything."""

    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.APPLICANT)
    organisation = models.ForeignKey(
        Organisation, verbose_name="所属单位", on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    county = models.ForeignKey(
        County, verbose_name="所属县局", on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    phone = models.CharField("手机号码", max_length=30, blank=True, validators=[validate_phone])
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                name="user_role_scope",
                condition=(Q(role=Role.APPLICANT) & Q(county__isnull=True))
                | (Q(role=Role.COUNTY) & Q(organisation__isnull=True) & Q(county__isnull=False))
                | (Q(role__in=sorted(CITY_LEVEL_ROLES)) & Q(organisation__isnull=True) & Q(county__isnull=True))
                # 分管领导: of the city bureau (no county) or of one county bureau.
                | (Q(role=Role.LEADER) & Q(organisation__isnull=True)),
                violation_error_message="角色与所属单位/县局不匹配：申报单位用户只关联单位，县局工作人员必须关联一个县局，"
                "市局用户不关联单位和县局，分管领导不关联单位（市局分管领导不选县局，县局分管领导选其县局）。",
            )
        ]

    def __str__(self):
        full = f"{self.last_name}{self.first_name}".strip()
        return f"{full}（{self.username}）" if full else self.username

    def save(self, *args, **kwargs):
        # The three administrators (三员) work in the admin site; nobody else does.
        self.is_staff = self.role in ADMIN_ROLES or self.is_superuser
        super().save(*args, **kwargs)

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()  # the expiry (bases/passwords.py) counts from here

    @property
    def display_name(self) -> str:
        return f"{self.last_name}{self.first_name}".strip() or self.username


def default_deadline():
    return datetime.date(timezone.localdate().year, 9, 30)


class Batch(CleanText):
    """申报批次: the yearly round. 第十一条（二）: applications close on 30 September."""

    year = models.PositiveSmallIntegerField(
        "年度", unique=True, validators=[MinValueValidator(2021), MaxValueValidator(2100)]
    )
    name = models.CharField("批次名称", max_length=100)
    deadline = models.DateField("申报截止日期", default=default_deadline, help_text="含当日；默认当年9月30日")
    publicity_working_days = models.PositiveSmallIntegerField(
        "公示期（工作日）",
        default=5,
        validators=[MinValueValidator(5), MaxValueValidator(30)],
        help_text="公示期一般为5个工作日，不少于5个工作日；结束日期按节假日安排自动计算",
    )

    class Meta:
        verbose_name = "申报批次"
        verbose_name_plural = "申报批次"
        ordering = ["-year"]

    def __str__(self):
        return self.name

    @property
    def is_open(self) -> bool:
        return timezone.localdate() <= self.deadline


class CountyRules(CleanText):
    """一个县局为本县县级基地定的规则（第十七条）, for one batch: the deadline of its county-level
    applications, the titles printed on their forms, the thresholds of the conditions (stricter than
    the notice's or the same) and the length of their 公示. Made as a copy of the city's, then edited
    by the county's administrator (permission manage_county_rules) through
    services.county_rules_update, each change kept in CountyRulesChange."""

    county = models.ForeignKey(County, verbose_name="区、县（市）", on_delete=models.PROTECT, related_name="rules")
    batch = models.ForeignKey(Batch, verbose_name="申报批次", on_delete=models.PROTECT, related_name="county_rules")
    deadline = models.DateField("县级申报截止日期")
    publicity_working_days = models.PositiveSmallIntegerField("公示期（工作日）")
    titles = models.JSONField("申报表表名", default=dict)
    thresholds = models.JSONField("条件指标", default=dict)
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "县级基地规则"
        verbose_name_plural = "县级基地规则"
        ordering = ["batch__year", "county__order"]
        constraints = [models.UniqueConstraint(fields=["county", "batch"], name="one_county_rules_per_batch")]
        permissions = [("manage_county_rules", "可制定本县局县级基地规则")]

    def __str__(self):
        return f"{self.county.name}{self.batch.year}年度县级基地规则"

    def clean(self):
        problems = content_problems(
            thresholds=self.thresholds if isinstance(self.thresholds, dict) else {},
            titles=self.titles if isinstance(self.titles, dict) else {},
            publicity_working_days=self.publicity_working_days,
        )
        errors: dict[str, list[str]] = {}
        for where, messages in problems.items():
            column = {"threshold": "thresholds", "title": "titles"}.get(where.partition(":")[0], where)
            errors.setdefault(column, []).extend(messages)
        if self.deadline and self.batch_id:
            problem = deadline_problem(self.deadline, batch=self.batch, changed=False)
            if problem:
                errors["deadline"] = [problem]
        if errors:
            raise ValidationError(errors)

    def content(self) -> dict:
        """The rules as a change's snapshot stores them (JSON), read back by bases.rules.rules_from_content."""
        return {
            "deadline": self.deadline.isoformat(),
            "publicity_working_days": self.publicity_working_days,
            "titles": dict(self.titles),
            "thresholds": dict(self.thresholds),
        }

    def rules(self) -> Rules:
        county = self.county.name
        return rules_from_content(
            self.content(), source=f"{county}县级基地规则（第{self.version}版）", county_name=county
        )


def rules_in_force(*, batch: Batch, county: County, level: str) -> Rules:
    """The rules an application of `level` from `county` in `batch` follows now: the county's own for
    county-level ones where it has made them, else the city's."""
    if level == Level.COUNTY:
        own = CountyRules.objects.filter(batch=batch, county=county).select_related("county").first()
        if own is not None:
            return own.rules()
    return city_rules(batch=batch, level=level, county_name=county.name)


class CalendarYear(CleanText):
    """A year whose statutory holidays and make-up working days have been entered (国务院办公厅
    关于部分节假日安排的通知). Working days of a year not entered here cannot be computed."""

    year = models.PositiveSmallIntegerField(
        "年度", unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    source = models.CharField(
        "依据", max_length=200, blank=True, help_text="如：国务院办公厅关于2027年部分节假日安排的通知"
    )

    class Meta:
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}年节假日安排"


class ReferenceCounter(CleanText):
    """The last number handed out under a reference stem (SX2026P, YY2026 …): one row per stem,
    locked while a number is taken (bases.services.reference_next), so two writers never get the same."""

    stem = models.CharField("编号前缀", max_length=20, unique=True)
    last = models.PositiveIntegerField("已用至", default=0)

    class Meta:
        verbose_name = "编号计数器"
        verbose_name_plural = "编号计数器"

    def __str__(self):
        return f"{self.stem}：{self.last}"


class CalendarDay(CleanText):
    """A weekday off (法定节假日) or a weekend day worked (调休上班) in a covered year."""

    calendar_year = models.ForeignKey(CalendarYear, verbose_name="年度", on_delete=models.CASCADE, related_name="days")
    day = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("调休上班", default=False, help_text="勾选：周末调休上班；不勾选：法定节假日休息")
    name = models.CharField("节日", max_length=30)

    class Meta:
        verbose_name = "节假日或调休日"
        verbose_name_plural = "节假日或调休日"
        ordering = ["day"]

    def __str__(self):
        return f"{self.day} {self.name}{'（调休上班）' if self.is_workday else ''}"

    def clean(self):
        if self.day and self.calendar_year_id and self.day.year != self.calendar_year.year:
            raise ValidationError({"day": f"日期应在{self.calendar_year.year}年内。"})


class Application(CleanText, ApplicationWorkflow):
    """One organisation's application for one base type at one level in one batch.

    The columns are the union of the cells of 附表1–3; `forms_spec.SPECS[base_type]`
    says which of them the form of this type shows, in which order, under which
    label. The self-assessment against the conditions is a JSON document whose
    shape is also declared there.
    """

    reference = models.CharField("申报编号", max_length=20, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name="申报单位", on_delete=models.PROTECT, related_name="applications"
    )
    # The organisation's county, copied (save() below, Organisation.save when it moves) so that a
    # county's scope is one indexed column of this table, not a join.
    county = models.ForeignKey(
        County,
        verbose_name="所在区、县（市）",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,  # application_county_recent starts with it
    )
    batch = models.ForeignKey(Batch, verbose_name="申报批次", on_delete=models.PROTECT, related_name="applications")
    base_type = models.CharField("基地类型", max_length=10, choices=BaseType.choices)
    level = models.CharField("申报级别", max_length=10, choices=choices_of(APPLICATION_LEVELS), default=Level.CITY)
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    # Cells of the paper forms (labels come from forms_spec).
    applicant_name = models.CharField("单位名称", max_length=100, blank=True)
    leader_name = models.CharField("负责人/法定代表人", max_length=50, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    postcode = models.CharField("邮政编码", max_length=6, blank=True, validators=[validate_postcode])
    category = models.CharField("类型", max_length=30, blank=True)
    enterprise_count = models.PositiveIntegerField("入园企业数量", null=True, blank=True)
    member_count = models.PositiveIntegerField("会员数量", null=True, blank=True)
    employee_count = models.PositiveIntegerField("员工数量", null=True, blank=True)
    output_value = models.DecimalField(
        "产值（万元）", max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    provincial_sites_built = models.PositiveIntegerField("省级示范站（点）已建数", null=True, blank=True)
    city_sites_built = models.PositiveIntegerField("市级示范站（点）已建数", null=True, blank=True)
    industry = models.ForeignKey(
        Industry, verbose_name="所属行业", on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_title = models.CharField("职务/职称", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True, validators=[validate_phone])
    narrative = models.TextField("商业秘密保护工作开展情况", blank=True, max_length=10000)
    applicant_opinion = models.TextField("申报单位意见", blank=True, max_length=2000)
    # The two opinion cells at the foot of every form (县市场监管局推荐意见, 市局验收意见).
    county_opinion = models.TextField("县市场监管局推荐意见", blank=True, max_length=2000)
    county_signer = models.CharField("推荐意见负责人", max_length=50, blank=True)
    county_opinion_on = models.DateField("推荐日期", null=True, blank=True)
    city_opinion = models.TextField("验收意见", blank=True, max_length=2000)
    city_signer = models.CharField("验收意见负责人", max_length=50, blank=True)
    city_opinion_on = models.DateField("验收意见日期", null=True, blank=True)
    # 报批 (第十一条（四））: the authority's leader approves the acceptance opinion before any 公示. Empty
    # for applications accepted before the step existed, and while none is given.
    approval_opinion = models.TextField("审批意见", blank=True, max_length=2000)
    approved_by = models.CharField("批准人", max_length=50, blank=True)
    approved_on = models.DateField("批准日期", null=True, blank=True)
    self_assessment = models.JSONField("条件自评", default=dict, blank=True)
    # The county's rules as they stood when this county-level application was last submitted: it is
    # judged and handled by those (rules()), whatever the county changes afterwards. Null: city-level,
    # not yet submitted, or submitted while the county had no rules of its own.
    county_rules_change = models.ForeignKey(
        "CountyRulesChange",
        verbose_name="提交时适用的县级规则",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # 查询码: printed on each submission's receipt (申报回执); with the reference it opens the progress
    # lookup. Only its keyed digest is kept (bases/lookup_codes.py); "" before the first receipt.
    lookup_code_hash = models.CharField("查询码校验值", max_length=64, blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "申报"
        verbose_name_plural = "申报"
        ordering = ["-updated_at", "-pk"]
        indexes = [
            # The list and the start page's "recent", for the city and for a county.
            models.Index(F("updated_at").desc(), F("id").desc(), name="application_recent"),
            models.Index(F("county"), F("updated_at").desc(), F("id").desc(), name="application_county_recent"),
            # Work queues and their counts.
            models.Index(fields=["state", "level"], name="application_state_level"),
            # Search by the start of a reference number (LIKE 'SX2026%' on PostgreSQL).
            models.Index(fields=["reference"], opclasses=["varchar_pattern_ops"], name="application_reference_prefix"),
        ]
        constraints = [
            # One active application per organisation per batch.
            models.UniqueConstraint(
                fields=["organisation", "batch"],
                condition=~Q(state__in=sorted(s.value for s in states.states_where("active", False))),
                name="one_active_application_per_organisation_and_batch",
                violation_error_message="该单位在本批次已有一份有效申报。",
            ),
        ]
        permissions = [
            ("view_application_granted", "可查看（按对象授权）"),
            ("record_acceptance", "可记录验收情况（验收组成员，按对象授权）"),
        ]

    def __str__(self):
        return f"{self.reference} {self.applicant_name or self.organisation.name}"

    def save(self, *args, **kwargs):
        if self.county_id is None and self.organisation_id is not None:
            self.county_id = self.organisation.county_id
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        # The state is protected (django-fsm): only transitions set it, so never re-assign it here.
        # The county is filled in save(), from the organisation.
        super().clean_fields(exclude={*(exclude or ()), "state", "county"})

    @property
    def spec(self) -> forms_spec.BaseTypeSpec:
        return forms_spec.spec_for(self.base_type)

    @property
    def display_name(self) -> str:
        return self.applicant_name or self.organisation.name

    @property
    def form_values(self) -> dict:
        return {name: getattr(self, name) for name in self.spec.field_names}

    def rules(self) -> Rules:
        """The rules this application follows, asked by every place that reads a deadline, a form's
        title, a threshold or a 公示 length: the city's for city-level applications; for county-level
        ones the county's own rules (the city's where it has none) — as they stand while the
        application is being filled in, and as they stood at its last submission once submitted, so a
        change of the county's rules never moves the goalposts of an application already submitted
        (nor the 校验码 of its signed form). Kept on the instance for as long as what decides it."""
        key = (self.level, self.batch_id, self.county_id, self.state, self.submitted_at, self.county_rules_change_id)
        kept = self.__dict__.get("_rules")
        if kept is None or kept[0] != key:
            kept = (key, self._rules_now())
            self.__dict__["_rules"] = kept
        return kept[1]

    def _rules_now(self) -> Rules:
        if self.level != Level.COUNTY:  # the batch is read when its deadline or 公示 length is asked
            return city_rules(batch=lambda: self.batch, level=self.level)
        if self.submitted_at is not None and not states.is_unsubmitted(self.state):
            if self.county_rules_change_id is not None:
                return dataclasses.replace(self.county_rules_change.rules(), as_submitted=True)
            return city_rules(batch=self.batch, level=self.level, county_name=self.county.name)
        return rules_in_force(batch=self.batch, county=self.county, level=self.level)

    def county_rules_in_force(self) -> "CountyRulesChange | None":
        """The latest change of the county's own rules for this batch, for a county-level application
        (what it is submitted under); None where the city's apply."""
        if self.level != Level.COUNTY:
            return None
        return (
            CountyRulesChange.objects.filter(
                county_rules__batch_id=self.batch_id, county_rules__county_id=self.county_id
            )
            .order_by("-version")
            .first()
        )

    def condition_results(self) -> list[forms_spec.ConditionResult]:
        return forms_spec.evaluate(self.spec, self.form_values, self.self_assessment, self.rules().thresholds)

    def submission_problems(self) -> list["Problem"]:
        """Everything that keeps this application from being submitted, listed at once (一次性告知),
        each with where to mend it: a cell or the narrative of the form, a condition's self-assessment,
        or a condition's evidence."""
        spec = self.spec
        problems = [
            Problem(f"“{f.label}”未填写", "field", f.name) for f in spec.fields if getattr(self, f.name) in (None, "")
        ]
        narrative = len(self.narrative.strip())
        if narrative < spec.narrative_min_length:
            problems.append(
                Problem(
                    f"“{spec.narrative_label}”不少于{spec.narrative_min_length}字（现有{narrative}字）",
                    "field",
                    "narrative",
                )
            )
        if not self.applicant_opinion.strip():
            problems.append(Problem(f"“{spec.applicant_opinion_label}”未填写", "field", "applicant_opinion"))
        evidenced = {a.condition_code for a in self.attachments.all() if a.purpose == AttachmentPurpose.EVIDENCE}
        for result in self.condition_results():
            c = result.condition
            if not result.complete:
                problems.append(
                    Problem(f"{c.article}{c.title}：自评未完成（是否具备、说明及数据均需填写）", "condition", c.code)
                )
            elif not result.holds:
                failed = "；".join(r.text for r in result.checks if r.passed is False)
                text = f"{c.article}{c.title}：不具备该条件" + (f"（{failed}）" if failed else "")
                problems.append(Problem(text, "condition", c.code))
            if c.code not in evidenced:
                problems.append(Problem(f"{c.article}{c.title}：未上传证明材料", "evidence", c.code))
        return problems


class Problem(str):
    """One thing that keeps an application from being submitted: its text, and where to mend it
    (`where`: "field", "condition" or "evidence"; `key`: the field name or condition code)."""

    def __new__(cls, text: str, where: str, key: str):
        problem = super().__new__(cls, text)
        problem.where, problem.key = where, key
        return problem


def attachment_path(instance, filename):
    # The stored name is random, with the extension of the type found in the content (kind); the
    # uploader's name is kept only for display. Files stored before had no extension at all.
    return f"attachments/{instance.application_id}/{uuid.uuid4().hex}.{ATTACHMENT_FORMATS[instance.kind].extension}"


class Attachment(CleanText):
    application = models.ForeignKey(
        Application, verbose_name="申报", on_delete=models.PROTECT, related_name="attachments"
    )
    purpose = models.CharField(
        "用途", max_length=10, choices=AttachmentPurpose.choices, default=AttachmentPurpose.EVIDENCE
    )
    condition_code = models.CharField("对应条件", max_length=20, blank=True, help_text="空表示其他材料")
    file = models.FileField("文件", upload_to=attachment_path, storage=private_storage, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    kind = models.CharField("文件类型", max_length=10, choices=AttachmentKind.choices)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    # A signed form's scan: the 校验码 printed on the form it was made from, as the applicant read it.
    form_code = models.CharField("申报表校验码", max_length=9, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "证明材料"
        verbose_name_plural = "证明材料"
        ordering = ["condition_code", "uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    @property
    def download_name(self) -> str:
        """The uploader's name with the extension of the detected type: a PDF uploaded as
        “报告.html” is downloaded as “报告.pdf”."""
        stem = self.original_name.rpartition(".")[0] or self.original_name
        return f"{stem}.{ATTACHMENT_FORMATS[self.kind].extension}"

    @property
    def content_type(self) -> str:
        return ATTACHMENT_FORMATS[self.kind].mime

    @property
    def condition(self):
        if not self.condition_code:
            return None
        return self.application.spec.condition(self.condition_code)


class Base(CleanText):
    """A recognised base (已认定), created by the recognition transition."""

    public_id = models.UUIDField("公开编号", default=uuid.uuid4, unique=True, editable=False)
    application = models.OneToOneField(Application, verbose_name="申报", on_delete=models.PROTECT, related_name="base")
    organisation = models.ForeignKey(Organisation, verbose_name="单位", on_delete=models.PROTECT, related_name="bases")
    name = models.CharField("基地名称", max_length=150)
    base_type = models.CharField("基地类型", max_length=10, choices=BaseType.choices)
    level = models.CharField("级别", max_length=10, choices=Level.choices)
    year = models.PositiveSmallIntegerField("认定年度")
    document_number = models.CharField("认定文号", max_length=50)
    recognised_on = models.DateField("认定日期")
    status = models.CharField("状态", max_length=10, choices=BaseStatus.choices, default=BaseStatus.VALID)
    revoked_on = models.DateField("撤销日期", null=True, blank=True)
    revocation_ground = models.CharField("撤销事由", max_length=20, choices=RevocationGround.choices, blank=True)
    revocation_details = models.TextField("撤销情况说明", blank=True, max_length=10000)
    revocation_document = models.CharField("撤销文号", max_length=50, blank=True)

    class Meta:
        verbose_name = "商业秘密保护基地"
        verbose_name_plural = "商业秘密保护基地"
        ordering = ["-recognised_on", "name"]
        indexes = [models.Index(F("recognised_on").desc(), F("name"), name="base_recognised")]

    def __str__(self):
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.status == BaseStatus.REVOKED


class LogHead(CleanText):
    """The digest of the last entry of an application's log chain. Its row is locked while an entry
    is appended (one chain per application: other applications never wait), and verify_log checks
    that the chain ends where it says, so that an entry removed from the end is found too."""

    application = models.OneToOneField(
        Application, verbose_name="申报", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    digest = models.CharField("末条记录摘要", max_length=64)

    class Meta:
        verbose_name = "办理记录链末端"
        verbose_name_plural = "办理记录链末端"

    def __str__(self):
        return self.digest


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("办理记录只能追加，不能修改。")

    def delete(self):
        raise AppendOnlyError("办理记录只能追加，不能删除。")


class AppendOnly:
    """A record written once and never changed or deleted (logs, issued documents): saving a row
    that exists, or deleting one, raises AppendOnlyError with the model's own words."""

    APPEND_ONLY_MESSAGES = ("办理记录只能追加，不能修改。", "办理记录只能追加，不能删除。")

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError(self.APPEND_ONLY_MESSAGES[0])
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(self.APPEND_ONLY_MESSAGES[1])


class ApplicationLog(AppendOnly, CleanText):
    """Who did what to an application, when, from where and why. Never updated or deleted."""

    application = models.ForeignKey(Application, verbose_name="申报", on_delete=models.PROTECT, related_name="log")
    action = models.CharField("操作类型", max_length=20, choices=LogAction.choices)
    transition = models.CharField("流程操作", max_length=40, blank=True)
    label = models.CharField("操作", max_length=40)
    from_state = models.CharField("原状态", max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField("新状态", max_length=20, choices=State.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField("操作人角色", max_length=30)
    comment = models.TextField("意见/说明", blank=True, max_length=10000)
    details = models.JSONField("明细", default=dict, blank=True)  # e.g. the items of a 退回修改 (一次性告知)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    # The seal (bases/log_seal.py): the digest of the entry before it in this application's chain
    # ("" for the first), and the SHA-256 of this entry's content with that digest.
    previous_digest = models.CharField("上一条记录摘要", max_length=64, blank=True)
    digest = models.CharField("记录摘要（SHA-256）", max_length=64, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["created_at", "pk"]
        db_table = "reviews_applicationlog"  # created there before the log moved to this app
        constraints = [
            # A chain has no forks: no two entries of an application follow the same one.
            models.UniqueConstraint(fields=["application", "previous_digest"], name="log_chain_without_forks")
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.label}"


class CountyRulesChange(AppendOnly, CleanText):
    """One change of a county's rules (the first: the copy of the city's), with the whole rules after
    it: who, when, from where, why, and what changed. Never updated or deleted; a submitted
    application points at the one it was submitted under."""

    APPEND_ONLY_MESSAGES = ("县级规则的修改记录只能追加，不能修改。", "县级规则的修改记录只能追加，不能删除。")

    county_rules = models.ForeignKey(
        CountyRules, verbose_name="县级基地规则", on_delete=models.PROTECT, related_name="changes"
    )
    version = models.PositiveIntegerField("版本")
    content = models.JSONField("修改后的规则")
    changes = models.JSONField("修改内容", default=list, blank=True)  # [{"label", "old", "new"}]
    reason = models.TextField("修改说明", max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="修改人", on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField("修改时间", default=timezone.now)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "县级基地规则修改记录"
        verbose_name_plural = "县级基地规则修改记录"
        ordering = ["-changed_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["county_rules", "version"], name="county_rules_change_version")]

    def __str__(self):
        return f"{self.county_rules}第{self.version}版"

    def rules(self) -> Rules:
        county = self.county_rules.county
        return rules_from_content(
            self.content, source=f"{county.name}县级基地规则（第{self.version}版）", county_name=county.name
        )


class SecurityEvent(CleanText):
    """安全事件: sign-ins, failures, lockouts, two-factor events, changes of roles and permissions,
    exports of personal data. Appended by bases.security_events (signal receivers) and the services,
    read by the auditor in the admin, never changed; removed only when older than
    settings.SECURITY_EVENT_RETENTION_DAYS (at least 183: 网络安全法第二十一条)."""

    kind = models.CharField("事件", max_length=30, choices=SecurityEventKind.choices, db_index=True)
    username = models.CharField("账号", max_length=150, blank=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    detail = models.CharField("说明", max_length=500, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "安全事件"
        verbose_name_plural = "安全事件"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"
