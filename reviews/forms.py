"""Input of the workflow actions. Which form an action uses is declared in bases/workflow.py
(`custom["form"]`); each form says what goes to the transition method, to the side
effect and to the log."""

import re

from django import forms
from django.utils import timezone

from bases import selectors
from bases.choices import (
    APPLICATION_LEVELS,
    UPWARD_LEVELS,
    BaseType,
    Level,
    ObjectionOutcome,
    RevocationGround,
    choices_of,
)

from .calendar import add_working_days
from .choices import UpwardOutcome
from .models import AcceptanceRecord, GuidanceVisit, Objection


class DateWidget(forms.DateInput):
    """A native date picker; its value must be ISO whatever the locale's display format."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def not_in_future(day):
    if day > today():
        raise forms.ValidationError("日期不能晚于今天。")


class PastDateField(forms.DateField):
    """A date of something that has happened: today or earlier, today by default."""

    widget = DateWidget
    default_validators = [not_in_future]

    def __init__(self, **kwargs):
        kwargs.setdefault("initial", today)
        super().__init__(**kwargs)


DOCUMENT_NUMBER = re.compile(r"^\S{2,20}〔(\d{4})〕(\d{1,4})号$")


def today():
    return timezone.localdate()


class ActionForm(forms.Form):
    """Base: an optional or required comment, as the declaration says."""

    comment = forms.CharField(
        label="意见/理由", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, application, user, declared: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.application, self.user, self.declared = application, user, declared
        mode = declared.get("comment")
        if mode is None and type(self) is ActionForm:
            del self.fields["comment"]
        else:
            self.fields["comment"].required = mode == "required"

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
    signed_on = PastDateField(label="日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("comment", None)
        self.fields["signer"].initial = self.user.display_name

    def method_kwargs(self):
        return {k: self.cleaned_data[k] for k in ("opinion", "signer", "signed_on")}

    def log_comment(self):
        d = self.cleaned_data
        return f"{d['opinion']}（负责人：{d['signer']}，{d['signed_on']:%Y-%m-%d}）"


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
    title = forms.CharField(label="公示名称", max_length=150)
    starts_on = forms.DateField(label="公示开始日期", initial=today, widget=DateWidget())
    ends_on = forms.DateField(
        label="公示结束日期",
        required=False,
        widget=DateWidget(),
        help_text="留空则按批次规定的工作日数（默认5个工作日）自动计算",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("comment", None)
        batch = self.application.batch
        level = Level(self.application.level).label
        self.fields["title"].initial = f"{batch.year}年度{level}商业秘密保护基地拟认定名单公示"

    def clean(self):
        data = super().clean()
        starts_on = data.get("starts_on")
        if starts_on:
            if not data.get("ends_on"):
                data["ends_on"] = add_working_days(starts_on, self.application.batch.publicity_working_days)
            if data["ends_on"] < starts_on:
                self.add_error("ends_on", "公示结束日期不能早于开始日期。")
        return data

    def effect_kwargs(self):
        return {k: self.cleaned_data[k] for k in ("title", "starts_on", "ends_on")}

    def log_comment(self):
        d = self.cleaned_data
        return f"{d['title']}（{d['starts_on']:%Y-%m-%d} 至 {d['ends_on']:%Y-%m-%d}）"


class RecognitionForm(ActionForm):
    document_number = forms.CharField(
        label="认定文号", max_length=50, help_text="如：绍市监管〔2026〕12号（括号为六角括号〔〕）"
    )
    recognised_on = PastDateField(label="认定日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("comment", None)

    def clean_document_number(self):
        value = self.cleaned_data["document_number"].strip().replace("[", "〔").replace("]", "〕")
        if not DOCUMENT_NUMBER.match(value):
            raise forms.ValidationError("文号格式应为“机关代字〔年份〕序号号”，如 绍市监管〔2026〕12号。")
        return value

    def effect_kwargs(self):
        return {k: self.cleaned_data[k] for k in ("document_number", "recognised_on")}

    def log_comment(self):
        d = self.cleaned_data
        return f"{d['document_number']}，{d['recognised_on']:%Y-%m-%d}"


class RevocationForm(ActionForm):
    ground = forms.ChoiceField(label="撤销事由（第十五条）", choices=RevocationGround.choices, widget=forms.RadioSelect)
    details = forms.CharField(label="查证情况", max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    document_number = forms.CharField(label="撤销文号", max_length=50)
    revoked_on = PastDateField(label="撤销日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("comment", None)

    clean_document_number = RecognitionForm.clean_document_number

    def effect_kwargs(self):
        return {k: self.cleaned_data[k] for k in ("ground", "details", "document_number", "revoked_on")}

    def log_comment(self):
        d = self.cleaned_data
        ground = RevocationGround(d["ground"]).label
        return f"{ground}；{d['details']}（{d['document_number']}，{d['revoked_on']:%Y-%m-%d}）"


ACTION_FORMS = {
    None: ActionForm,
    "opinion": OpinionForm,
    "return": ReturnForm,
    "group": GroupForm,
    "publicity": PublicityForm,
    "recognition": RecognitionForm,
    "revocation": RevocationForm,
}


# --- Records that are not transitions -----------------------------------------------------------


class GuidanceVisitForm(forms.ModelForm):
    visited_on = PastDateField(label="指导日期")

    class Meta:
        model = GuidanceVisit
        fields = ["visited_on", "officer", "content"]
        widgets = {"content": forms.Textarea(attrs={"rows": 4})}


class AcceptanceRecordForm(forms.ModelForm):
    held_on = PastDateField(label="日期")

    class Meta:
        model = AcceptanceRecord
        fields = ["kind", "held_on", "members", "findings"]
        widgets = {"findings": forms.Textarea(attrs={"rows": 5})}


class ObjectionForm(forms.ModelForm):
    """异议: real name and contact required (anonymous objections are not accepted)."""

    class Meta:
        model = Objection
        fields = ["application", "name", "organisation", "phone", "email", "reasons", "received_on"]
        widgets = {"received_on": DateWidget(), "reasons": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, publicity, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = publicity.applications.all()
        self.fields["application"].empty_label = "请选择"
        self.fields["received_on"].initial = today
        self.publicity = publicity

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day < self.publicity.starts_on or day > today():
            raise forms.ValidationError("收到日期应在公示开始之后、今天之前。")
        return day


class ObjectionReplyForm(forms.Form):
    outcome = forms.ChoiceField(
        label="处理结果",
        widget=forms.RadioSelect,
        choices=[c for c in ObjectionOutcome.choices if c[0] != ObjectionOutcome.PENDING],
    )
    reply = forms.CharField(label="书面答复", max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))


class UpwardRecommendationForm(forms.Form):
    level = forms.ChoiceField(label="推荐级别", choices=choices_of(UPWARD_LEVELS), widget=forms.RadioSelect)
    recommended_on = PastDateField(label="推荐日期")
    note = forms.CharField(label="说明", required=False, max_length=200)


class UpwardOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="结果", choices=UpwardOutcome.choices, widget=forms.RadioSelect)
    outcome_on = forms.DateField(label="结果日期", required=False, widget=DateWidget())

    def clean(self):
        data = super().clean()
        if data.get("outcome") != UpwardOutcome.PENDING and not data.get("outcome_on"):
            self.add_error("outcome_on", "请填写结果日期。")
        return data


class CandidateForm(forms.Form):
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
