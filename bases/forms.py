"""Input validation only. The application form is built from forms_spec."""

import copy
import logging
from functools import cache

from django import forms
from django.contrib.auth.forms import PasswordResetForm, SetPasswordMixin, UserCreationForm
from django.core.validators import MaxLengthValidator

from . import selectors
from .choices import APPLICATION_LEVELS, BaseType, Level, OrganisationKind, choices_of
from .forms_spec import SPECS, BaseTypeSpec, local_rule_notes, spec_for
from .models import Application, Organisation, User
from .paper import is_code, normalised_code
from .rules import PUBLICITY_DAYS_MAX, PUBLICITY_DAYS_MIN, TITLE_MAX_LENGTH
from .validators import ATTACHMENT_ACCEPT, MultiLineText, SingleLineText, validate_sane_date

logger = logging.getLogger(__name__)

YES_NO = [("yes", "具备"), ("no", "不具备")]


def explain_errors(form) -> None:
    """Error messages that name the field and say what is expected ("请填写年产值（万元）"),
    instead of Django's generic ones."""
    for field in form.fields.values():
        label = str(field.label or "此项")
        unit = getattr(field, "unit", "")
        named = f"{label}（{unit}）" if unit else label
        choosing = isinstance(field, forms.ChoiceField | forms.ModelChoiceField) or isinstance(
            field.widget, forms.CheckboxInput
        )
        messages = {"required": f"请选择{named}" if choosing else f"请填写{named}。"}
        if choosing:
            messages["required"] += "。"
            messages["invalid_choice"] = f"{label}的选项无效，请重新选择。"
        if isinstance(field, forms.IntegerField):
            messages["invalid"] = f"{named}应填写整数。"
        elif isinstance(field, forms.DecimalField):
            messages["invalid"] = f"{named}应填写数字。"
        elif isinstance(field, forms.DateField):
            messages["invalid"] = f"{label}应为有效日期，如 2026-11-26。"
        elif isinstance(field, forms.EmailField):
            messages["invalid"] = f"{label}格式不正确，如 name@example.com。"
        field.error_messages = {**field.error_messages, **messages}
        # Formatted with the validator's params: a % of a label or unit (比例（%）) must stay a %.
        named_, label_ = named.replace("%", "%%"), label.replace("%", "%%")
        worded = {
            "min_value": f"{named_}不能小于%(limit_value)s。",
            "max_value": f"{named_}不能大于%(limit_value)s。",
            "max_length": f"{label_}不能超过%(limit_value)d字（现有%(show_value)d字）。",
            "min_length": f"{label_}不能少于%(limit_value)d字（现有%(show_value)d字）。",
        }
        # Validators may be shared with the model field and other forms: reword copies.
        field.validators = [
            _reworded(validator, worded[validator.code]) if getattr(validator, "code", "") in worded else validator
            for validator in field.validators
        ]


def _reworded(validator, message: str):
    validator = copy.copy(validator)
    validator.message = message
    return validator


class ExplainedErrors:
    """Form mixin: every field's error messages say which field and what is expected, worded from
    the labels as they stand when the form is validated (subclasses may relabel fields); every text
    refuses control characters (a single-line one, line breaks too) and every date keeps to a sane
    range, as the models do (bases.models.CleanText), so the error shows at the field."""

    def full_clean(self):
        explain_errors(self)
        guard_inputs(self)
        super().full_clean()
        mark_invalid(self)


def guard_inputs(form) -> None:
    for field in form.fields.values():
        if isinstance(field, forms.CharField):
            guard = (MultiLineText if isinstance(field.widget, forms.Textarea) else SingleLineText)(field.label or "")
            if guard not in field.validators:
                field.validators.append(guard)
        elif isinstance(field, forms.DateField) and validate_sane_date not in field.validators:
            field.validators.append(validate_sane_date)


def described_by(form, name: str, *, error: bool = False) -> str:
    """The ids of what describes a field's controls: a bureau's flag, the help text, the error."""
    field, auto_id = form.fields[name], form[name].auto_id
    parts = [
        f"{auto_id}_flag" if getattr(field, "flag", "") else "",
        f"{auto_id}_helptext" if field.help_text else "",
        f"{auto_id}_error" if error else "",
    ]
    return " ".join(part for part in parts if part)


def mark_invalid(form) -> None:
    """Each control of a field in error points at its message (radios and checkboxes one by one)
    and says it is invalid, for screen readers."""
    for name in form.errors:
        if name in form.fields:
            attrs = form.fields[name].widget.attrs
            attrs["aria-describedby"] = described_by(form, name, error=True)
            attrs["aria-invalid"] = "true"


# The purposes of the registration's inputs (WCAG 1.3.5), so browsers can fill them in.
AUTOCOMPLETE = {
    "username": "username",
    "last_name": "name",
    "email": "email",
    "phone": "tel",
    "password1": "new-password",
    "password2": "new-password",
    "name": "organization",
    "address": "address-line1",
    "postcode": "postal-code",
    "contact_name": "name",
    "contact_title": "organization-title",
    "contact_phone": "tel",
    "contact_email": "email",
}


def set_autocomplete(form) -> None:
    for name, purpose in AUTOCOMPLETE.items():
        if name in form.fields:
            form.fields[name].widget.attrs["autocomplete"] = purpose


def limited(field: forms.CharField, limit: int) -> forms.CharField:
    """The field, refusing more than `limit` characters (a password is hashed whole: no megabytes)."""
    field.max_length = limit
    field.validators.append(MaxLengthValidator(limit))
    field.widget.attrs["maxlength"] = str(limit)
    return field


class RegistrationUserForm(ExplainedErrors, UserCreationForm):
    password1, password2 = (limited(f, 128) for f in SetPasswordMixin.create_password_fields())

    class Meta:
        model = User
        fields = ["username", "last_name", "email", "phone"]
        labels = {"username": "登录用户名", "last_name": "经办人姓名", "email": "电子邮箱", "phone": "手机号码"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("last_name", "email", "phone"):
            self.fields[name].required = True
        # The form opens at its first field (the organisation's name), not at the 13th.
        self.fields["username"].widget.attrs.pop("autofocus", None)
        set_autocomplete(self)


class RegistrationOrganisationForm(ExplainedErrors, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "credit_code",
            "county",
            "industry",
            "address",
            "postcode",
            "legal_representative",
            "contact_name",
            "contact_title",
            "contact_phone",
            "contact_email",
        ]
        widgets = {"credit_code": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = selectors.counties()
        self.fields["industry"].queryset = selectors.industries()
        self.fields["county"].empty_label = "请选择"
        self.fields["industry"].empty_label = "请选择（园区可不选）"
        self.fields["kind"].choices = [("", "请选择"), *list(OrganisationKind.choices)]
        set_autocomplete(self)

    def clean_credit_code(self):
        return self.cleaned_data["credit_code"].strip().upper()


class ApplicationCreateForm(ExplainedErrors, forms.Form):
    base_type = forms.ChoiceField(label="申报基地类型", widget=forms.RadioSelect)
    level = forms.ChoiceField(
        label="申报级别",
        widget=forms.RadioSelect,
        choices=choices_of(APPLICATION_LEVELS),
        initial=Level.CITY,
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = organisation.allowed_base_types
        self.fields["base_type"].choices = [(bt.value, bt.label) for bt in BaseType if bt in allowed]
        if len(allowed) == 1:
            self.fields["base_type"].initial = allowed[0]


class ApplicationFormBase(ExplainedErrors, forms.ModelForm):
    """A form of one base type. `complete=True` applies the submission rules:
    every cell, the narrative, the opinion and the whole self-assessment required; a draft marks
    them all as required on submission from the start. `flagged` names the items a bureau
    returned the application for (一次性告知): field names and condition codes."""

    spec: BaseTypeSpec
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, complete: bool = False, flagged=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.complete = complete
        spec = self.spec
        self.fields["version"].initial = self.instance.version
        if "industry" in self.fields:
            self.fields["industry"].queryset = selectors.industries()
            self.fields["industry"].empty_label = "请选择"
        for cell in spec.fields:
            if cell.choices is not None:
                self.fields[cell.name] = forms.ChoiceField(choices=[("", "请选择"), *list(cell.choices.choices)])
            field = self.fields[cell.name]
            field.label = cell.label
            field.help_text = cell.help_text
            field.unit = cell.unit
            field.required = complete
        self.fields["narrative"].label = spec.narrative_label
        self.fields["narrative"].help_text = f"提交时不少于{spec.narrative_min_length}字"
        self.fields["narrative"].widget.attrs["data-minlength"] = spec.narrative_min_length
        self.fields["applicant_opinion"].label = spec.applicant_opinion_label
        for name in ("narrative", "applicant_opinion"):
            self.fields[name].required = complete
        assessment = self.instance.self_assessment or {}
        for condition in spec.conditions:
            entry = assessment.get(condition.code) or {}
            met = entry.get("met")
            self.fields[f"{condition.code}__met"] = forms.ChoiceField(
                label=f"是否具备{condition.article}条件",
                choices=YES_NO,
                widget=forms.RadioSelect,
                required=complete,
                initial={True: "yes", False: "no"}.get(met),
            )
            self.fields[f"{condition.code}__explanation"] = forms.CharField(
                label=f"{condition.article}情况说明",
                required=complete,
                initial=entry.get("explanation", ""),
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            for figure in condition.figures:
                self.fields[f"{condition.code}__{figure.name}"] = forms.IntegerField(
                    label=figure.label,
                    min_value=0,
                    max_value=10_000_000,
                    required=complete,
                    initial=(entry.get("figures") or {}).get(figure.name),
                    help_text=f"单位：{figure.unit}",
                )
                self.fields[f"{condition.code}__{figure.name}"].unit = figure.unit
        for name, field in self.fields.items():
            field.required_on_submit = name != "version"
        flagged = set(flagged)
        self.flagged_conditions = {c.code for c in spec.conditions if c.code in flagged}
        for name in flagged & set(self.fields):
            self.fields[name].flag = "退回意见：请修改此项"
            self.fields[name].widget.attrs["aria-describedby"] = described_by(self, name)

    def clean_narrative(self):
        text = self.cleaned_data.get("narrative", "").strip()
        minimum = self.spec.narrative_min_length
        if self.complete and len(text) < minimum:
            raise forms.ValidationError(f"请不少于{minimum}字（现有{len(text)}字）。")
        return text

    def clean(self):
        cleaned = super().clean()
        if self.complete:
            for condition in self.spec.conditions:
                if cleaned.get(f"{condition.code}__met") == "no":
                    self.add_error(f"{condition.code}__met", "申报须同时具备全部条件；不具备该条件的不能提交。")
        return cleaned

    def self_assessment(self) -> dict:
        """The cleaned self-assessment in the shape forms_spec.evaluate reads."""
        data = self.cleaned_data
        result = {}
        for condition in self.spec.conditions:
            met = data.get(f"{condition.code}__met")
            result[condition.code] = {
                "met": {"yes": True, "no": False}.get(met),
                "explanation": data.get(f"{condition.code}__explanation", ""),
                "figures": {f.name: data.get(f"{condition.code}__{f.name}") for f in condition.figures},
            }
        return result

    def model_values(self) -> dict:
        return {
            name: self.cleaned_data.get(name) for name in (*self.spec.field_names, "narrative", "applicant_opinion")
        }

    def condition_blocks(self):
        """For the template: each condition with its bound fields, in order."""
        thresholds = self.instance.rules().thresholds
        for condition in self.spec.conditions:
            yield {
                "condition": condition,
                "local_rules": local_rule_notes(condition, thresholds),
                "met": self[f"{condition.code}__met"],
                "explanation": self[f"{condition.code}__explanation"],
                "figures": [self[f"{condition.code}__{f.name}"] for f in condition.figures],
            }

    def rows(self):
        """For the template: the paper form's rows of bound fields."""
        return [[self[cell.name] for cell in row] for row in self.spec.rows]


@cache
def application_form_class(base_type: str) -> type[ApplicationFormBase]:
    """The form of one base type, generated once from its declaration."""
    spec = spec_for(base_type)
    meta = type(
        "Meta",
        (),
        {
            "model": Application,
            "fields": [*list(spec.field_names), "narrative", "applicant_opinion"],
            "widgets": {
                "narrative": forms.Textarea(attrs={"rows": 12}),
                "applicant_opinion": forms.Textarea(attrs={"rows": 3}),
            },
        },
    )
    return type(f"{base_type.title()}ApplicationForm", (ApplicationFormBase,), {"Meta": meta, "spec": spec})


class AttachmentUploadForm(forms.Form):
    """`refusal`: why the upload handler stopped reading the files (bases.uploads.upload_refusal);
    it stands at the file field and no file of the post is kept."""

    condition_code = forms.ChoiceField(label="对应条件", required=False)
    file = forms.FileField(
        label="选择文件",
        widget=forms.ClearableFileInput(attrs={"accept": ATTACHMENT_ACCEPT}),
        help_text="PDF、JPG、PNG、DOCX、XLSX，单个文件不超过规定大小",
    )

    def __init__(self, *args, spec: BaseTypeSpec, refusal: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.refusal = refusal
        self.fields["file"].required = not refusal
        self.fields["condition_code"].choices = [(c.code, f"{c.article}{c.title}") for c in spec.conditions] + [
            ("", "其他材料")
        ]

    def clean_file(self):
        if self.refusal:
            raise forms.ValidationError(self.refusal, code="upload_refused")
        return self.cleaned_data["file"]


class SignedFormUploadForm(forms.Form):
    """The scan of the signed and sealed form, with the 校验码 printed on it (read off the paper, so a
    form printed before a resubmission or as a draft is caught at once)."""

    prefix = "signed"
    code = forms.CharField(
        label="申报表校验码",
        max_length=20,
        help_text="印在申报表每页页脚，如 3F2A-9C1B（8位数字和字母A–F）",
    )
    file = forms.FileField(
        label="签章申报表扫描件",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        help_text="PDF、JPG 或 PNG，须有负责人签字和单位公章",
    )

    def __init__(self, *args, refusal: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.refusal = refusal
        self.fields["file"].required = not refusal

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not is_code(code):
            raise forms.ValidationError("校验码为8位数字和字母（A–F），请照抄申报表页脚印的校验码，如 3F2A-9C1B。")
        return normalised_code(code)

    def clean_file(self):
        if self.refusal:
            raise forms.ValidationError(self.refusal, code="upload_refused")
        return self.cleaned_data["file"]


class OrganisationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="确认结果", choices=[("approve", "确认"), ("reject", "不予确认")], widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="说明",
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="不予确认时必填",
    )


class SafePasswordResetForm(PasswordResetForm):
    """Django's reset form, whose e-mail never turns into an error page: a mail server that fails
    is logged, and the page says the same as always (so nothing tells who has an account)."""

    def send_mail(self, *args, **kwargs):
        try:
            super().send_mail(*args, **kwargs)
        except Exception:
            logger.exception("password reset e-mail failed")


class TwoFactorForm(ExplainedErrors, forms.Form):
    """The 6-digit dynamic code (动态口令) of an authenticator app."""

    otp_token = forms.RegexField(
        label="动态口令",
        regex=r"^\d{6}$",
        max_length=6,
        help_text="打开手机上的身份验证器应用，输入它为本平台显示的6位数字。",
        error_messages={"invalid": "动态口令是6位数字，请重新输入。"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "size": 8}),
    )


class CountyRulesForm(ExplainedErrors, forms.Form):
    """A county's rules for its county-level bases (第十七条), as its administrator edits them: the
    deadline, the 公示 length, the title of each form and each threshold of the conditions (the
    notice's shown beside it). Input checks only; what may be a rule is services.county_rules_update's
    (bases.rules), whose errors come back to the fields named here."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    deadline = forms.DateField(
        label="县级申报截止日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="含当日。本县县级基地的申报在此日后不能再提交；修改时不能早于今天。",
    )
    publicity_working_days = forms.IntegerField(
        label="公示期（工作日）",
        min_value=PUBLICITY_DAYS_MIN,
        max_value=PUBLICITY_DAYS_MAX,
        help_text=f"不少于{PUBLICITY_DAYS_MIN}个工作日，最多{PUBLICITY_DAYS_MAX}个；结束日期按节假日安排自动计算。",
    )
    reason = forms.CharField(
        label="修改说明",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="为什么修改，如：依据本局《县级商业秘密保护基地管理办法》第八条。记入修改记录。",
    )

    def __init__(self, *args, county_rules, **kwargs):
        super().__init__(*args, **kwargs)
        rules = county_rules.rules()
        self.fields["version"].initial = county_rules.version
        self.fields["deadline"].initial = rules.deadline
        self.fields["publicity_working_days"].initial = rules.publicity_working_days
        self.sections = []
        for base_type, spec in SPECS.items():
            title_name = f"title_{base_type}"
            self.fields[title_name] = forms.CharField(
                label=f"{spec.form_number}表名", max_length=TITLE_MAX_LENGTH, initial=rules.title(base_type)
            )
            names = []
            for threshold in spec.thresholds:
                name = self.threshold_field(threshold.key)
                field = forms.IntegerField(
                    label=threshold.label,
                    min_value=0,
                    max_value=threshold.maximum,
                    initial=rules.thresholds.get(threshold.key, threshold.value),
                    help_text=f"市级标准：{threshold.words(threshold.value)}；可以更严，不能更宽。",
                )
                field.unit = threshold.unit
                self.fields[name] = field
                names.append(name)
            self.sections.append({"spec": spec, "title": title_name, "thresholds": names})

    @staticmethod
    def threshold_field(key: str) -> str:
        return "threshold_" + key.replace(".", "__").replace("-", "_")

    def section_fields(self):
        """For the template: each form type with its bound title and threshold fields."""
        for section in self.sections:
            yield {
                "spec": section["spec"],
                "title": self[section["title"]],
                "thresholds": [self[name] for name in section["thresholds"]],
            }

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "version": data["version"],
            "deadline": data["deadline"],
            "publicity_working_days": data["publicity_working_days"],
            "reason": data["reason"],
            "titles": {bt: data[f"title_{bt}"] for bt in SPECS},
            "thresholds": {
                t.key: data[self.threshold_field(t.key)] for spec in SPECS.values() for t in spec.thresholds
            },
        }

    def add_service_errors(self, error) -> None:
        """The service's errors at the fields they are about ("threshold:<key>", "title:<type>" …)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for where, errors in error.error_dict.items():
            kind, _, key = where.partition(":")
            if kind == "threshold":
                name = self.threshold_field(key)
            elif kind == "title":
                name = f"title_{key}"
            else:
                name = where
            for item in errors:
                self.add_error(name if name in self.fields else None, item)
