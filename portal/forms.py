"""The public's forms: an objection to a running 公示, and the two lookups (the objector's reply, an
application's progress). Input validation only."""

from django import forms

from bases.forms import ExplainedErrors
from bases.validators import ATTACHMENT_ACCEPT, detect_attachment_kind, validate_phone


class PublicObjectionForm(ExplainedErrors, forms.Form):
    """异议 (第十一条（五）): real name and contact required, anonymous objections are not accepted;
    against one of the applications still in that 公示; one optional evidence file."""

    application = forms.TypedChoiceField(label="异议对象", coerce=int, empty_value=None)
    name = forms.CharField(label="真实姓名", max_length=50)
    organisation = forms.CharField(label="工作单位", max_length=100, required=False)
    phone = forms.CharField(
        label="联系电话",
        max_length=30,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text="11位手机号或带区号的固定电话，用于核实异议和联系答复",
    )
    email = forms.EmailField(label="电子邮箱", required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    reasons = forms.CharField(
        label="异议理由及证据说明",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="请写明异议的事实和理由，最多4000字",
    )
    evidence = forms.FileField(
        label="证据材料（可选）",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ATTACHMENT_ACCEPT}),
        help_text="一个文件：PDF、JPG、PNG、DOCX 或 XLSX，按文件内容识别类型",
    )

    def __init__(self, *args, listed, refusal: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["application"].choices = [("", "请选择"), *((item.pk, item.name) for item in listed)]
        self.refusal = refusal  # bases.uploads.upload_refusal: the file was not read to its end

    def clean_evidence(self):
        if self.refusal:
            raise forms.ValidationError(self.refusal, code="upload_refused")
        evidence = self.cleaned_data["evidence"]
        if evidence:
            detect_attachment_kind(evidence)  # by content, as every upload (refused: the reason, at the field)
        return evidence


class LookupForm(ExplainedErrors, forms.Form):
    """A reference number and the random code given with it; both are needed, neither opens anything alone."""

    reference = forms.CharField(label="编号", max_length=40)
    code = forms.CharField(label="查询码", max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off"}))

    def __init__(self, *args, reference_label: str, code_help: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reference"].label = reference_label
        self.fields["code"].help_text = code_help
