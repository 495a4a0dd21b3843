"""The paper comes back (第十一条（三）): the applicant prints its submitted form, has it signed and
sealed, and uploads the scan with the 校验码 printed on it; the county moves the application on only
then (workflow.signed_form_received), and sees whether each scan was made from what the application
says now."""

import re
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from bases import paper, workflow
from bases.choices import AttachmentPurpose, LogAction, State
from bases.models import Application, ApplicationLog, Attachment
from bases.services import SIGNED_FORM_MAX_UPLOADS, application_transition, signed_form_add
from tests.factories import (
    ApplicationFactory,
    UserFactory,
    add_signed_form,
    advance,
    applicant_of,
    county,
    county_clerk,
    docx_bytes,
    png_bytes,
    upload,
)
from tests.helpers import list_items, messages_shown

pytestmark = pytest.mark.django_db

OPINION = {"opinion": "同意推荐。", "signer": "陈", "signed_on": None}


def submitted(level="city"):
    application = ApplicationFactory(level=level, complete=True, advanced_to=State.SUBMITTED)
    return Application.objects.get(pk=application.pk)


def printed_code(client, application) -> str:
    """The 校验码 as the applicant reads it off the printed form."""
    pdf = client.get(reverse("bases:application-print", args=[application.pk])).content
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return re.search(r"校验码 ([0-9A-F]{4}-[0-9A-F]{4})", text)[1]


def recommend(application, user):
    from django.utils import timezone

    application.refresh_from_db()
    return application_transition(
        application=application,
        action="recommend",
        user=user,
        version=application.version,
        method_kwargs={**OPINION, "signed_on": timezone.localdate()},
    )


def test_recommend_is_refused_without_the_signed_form_in_chinese():
    application = submitted()

    with pytest.raises(ValidationError) as refused:
        recommend(application, county_clerk(county("越城区")))

    code = paper.signing_form(application).code
    assert refused.value.messages == [
        f"申报单位尚未上传与当前申报内容一致的签章申报表扫描件（本次申报的申报表校验码为 {code}）。"
        "请申报单位打印申报表，经负责人签字、加盖单位公章后扫描上传。"
    ]
    assert Application.objects.get(pk=application.pk).state == State.SUBMITTED


def test_county_level_acceptance_is_refused_without_the_signed_form():
    application = submitted(level="county")
    clerk = county_clerk(county("越城区"))

    with pytest.raises(ValidationError, match="签章申报表扫描件"):
        application_transition(
            application=application,
            action="start_acceptance",
            user=clerk,
            version=application.version,
            effect_kwargs={"leader": clerk, "members": []},
        )


def test_the_county_s_page_says_why_it_cannot_recommend_yet(client):
    application = submitted()
    client.force_login(county_clerk(county("越城区")))

    page = client.get(reverse("reviews:application-transition", args=[application.pk, "recommend"]))

    assert list_items(page, "refusals") == [workflow.signed_form_missing_message(application)]


def test_applicant_uploads_the_scan_with_the_printed_code_then_the_county_recommends(client):
    application = submitted()
    applicant = applicant_of(application)
    client.force_login(applicant)
    code = printed_code(client, application)

    response = client.post(
        reverse("reviews:signed-form-upload", args=[application.pk]),
        {"signed-code": code.lower().replace("-", " "), "signed-file": upload("申报表（盖章）.png", png_bytes())},
        follow=True,
    )

    scan = Attachment.objects.get(application=application, purpose=AttachmentPurpose.SIGNED_FORM)
    entry = ApplicationLog.objects.filter(application=application).latest("pk")
    assert messages_shown(response) == [f"已上传签章申报表扫描件（校验码 {code}），请等待县局审核。"]
    assert (scan.form_code, scan.kind, scan.original_name, scan.uploaded_by) == (
        code,
        "png",
        "申报表（盖章）.png",
        applicant,
    )
    assert (entry.action, entry.label, entry.comment) == (
        LogAction.ATTACHMENT_ADD,
        "上传签章申报表",
        f"申报表（盖章）.png（申报表校验码 {code}）",
    )
    recommend(application, county_clerk(county("越城区")))
    assert Application.objects.get(pk=application.pk).state == State.RECOMMENDED


@pytest.mark.parametrize("which", ["printed as a draft", "mistyped"])
def test_a_code_that_is_not_this_submission_s_is_refused_and_nothing_kept(client, which):
    application = ApplicationFactory(complete=True)
    draft_code = paper.paper_form(Application.objects.get(pk=application.pk)).code
    advance(application, State.SUBMITTED)
    application = Application.objects.get(pk=application.pk)
    code = {"printed as a draft": draft_code, "mistyped": "0000-0000"}[which]
    assert code != paper.signing_form(application).code
    client.force_login(applicant_of(application))

    response = client.post(
        reverse("reviews:signed-form-upload", args=[application.pk]),
        {"signed-code": code, "signed-file": upload("扫描.pdf")},
    )

    assert response.status_code == 400
    assert "填写的校验码与本次申报的申报表不一致" in response.content.decode()
    assert not Attachment.objects.filter(application=application, purpose=AttachmentPurpose.SIGNED_FORM).exists()


def test_a_code_in_another_shape_is_refused_at_the_field(client):
    application = submitted()
    client.force_login(applicant_of(application))

    response = client.post(
        reverse("reviews:signed-form-upload", args=[application.pk]),
        {"signed-code": "不是校验码", "signed-file": upload("扫描.pdf")},
    )

    assert response.status_code == 400
    assert "校验码为8位数字和字母（A–F）" in response.content.decode()


def test_a_word_document_is_no_scan():
    application = submitted()

    with pytest.raises(ValidationError, match="须为 PDF、JPG 或 PNG"):
        signed_form_add(
            application=application,
            user=applicant_of(application),
            uploaded=upload("申报表.docx", docx_bytes()),
            code=paper.signing_form(application).code,
        )
    assert not Attachment.objects.filter(application=application, purpose=AttachmentPurpose.SIGNED_FORM).exists()


@pytest.mark.parametrize("who", ["county", "applicant_of_a_draft"])
def test_only_the_applicant_uploads_and_only_while_the_county_waits_for_it(who):
    application = submitted() if who == "county" else ApplicationFactory(complete=True)
    user = county_clerk(county("越城区")) if who == "county" else applicant_of(application)

    with pytest.raises(PermissionDenied):
        signed_form_add(application=application, user=user, uploaded=upload(), code="0000-0000")


def test_upload_route_refuses_the_county_and_hides_the_application_from_others(client):
    application = submitted()
    url = reverse("reviews:signed-form-upload", args=[application.pk])
    answers = []
    for user in (county_clerk(county("越城区")), UserFactory(applicant=True), county_clerk(county("柯桥区"))):
        client.force_login(user)
        answers.append(client.post(url, {"signed-code": "0000-0000", "signed-file": upload()}).status_code)

    assert answers == [403, 404, 404]
    assert not Attachment.objects.filter(application=application, purpose=AttachmentPurpose.SIGNED_FORM).exists()


def test_at_most_a_few_scans_per_application():
    application = submitted()
    code = paper.signing_form(application).code
    for _ in range(SIGNED_FORM_MAX_UPLOADS):
        signed_form_add(application=application, user=applicant_of(application), uploaded=upload(), code=code)

    with pytest.raises(ValidationError, match=f"最多上传 {SIGNED_FORM_MAX_UPLOADS} 次"):
        signed_form_add(application=application, user=applicant_of(application), uploaded=upload(), code=code)


def test_county_sees_whether_each_scan_matches_this_submission_and_the_code_to_look_for(client):
    application = submitted()
    first = add_signed_form(application)
    clerk = county_clerk(county("越城区"))
    application_transition(
        application=application, action="return_for_changes", user=clerk, version=application.version, comment="补充。"
    )
    Application.objects.filter(pk=application.pk).update(narrative=application.narrative + "已补充近一年的定密记录。")
    advance(application, State.SUBMITTED)
    application = Application.objects.get(pk=application.pk)
    second = add_signed_form(application)
    code = paper.signing_form(application).code
    client.force_login(clerk)

    page = client.get(reverse("reviews:application-detail", args=[application.pk])).content.decode()
    section = page.split('id="signed-form"')[1].split("</section>")[0]

    rows = [re.sub(r"<[^>]+>|\s+", "", row) for row in re.findall(r"<tr><td><a.*?</tr>", section, re.S)]
    assert first.form_code != code == second.form_code
    assert f"本次申报的申报表校验码为 <strong>{code}</strong>" in section
    assert [row[: row.index("一致") + 2] for row in rows] == [  # the latest first
        f"申报表（签章）.pdf{code}✓一致",
        f"申报表（签章）.pdf{first.form_code}✗不一致",
    ]


def test_the_applicant_is_not_told_the_code_it_must_read_off_the_paper(client):
    application = submitted()
    client.force_login(applicant_of(application))

    page = client.get(reverse("reviews:application-detail", args=[application.pk])).content.decode()

    assert paper.signing_form(application).code not in page.split('id="signed-form"')[1]
    assert f'action="/applications/{application.pk}/signed-form/"' in page


def test_after_the_county_s_step_the_rule_no_longer_asks_for_the_paper():
    application = ApplicationFactory(complete=True, advanced_to=State.RECOMMENDED)
    Attachment.objects.filter(application=application, purpose=AttachmentPurpose.SIGNED_FORM).delete()
    application = Application.objects.get(pk=application.pk)

    assert workflow.signed_form_received(application) is True


@pytest.mark.parametrize(
    "typed, read",
    [("3f2a9c1b", "3F2A-9C1B"), ("3F2A 9C1B", "3F2A-9C1B"), (" 3f2a-9c1b ", "3F2A-9C1B"), ("3F2A-9C1O", "3F2A-9C10")],
)
def test_codes_are_read_as_typed(typed, read):
    assert (paper.normalised_code(typed), paper.is_code(typed)) == (read, True)


@pytest.mark.parametrize("typed", ["", "3F2A-9C1", "3F2A-9C1BB", "GGGG-HHHH", "校验码"])
def test_anything_else_is_no_code(typed):
    assert paper.is_code(typed) is False
