"""Input of the workflow actions. Which form an action uses is declared in bases/workflow.py
(`custom["form"]`); each form says what goes to the transition method, to the side
effect and to the log."""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from bases import selectors
from bases.choices import (
    APPLICATION_LEVELS,
    UPWARD_LEVELS,
    AcceptanceKind,
    BaseType,
    Level,
    ObjectionOutcome,
    RevocationGround,
    choices_of,
)
from bases.dates import cn_date
from bases.forms import ExplainedErrors
from bases.validators import ATTACHMENT_ACCEPT, validate_phone
from bases.workflow import (
    Floor,
    acceptance_record_floor,
    date_problem,
    earliest_date,
    guidance_floor,
    open_revocation_case,
)

from .choices import ReviewOutcome, ServiceKind, SupportKind, UpwardDecision, UpwardOutcome, UpwardStatus
from .models import REPORT_FIRST_YEAR, AcceptanceRecord, GuidanceVisit, Objection
from .selectors import applications_in_publicity
from .services import REVIEW_RIGHTS, REVOCATION_STATEMENT_DAYS, document_number_refusal, publicity_period


class DateWidget(forms.DateInput):
    """A native date picker; its value must be ISO whatever the locale's display format."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def today():
    return timezone.localdate()


class StepDateField(forms.DateField):
    """The date of a step of the procedure: not after today and not before the step it follows
    (`floor`, from bases.workflow); today by default. The date picker offers only that range."""

    widget = DateWidget

    def __init__(self, *, floor: Floor | None = None, **kwargs):
        kwargs.setdefault("initial", today)
        super().__init__(**kwargs)
        self.set_floor(floor)

    def set_floor(self, floor: Floor | None) -> None:
        self.floor = floor
        self.widget.attrs["max"] = today().isoformat()
        if floor is not None:
            self.widget.attrs["min"] = floor.day.isoformat()
            self.help_text = f"不早于{floor.after}（{cn_date(floor.day)}），不晚于今天"
        else:
            self.widget.attrs.pop("min", None)
            self.help_text = "不晚于今天"

    def validate(self, value):
        super().validate(value)
        if value:
            problem = date_problem(value, self.floor)
            if problem:
                raise forms.ValidationError(problem, code="date")


DOCUMENT_NUMBER = re.compile(r"^\S{2,20}〔(\d{4})〕(\d{1,4})号$")


def clean_document_number(value: str) -> str:
    value = value.strip().replace("[", "〔").replace("]", "〕")
    if not DOCUMENT_NUMBER.match(value):
        raise forms.ValidationError("文号格式应为“机关代字〔年份〕序号号”，如 绍市监管〔2026〕12号。")
    return value


class ActionForm(ExplainedErrors, forms.Form):
    """Base: an optional or required comment, as the declaration says; the step's date, when the
    declaration names one, bounded by the date of the step before."""

    comment = forms.CharField(
        label="意见/理由", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, application, user, declared: dict, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.application, self.user, self.declared = application, user, declared
        mode = declared.get("comment")
        if mode is None and type(self) is ActionForm:
            del self.fields["comment"]
        else:
            self.fields["comment"].required = mode == "required"
            self.fields["comment"].label = f"{declared.get('comment_label') or '意见/理由'}"
        dated = declared.get("date")
        if dated in self.fields:
            self.fields[dated].set_floor(earliest_date(application, action))

    def method_kwargs(self) -> dict:
        return {}

    def effect_kwargs(self) -> dict:
        return {}

    def log_comment(self) -> str:
        return self.cleaned_data.get("comment", "")

    def log_details(self) -> dict:
        return {}


class OpinionForm(ActionForm):
    """An opinion cell of the form: text, the responsible person, the date."""

    opinion = forms.CharField(label="意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))
    signer = forms.CharField(label="负责人", max_length=50)
    signed_on = StepDateField(label="日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("comment", None)
        self.fields["signer"].initial = self.user.display_name

    def method_kwargs(self):
        return {k: self.cleaned_data[k] for k in ("opinion", "signer", "signed_on")}

    def log_comment(self):
        d = self.cleaned_data
        return f"{d['opinion']}（负责人：{d['signer']}，{cn_date(d['signed_on'])}）"


class ApprovalForm(ActionForm):
    """报批: the leader's approval, its date (not before the acceptance opinion's) and an optional
    opinion; the leader is the user who approves."""

    approved_on = StepDateField(label="批准日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].help_text = "可不填；仅供市、县局内部查阅，不向申报单位公开"
        self.order_fields(["approved_on", "comment"])

    def method_kwargs(self):
        d = self.cleaned_data
        return {"approved_on": d["approved_on"], "approved_by": self.user.display_name, "opinion": d["comment"]}

    def log_comment(self):
        d = self.cleaned_data
        return f"{d['comment'] or '同意'}（{cn_date(d['approved_on'])}）"


class ReturnForm(ActionForm):
    """退回修改 with 一次性告知: every item to fix, flagged at once."""

    items = forms.MultipleChoiceField(
        label="需要修改的内容",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="勾选需要修改的栏目或条件，并在下方逐项说明",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        spec = self.application.spec
        self.fields["items"].choices = (
            [(f.name, f.label) for f in spec.fields]
            + [("narrative", spec.narrative_label)]
            + [(c.code, f"{c.article}{c.title}") for c in spec.conditions]
            + [("attachments", "证明材料")]
        )
        self.fields["comment"].label = "退回理由（逐项说明）"

    def log_details(self):
        labels = dict(self.fields["items"].choices)
        return {"items": [{"key": k, "label": labels[k]} for k in self.cleaned_data["items"]]}


class GroupForm(ActionForm):
    """验收组: leader and members are users of the acceptance authority; experts by name."""

    leader = forms.ModelChoiceField(label="验收组组长", queryset=None, empty_label="请选择")
    members = forms.ModelMultipleChoiceField(
        label="验收组成员", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    external_experts = forms.CharField(label="外聘专家（姓名、单位）", required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        staff = selectors.acceptance_group_candidates(self.application)
        self.fields["leader"].queryset = staff
        self.fields["members"].queryset = staff
        self.fields["leader"].initial = self.user.pk
        self.fields["comment"].label = "说明"

    def effect_kwargs(self):
        d = self.cleaned_data
        return {"leader": d["leader"], "members": list(d["members"]), "external_experts": d["external_experts"]}

    def log_comment(self):
        d = self.cleaned_data
        names = "、".join(u.display_name for u in [d["leader"], *[m for m in d["members"] if m != d["leader"]]])
        experts = f"；外聘专家：{d['external_experts']}" if d["external_experts"] else ""
        return f"验收组：{names}{experts}" + (f"。{d['comment']}" if d.get("comment") else "")


class PublicityForm(ActionForm):
    """征求意见: the 公示's title and first day; its last day is computed from the working days."""

    title = forms.CharField(label="公示名称", max_length=150)
    starts_on = forms.DateField(label="公示开始日期", initial=today, widget=DateWidget())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("comment", None)
        batch = self.application.batch
        level = Level(self.application.level).label
        self.fields["title"].initial = f"{batch.year}年度{level}商业秘密保护基地拟认定名单公示"
        # The page of several applications sets the longest of their rules' (publicity_working_days).
        self.working_days = self.application.rules().publicity_working_days
        days = self.working_days
        self.fields["starts_on"].widget.attrs["min"] = today().isoformat()
        self.fields[
            "starts_on"
        ].help_text = f"不早于今天。公示期为{days}个工作日，结束日期按市局维护的节假日安排自动计算。"
        self.period = None

    def clean_starts_on(self):
        starts_on = self.cleaned_data["starts_on"]
        try:
            self.period = publicity_period(
                application=self.application, starts_on=starts_on, working_days=self.working_days
            )
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return starts_on

    def effect_kwargs(self):
        return {k: self.cleaned_data[k] for k in ("title", "starts_on")}

    def log_comment(self):
        starts_on, ends_on = self.period
        return f"{self.cleaned_data['title']}（{cn_date(starts_on)}至{cn_date(ends_on)}）"


class RecognitionForm(ActionForm):
    document_number = forms.CharField(
        label="认定文号", max_length=50, help_text="如：绍市监管〔2026〕12号（括号为六角括号〔〕）"
    )
    recognised_on = StepDateField(label="认定日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("comment", None)

    def clean_document_number(self):
        number = clean_document_number(self.cleaned_data["document_number"])
        refusal = document_number_refusal(self.application, number) if self.application is not None else ""
        if refusal:
            raise forms.ValidationError(refusal, code="issued")
        return number

    def effect_kwargs(self):
        return {k: self.cleaned_data[k] for k in ("document_number", "recognised_on")}

    def log_comment(self):
        d = self.cleaned_data
        return f"{d['document_number']}，{cn_date(d['recognised_on'])}"


class RevocationForm(ActionForm):
    """撤销认定决定: after the notice (its ground and facts) and the statement or its lapse; the
    reasons on a statement are required; the decision states the right to 复议/诉讼."""

    reasons = forms.CharField(
        label="对陈述申辩的采纳意见及理由",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="申报单位提交了陈述申辩的，须逐项说明是否采纳及理由",
    )
    document_number = forms.CharField(label="撤销决定文号", max_length=50, help_text="如：绍市监管〔2026〕20号")
    revoked_on = StepDateField(label="决定日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("comment", None)
        self.case = open_revocation_case(self.application)
        if self.case is not None and self.case.statement_at is not None:
            self.fields["reasons"].required = True
            self.fields["reasons"].error_messages["required"] = "申报单位已陈述申辩，请写明采纳意见及理由。"

    def clean_document_number(self):
        return clean_document_number(self.cleaned_data["document_number"])

    def effect_kwargs(self):
        return {k: self.cleaned_data[k] for k in ("reasons", "document_number", "revoked_on")}

    def log_comment(self):
        d = self.cleaned_data
        ground = self.case.get_ground_display() if self.case else ""
        reasons = f"；{d['reasons']}" if d["reasons"] else ""
        return f"{ground}{reasons}（{d['document_number']}，{cn_date(d['revoked_on'])}）。{REVIEW_RIGHTS}"


ACTION_FORMS = {
    None: ActionForm,
    "opinion": OpinionForm,
    "return": ReturnForm,
    "approval": ApprovalForm,
    "group": GroupForm,
    "publicity": PublicityForm,
    "recognition": RecognitionForm,
    "revocation": RevocationForm,
}


# --- Records that are not transitions -----------------------------------------------------------


class GuidanceVisitForm(ExplainedErrors, forms.ModelForm):
    visited_on = StepDateField(label="指导日期")

    class Meta:
        model = GuidanceVisit
        fields = ["visited_on", "officer", "content"]
        widgets = {"content": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].set_floor(guidance_floor(application))


class AcceptanceRecordForm(ExplainedErrors, forms.ModelForm):
    held_on = StepDateField(label="日期")

    class Meta:
        model = AcceptanceRecord
        fields = ["kind", "held_on", "members", "findings"]
        widgets = {"findings": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "请选择"), *AcceptanceKind.choices]
        self.fields["held_on"].set_floor(acceptance_record_floor(application))


class ObjectionForm(ExplainedErrors, forms.ModelForm):
    """异议: real name and contact required (anonymous objections are not accepted); only against
    applications still in that 公示."""

    class Meta:
        model = Objection
        fields = ["application", "name", "organisation", "phone", "email", "reasons", "received_on"]
        widgets = {"received_on": DateWidget(), "reasons": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, publicity, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = applications_in_publicity(publicity)
        self.fields["application"].empty_label = "请选择"
        self.fields["received_on"].initial = today
        attrs = self.fields["received_on"].widget.attrs
        attrs["min"], attrs["max"] = publicity.starts_on.isoformat(), min(today(), publicity.ends_on).isoformat()
        self.publicity = publicity

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day < self.publicity.starts_on or day > self.publicity.ends_on:
            raise forms.ValidationError("异议须在公示期内提出，公示期外收到的不予受理。")
        if day > today():
            raise forms.ValidationError("收到日期不能晚于今天。")
        return day


class ObjectionAnswerForm(ExplainedErrors, forms.Form):
    answer = forms.CharField(label="书面说明", max_length=4000, widget=forms.Textarea(attrs={"rows": 6}))


class ObjectionReplyForm(ExplainedErrors, forms.Form):
    outcome = forms.ChoiceField(
        label="处理结果",
        widget=forms.RadioSelect,
        choices=[c for c in ObjectionOutcome.choices if c[0] != ObjectionOutcome.PENDING],
    )
    reply = forms.CharField(label="书面答复", max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))


class RevocationNoticeForm(ExplainedErrors, forms.Form):
    """撤销告知: the intended ground, the facts found, when it was served, the period for a statement."""

    ground = forms.ChoiceField(
        label="拟撤销事由（第十五条）", choices=RevocationGround.choices, widget=forms.RadioSelect
    )
    facts = forms.CharField(label="查证的事实", max_length=4000, widget=forms.Textarea(attrs={"rows": 6}))
    served_on = StepDateField(label="告知送达日期")
    statement_days = forms.IntegerField(
        label="陈述申辩期（工作日）",
        initial=REVOCATION_STATEMENT_DAYS,
        min_value=REVOCATION_STATEMENT_DAYS,
        max_value=30,
        help_text="自送达次日起计算，不少于5个工作日",
    )

    def __init__(self, *args, base, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["served_on"].set_floor(Floor(base.recognised_on, "认定日期"))


class RevocationStatementForm(ExplainedErrors, forms.Form):
    statement = forms.CharField(label="陈述申辩意见", max_length=8000, widget=forms.Textarea(attrs={"rows": 8}))
    files = forms.FileField(
        label="证据材料（可选，可多选）",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ATTACHMENT_ACCEPT}),
        help_text="PDF、JPG、PNG、DOCX、XLSX",
    )

    def __init__(self, *args, refusal: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.refusal = refusal  # bases.uploads.upload_refusal: the files were not read to their end

    def clean_files(self):
        if self.refusal:
            raise forms.ValidationError(self.refusal, code="upload_refused")
        return self.cleaned_data["files"]


class RevocationCloseForm(ExplainedErrors, forms.Form):
    reasons = forms.CharField(label="不予撤销的理由", max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    decided_on = StepDateField(label="决定日期")

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].set_floor(Floor(case.served_on, "告知送达日"))


class CandidateForm(ExplainedErrors, forms.Form):
    """培育: the county registers a candidate organisation for a base type and level."""

    organisation = forms.ModelChoiceField(label="培育对象（本辖区已确认单位）", queryset=None, empty_label="请选择")
    base_type = forms.ChoiceField(label="拟申报基地类型", choices=[])
    level = forms.ChoiceField(
        label="拟申报级别", choices=choices_of(APPLICATION_LEVELS), widget=forms.RadioSelect, initial=Level.CITY
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["base_type"].choices = [("", "请选择"), *list(BaseType.choices)]

    def clean(self):
        data = super().clean()
        organisation, base_type = data.get("organisation"), data.get("base_type")
        if organisation and base_type and base_type not in organisation.allowed_base_types:
            self.add_error("base_type", f"{organisation.get_kind_display()}不能申报该类基地。")
        return data


# --- Verifying an issued document (public) --------------------------------------------------------

VERIFY_UPLOAD_MAX_BYTES = 5 * 1024 * 1024  # issued documents are a few hundred KB


class DocumentCheckForm(ExplainedErrors, forms.Form):
    """The file someone holds, to compare byte for byte with the document as issued."""

    file = forms.FileField(
        label="选择要核对的文件",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        help_text=f"PDF 文件，不超过 {VERIFY_UPLOAD_MAX_BYTES // (1024 * 1024)} MB；文件只用于本次比对，不保存。",
    )

    def __init__(self, *args, refusal: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.refusal = refusal

    def clean_file(self):
        if self.refusal:
            raise forms.ValidationError(self.refusal, code="upload_refused")
        uploaded = self.cleaned_data["file"]
        if uploaded.size > VERIFY_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"文件超过 {VERIFY_UPLOAD_MAX_BYTES // (1024 * 1024)} MB，不可能是本平台出具的文书。", code="size"
            )
        return uploaded


# --- 第十四条: yearly reports; 第十六条: incentives and services --------------------------------------------


class VersionField(forms.IntegerField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=0, **kwargs)


class YearlyReportForm(ExplainedErrors, forms.Form):
    """The organisation's yearly report; `submit` (the button pressed) hands it to the county."""

    work_plan = forms.CharField(label="年度工作计划执行情况", widget=forms.Textarea, max_length=4000, required=False)
    trainings = forms.CharField(label="开展培训情况", widget=forms.Textarea, max_length=4000, required=False)
    all_staff_trainings = forms.IntegerField(
        label="全员商业秘密保护轮训次数",
        min_value=0,
        max_value=365,
        initial=0,
        help_text="示范点每年至少开展一次全员轮训（第十条（三））",
    )
    services = forms.CharField(label="提供服务情况", widget=forms.Textarea, max_length=4000, required=False)
    infringements = forms.CharField(
        label="侵权事件及处理情况", widget=forms.Textarea, max_length=4000, required=False, help_text="没有的请填“无”"
    )
    changes = forms.CharField(
        label="名称、地址、联系人等变更情况", widget=forms.Textarea, max_length=2000, required=False
    )
    version = VersionField()


class YearlyReportReviewForm(ExplainedErrors, forms.Form):
    outcome = forms.ChoiceField(label="审核结果", choices=ReviewOutcome.choices, widget=forms.RadioSelect)
    reasons = forms.CharField(label="理由", widget=forms.Textarea, max_length=4000, required=False)
    fix_items = forms.CharField(
        label="整改事项（一次性告知，每行一项）", widget=forms.Textarea, max_length=4000, required=False
    )
    rectify_due = forms.DateField(label="整改期限", required=False, widget=DateWidget)
    revocation_ground = forms.ChoiceField(
        label="报告显示存在第十五条情形（将启动撤销程序）",
        choices=[("", "无"), *RevocationGround.choices],
        required=False,
    )
    version = VersionField()

    def clean_fix_items(self):
        return [line.strip() for line in self.cleaned_data["fix_items"].splitlines() if line.strip()]


class YearlyReportRevocationForm(ExplainedErrors, forms.Form):
    served_on = StepDateField(label="告知送达日期")


class BaseSupportForm(ExplainedErrors, forms.Form):
    kind = forms.ChoiceField(label="类别", choices=SupportKind.choices, widget=forms.RadioSelect)
    year = forms.IntegerField(label="年度", min_value=REPORT_FIRST_YEAR, max_value=2100)
    amount = forms.DecimalField(label="金额（万元）", min_value=0, max_digits=10, decimal_places=2)
    document = forms.CharField(label="文件名称及文号", max_length=150)


class LiaisonForm(ExplainedErrors, forms.Form):
    officer_name = forms.CharField(label="联络员姓名", max_length=50)
    officer_phone = forms.CharField(label="联络员电话", max_length=30, validators=[validate_phone])
    since = StepDateField(label="确定日期")

    def __init__(self, *args, base, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["since"].set_floor(Floor(base.recognised_on, "认定日期"))


class LiaisonEndForm(ExplainedErrors, forms.Form):
    ended_on = StepDateField(label="结束日期")

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].set_floor(Floor(item.since, "确定日期"))


class BaseServiceForm(ExplainedErrors, forms.Form):
    kind = forms.ChoiceField(label="服务类别", choices=ServiceKind.choices, widget=forms.RadioSelect)
    served_on = StepDateField(label="服务日期")
    provider = forms.CharField(label="服务人员", max_length=100)
    content = forms.CharField(label="服务内容", widget=forms.Textarea, max_length=4000)

    def __init__(self, *args, base, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["served_on"].set_floor(Floor(base.recognised_on, "认定日期"))


# --- 第三条（四）, 第十六条（三）: upward recommendations ------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (optional); each one's content is checked by the service."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class UpwardStepForm(ExplainedErrors, forms.Form):
    """A step of an upward recommendation: its date, opinion and optional documents. `refusal`: why
    the upload handler stopped reading the files (bases.uploads.upload_refusal)."""

    files = MultipleFileField(label="相关材料（可选，可多选）")

    def __init__(self, *args, refusal: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.refusal = refusal
        self.fields["files"].help_text = (
            f"PDF、JPG、PNG、DOCX、XLSX，单个文件不超过 {filesizeformat(settings.ATTACHMENT_MAX_BYTES)}，"
            f"每次最多 {settings.ATTACHMENT_MAX_FILES_PER_POST} 个；系统按文件内容判断类型；"
            "只有县局、市局工作人员可以下载"
        )

    def clean_files(self):
        if self.refusal:
            raise forms.ValidationError(self.refusal, code="upload_refused")
        return self.cleaned_data["files"]


class UpwardOpenForm(UpwardStepForm):
    """初审推荐 by the base's county: the level (those still open to the base), the date, the opinion."""

    level = forms.ChoiceField(label="推荐级别", choices=choices_of(UPWARD_LEVELS), widget=forms.RadioSelect)
    county_on = StepDateField(label="初审推荐日期")
    opinion = forms.CharField(label="县局初审意见", max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    field_order = ["level", "county_on", "opinion", "files"]

    def __init__(self, *args, base, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = levels
        self.fields["county_on"].set_floor(Floor(base.recognised_on, "认定日期"))


class UpwardDecisionForm(UpwardStepForm):
    """The city on a county's 初审推荐: 推荐上报 with its opinion, or 不予推荐 with its reasons."""

    decision = forms.ChoiceField(label="市局审核", choices=UpwardDecision.choices, widget=forms.RadioSelect)
    city_on = StepDateField(label="办理日期")
    opinion = forms.CharField(
        label="推荐意见或不予推荐的理由", max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    version = VersionField()
    field_order = ["decision", "city_on", "opinion", "files", "version"]

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        if item.county_on:
            self.fields["city_on"].set_floor(Floor(item.county_on, "县局初审推荐日期"))


class UpwardOutcomeForm(UpwardStepForm):
    """The outcome the province or the nation decided, recorded by the city."""

    outcome = forms.ChoiceField(label="评审结果", choices=UpwardOutcome.choices, widget=forms.RadioSelect)
    outcome_on = StepDateField(label="结果日期")
    document_number = forms.CharField(
        label="获评文号", max_length=50, required=False, help_text="获评的必填，如 浙市监竞争〔2026〕12号"
    )
    note = forms.CharField(label="说明", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = VersionField()
    field_order = ["outcome", "outcome_on", "document_number", "note", "files", "version"]

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        if item.city_on:
            self.fields["outcome_on"].set_floor(Floor(item.city_on, "市局推荐上报日期"))

    def clean(self):
        data = super().clean()
        number = (data.get("document_number") or "").strip()
        if data.get("outcome") == UpwardOutcome.RECOGNISED:
            if not number:
                self.add_error("document_number", "获评的请填写评审结果文件的文号。")
            else:
                try:
                    data["document_number"] = clean_document_number(number)
                except forms.ValidationError as error:
                    self.add_error("document_number", error)
        return data


class UpwardFilterForm(forms.Form):
    """The list's filters: stage, level and (for the city) county."""

    status = forms.ChoiceField(label="办理阶段", choices=[("", "全部"), *UpwardStatus.choices], required=False)
    level = forms.ChoiceField(label="推荐级别", choices=[("", "全部"), *choices_of(UPWARD_LEVELS)], required=False)
    county = forms.ModelChoiceField(label="所在地", queryset=None, required=False, empty_label="全部")

    def __init__(self, *args, city: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if city:
            self.fields["county"].queryset = selectors.counties()
        else:
            del self.fields["county"]
