"""Input validation of the targets pages: the year asked for, the targets typed in (one row per county),
an imported 附件1 judged as a whole (every bad row named, nothing taken from a file with one), and the
entries of the 贯标企业 register."""

from django import forms
from django.core.exceptions import ValidationError

from bases.forms import ExplainedErrors, mark_invalid
from bases.validators import ATTACHMENT_FORMATS, detect_attachment_kind, validate_credit_code
from bases.widgets import Select

from . import annex, selectors
from .choices import KINDS, MAX_COUNT, StandardPractice, TargetKind

COUNT_ERRORS = {
    "required": "请填写任务数（没有任务的填 0）。",
    "invalid": "任务数应为整数。",
    "min_value": "任务数不能为负数。",
    "max_value": "任务数不能超过 %(limit_value)s。",
}


def year_field(years: list[int], *, label: str = "年度") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        choices=[(year, f"{year}年") for year in years],
        widget=Select,
        error_messages={
            "required": "请选择年度。",
            "invalid_choice": f"年度“%(value)s”无效：请选择{years[0]}年至{years[-1]}年之间的年度。",
        },
    )


class Marked:
    """Form mixin: a control in error points at its message and says it is invalid (screen readers)."""

    def full_clean(self):
        super().full_clean()
        mark_invalid(self)


class YearForm(Marked, forms.Form):
    """The year a page shows (the query string's `year`)."""

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"] = year_field(years)


class TargetRowForm(Marked, forms.Form):
    """One county's row of 附件1: its four targets."""

    county = forms.ModelChoiceField(
        queryset=selectors.counties(),
        widget=forms.HiddenInput,
        error_messages={"required": "缺少区、县（市）。", "invalid_choice": "区、县（市）无效。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in TargetKind:
            # A text input (numeric keyboard): what was typed comes back as it was, whatever it is.
            self.fields[self.field_name(kind)] = forms.IntegerField(
                label=KINDS[kind].annex_header,
                min_value=0,
                max_value=MAX_COUNT,
                error_messages=COUNT_ERRORS,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6, "autocomplete": "off"}),
            )

    @staticmethod
    def field_name(kind) -> str:
        return f"target_{TargetKind(kind).value}"

    def kind_fields(self):
        return [self[self.field_name(kind)] for kind in TargetKind]


class BaseTargetFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = [form.cleaned_data["county"] for form in self.forms if form.cleaned_data]
        expected = list(selectors.counties())
        if sorted(c.pk for c in seen) != sorted(c.pk for c in expected):
            raise ValidationError("提交的区、县（市）不完整或有重复，请刷新页面后重新填写。", code="counties")

    def figures(self) -> dict[tuple[int, str], int]:
        return {
            (form.cleaned_data["county"].pk, kind.value): form.cleaned_data[TargetRowForm.field_name(kind)]
            for form in self.forms
            for kind in TargetKind
        }


TargetFormSet = forms.formset_factory(
    TargetRowForm, formset=BaseTargetFormSet, extra=0, max_num=50, absolute_max=50, validate_max=True
)


def parse_count(value) -> int:
    """A cell of 附件1 as a target: a whole number from 0 to MAX_COUNT (5, 5.0 or “5”); else ValueError
    saying what is wrong, as the message will read after the column's name."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("未填写（没有任务的填 0）")
    if isinstance(value, bool):
        raise ValueError(f"应为整数，表中为“{value}”")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        raise ValueError(f"应为整数，表中为“{str(value)[:20]}”")
    if value < 0:
        raise ValueError(f"不能为负数，表中为 {value}")
    if value > MAX_COUNT:
        raise ValueError(f"不能超过 {MAX_COUNT}，表中为 {value}")
    return value


class TargetImportForm(Marked, forms.Form):
    """An 附件1 workbook for a year, judged whole: every row must name a county of the city, once,
    with a whole number in each of the four columns; every county must be there; a 合计 row, if any,
    must add up; a year in the title must be the year chosen. Each row that fails is named with what
    is wrong in it, and a file with any failing row gives nothing (`figures` only when valid)."""

    file = forms.FileField(
        label="附件1表格（.xlsx）",
        help_text="按附件1的格式：第一列为各区、县（市），其后为省级、市级、县级商业秘密保护基地和各地贯标企业数；可先下载本年度的模板填写。",
        error_messages={"required": "请选择要导入的附件1表格。", "empty": "上传的文件是空文件。"},
    )

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"year": year_field(years, label="任务年度"), **self.fields}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        kind = detect_attachment_kind(upload)  # a workbook by its content, and no ZIP bomb
        if ATTACHMENT_FORMATS[kind].extension != "xlsx":
            raise ValidationError("请上传 Excel 工作簿（.xlsx）。", code="file_type")
        try:
            self.annex = annex.read(upload)
        except annex.AnnexError as exc:
            raise ValidationError(str(exc), code="layout") from exc
        return upload

    def clean(self):
        cleaned = super().clean()
        table, year = getattr(self, "annex", None), cleaned.get("year")
        if table is None or year is None:
            return cleaned
        problems, figures = [], {}
        if table.year is not None and table.year != year:
            problems.append(f"表格标题为{table.year}年的任务，与所选的{year}年不符。")
        counties = {annex.compact(county.name): county for county in selectors.counties()}
        seen = {}
        for row in table.rows:
            county = counties.get(row.label)
            if county is None:
                names = "、".join(c.name for c in counties.values())
                problems.append(
                    f"第{row.number}行：“{row.label[:20] or '（空）'}”不是本市的区、县（市）（应为{names}之一）。"
                )
                continue
            if county.pk in seen:
                problems.append(f"第{row.number}行：{county.name}与第{seen[county.pk]}行重复。")
                continue
            seen[county.pk] = row.number
            wrong = []
            for kind in TargetKind:
                try:
                    figures[(county.pk, kind.value)] = parse_count(row.values.get(kind))
                except ValueError as why:
                    wrong.append(f"“{KINDS[kind].annex_header}”{why}")
            if wrong:
                problems.append(f"第{row.number}行（{county.name}）：" + "；".join(wrong) + "。")
        missing = [county.name for county in counties.values() if county.pk not in seen]
        if missing:
            problems.append(f"表中缺少{'、'.join(missing)}：附件1须列出全部区、县（市）。")
        if table.total is not None and not problems:
            for kind in TargetKind:
                written = table.total.values.get(kind)
                if written is None:  # a formula Excel has not computed: nothing to compare
                    continue
                summed = sum(figures[(county.pk, kind.value)] for county in counties.values())
                try:
                    total = parse_count(written)
                except ValueError as why:
                    problems.append(f"第{table.total.number}行（合计）：“{KINDS[kind].annex_header}”{why}。")
                    continue
                if total != summed:
                    problems.append(
                        f"第{table.total.number}行（合计）：“{KINDS[kind].annex_header}”为 {total}，"
                        f"与各区、县（市）之和 {summed} 不符。"
                    )
        if problems:
            self.add_error("file", [ValidationError(problem, code="row") for problem in problems])
        else:
            cleaned["figures"] = figures
        return cleaned


class StandardEnterpriseForm(ExplainedErrors, forms.Form):
    """An entry of the 贯标企业 register (附件1 备注)."""

    credit_code = forms.CharField(
        label="统一社会信用代码",
        max_length=18,
        help_text="18位；每家企业只计一次",
        error_messages={"required": "请填写统一社会信用代码。"},
    )
    name = forms.CharField(label="企业名称", max_length=100, error_messages={"required": "请填写企业名称。"})
    county = forms.ModelChoiceField(
        label="所在区、县（市）",
        queryset=selectors.counties(),
        empty_label="请选择",
        widget=Select,
        error_messages={"required": "请选择所在区、县（市）。", "invalid_choice": "请选择您所辖的区、县（市）。"},
    )
    practice = forms.ChoiceField(
        label="开展方式",
        choices=StandardPractice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择开展方式。", "invalid_choice": "请选择列出的开展方式。"},
    )
    note = forms.CharField(
        label="说明", max_length=200, required=False, help_text="如：参加2026年商业秘密保护大讲堂后开展贯标"
    )

    def __init__(self, *args, user, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = selectors.counties_for_user(user)
        self.fields["year"] = year_field(years, label="计入年度")
        self.order_fields(["credit_code", "name", "county", "year", "practice", "note"])

    def clean_credit_code(self):
        code = "".join(self.cleaned_data["credit_code"].split()).upper()
        validate_credit_code(code)
        return code


class StandardEnterpriseFilterForm(ExplainedErrors, forms.Form):
    """The register's filters (the query string)."""

    q = forms.CharField(label="企业名称或信用代码", max_length=100, required=False)

    def __init__(self, *args, user, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"] = forms.TypedChoiceField(
            label="计入年度",
            coerce=int,
            required=False,
            empty_value=None,
            choices=[("", "全部年度"), *((year, f"{year}年") for year in years)],
            widget=Select,
            error_messages={"invalid_choice": "请选择列出的年度。"},
        )
        self.fields["county"] = forms.ModelChoiceField(
            label="区、县（市）",
            queryset=selectors.counties_for_user(user),
            required=False,
            empty_label="全部",
            widget=Select,
            error_messages={"invalid_choice": "请选择列出的区、县（市）。"},
        )
        self.order_fields(["q", "year", "county"])
