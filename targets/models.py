"""The city's yearly targets per county (第十二条, 附件1), the goals of the planning period (十四五),
and the register of 贯标企业 (附件1 备注). What counts as done against them is defined once, in
selectors.actuals."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from bases.models import CleanText, County
from bases.validators import validate_credit_code

from .choices import FIRST_YEAR, MAX_COUNT, StandardPractice, TargetKind

YEAR_VALIDATORS = [MinValueValidator(FIRST_YEAR, "年度不能早于%(limit_value)s年。"), MaxValueValidator(2100)]


class Target(CleanText):
    """One cell of 附件1: how many bases of a level (or 贯标企业) a county is to build in a year."""

    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    county = models.ForeignKey(County, verbose_name="区、县（市）", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("任务类别", max_length=20, choices=TargetKind.choices)
    count = models.PositiveIntegerField("任务数", validators=[MaxValueValidator(MAX_COUNT)])
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="下达人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "年度建设任务"
        verbose_name_plural = "年度建设任务"
        ordering = ["-year", "county__order", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "county", "kind"],
                name="one_target_per_year_county_and_kind",
                violation_error_message="该区、县（市）该年度的此项任务已下达。",
            )
        ]

    def __str__(self):
        return f"{self.year}年{self.county}{self.get_kind_display()}：{self.count}"


class PeriodGoal(CleanText):
    """二、工作目标: what the whole city is to reach by the end of a planning period (十四五, 2021–2025:
    30 provincial, 150 city-level and 300 county-level bases, 400 贯标企业)."""

    name = models.CharField("规划期", max_length=20, help_text="如：十四五")
    first_year = models.PositiveSmallIntegerField("起始年度", validators=YEAR_VALIDATORS)
    last_year = models.PositiveSmallIntegerField("截止年度", validators=YEAR_VALIDATORS)
    kind = models.CharField("目标类别", max_length=20, choices=TargetKind.choices)
    count = models.PositiveIntegerField("目标数", validators=[MaxValueValidator(MAX_COUNT)])

    class Meta:
        verbose_name = "规划期目标"
        verbose_name_plural = "规划期目标"
        ordering = ["-first_year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "kind"],
                name="one_goal_per_period_and_kind",
                violation_error_message="该规划期的此项目标已存在。",
            ),
            models.CheckConstraint(
                name="period_years_in_order",
                condition=Q(last_year__gte=F("first_year")),
                violation_error_message="截止年度不能早于起始年度。",
            ),
        ]

    def __str__(self):
        return f"“{self.name}”{self.get_kind_display()}：{self.count}"


class StandardEnterprise(CleanText):
    """A 贯标企业 (附件1 备注): an enterprise that implements or tries out the provincial standard, its own
    protection work included; counted once (its credit code), in the county and year it is entered."""

    credit_code = models.CharField(
        "统一社会信用代码",
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
        error_messages={"unique": "该企业已登记为贯标企业，每家企业只计一次。"},
    )
    name = models.CharField("企业名称", max_length=100)
    county = models.ForeignKey(County, verbose_name="所在区、县（市）", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("计入年度", validators=YEAR_VALIDATORS)
    practice = models.CharField("开展方式", max_length=20, choices=StandardPractice.choices)
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "贯标企业"
        verbose_name_plural = "贯标企业"
        ordering = ["-year", "county__order", "name"]
        indexes = [models.Index(fields=["county", "year"], name="enterprise_county_year")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.credit_code = (self.credit_code or "").strip().upper()
        super().save(*args, **kwargs)
