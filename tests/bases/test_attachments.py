"""Evidence files: checked by content, stored privately under a random name, read only through
the scoped download view, changed only while the application is editable."""

import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bases import services
from bases.choices import LogAction
from bases.models import Attachment
from shaoxing_trade_secret import settings as project_settings
from tests.factories import (
    ApplicationFactory,
    UserFactory,
    add_evidence,
    county,
    docx_bytes,
    ooxml_bytes,
    pdf_bytes,
    png_bytes,
    upload,
    xlsx_bytes,
)
from tests.helpers import field_groups, messages_shown, url_patterns

pytestmark = pytest.mark.django_db

NOT_ALLOWED = "文件“{}”的内容不是 PDF、JPEG、PNG、DOCX 或 XLSX 格式，不能上传（系统按文件内容而非扩展名判断）。"


def zip_without_main_part() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("docProps/app.xml", "<Properties/>")
    return buffer.getvalue()


def word_part_without_content_types() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload_url(application):
    return reverse("reviews:attachment-upload", args=[application.pk])


def stored_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.mark.parametrize(
    "name, content, kind",
    [
        ("领导小组成立文件.pdf", pdf_bytes(), "pdf"),
        ("办公场所照片.png", png_bytes(), "png"),
        ("保密制度.docx", docx_bytes(), "docx"),
        ("受训企业名单.xlsx", xlsx_bytes(), "xlsx"),
        ("受训企业名单.docx", xlsx_bytes(), "xlsx"),  # the content decides, not the extension
        ("最小工作簿.docx", ooxml_bytes("xl/workbook.xml"), "xlsx"),
        ("最小文档.docx", ooxml_bytes("word/document.xml"), "docx"),
        ("扫描件.jpg", pdf_bytes(), "pdf"),
    ],
)
def test_upload_real_file_stored_privately_under_random_name(
    applicant_client, application, private_storage, name, content, kind
):
    response = applicant_client.post(
        upload_url(application), {"condition_code": "point-1", "file": SimpleUploadedFile(name, content)}, follow=True
    )

    attachment = Attachment.objects.get(application=application)
    stored = Path(attachment.file.path)
    assert (attachment.kind, attachment.original_name, attachment.condition_code, attachment.size) == (
        kind,
        name,
        "point-1",
        len(content),
    )
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert re.fullmatch(rf"[0-9a-f]{{32}}\.{kind}", stored.name)  # the detected type's extension
    assert Path(name).stem not in attachment.file.name
    assert stored.resolve().is_relative_to(private_storage.resolve())
    assert stored.read_bytes() == content
    assert [(e.action, e.comment) for e in application.log.all()] == [
        (LogAction.ATTACHMENT_ADD, f"第十条（一）：{name}")
    ]
    assert messages_shown(response) == ["已上传 1 个文件。"]
    assert name in response.content.decode()


@pytest.mark.parametrize(
    "name, content",
    [
        ("申报书.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200),  # Windows .exe
        ("申报书.pdf", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200),  # Linux executable
        ("申报书.pdf", "这是一段纯文本，并不是 PDF 文件。".encode()),
        ("制度.docx", zip_without_main_part()),
        ("制度.docx", word_part_without_content_types()),
        ("照片.png", b"<html><script>alert(1)</script></html>"),
    ],
    ids=["exe", "elf", "text", "zip-no-main-part", "zip-no-content-types", "html"],
)
def test_upload_spoofed_file_rejected_at_the_field_choice_kept_nothing_stored(
    applicant_client, application, private_storage, name, content
):
    response = applicant_client.post(
        upload_url(application), {"condition_code": "point-2", "file": SimpleUploadedFile(name, content)}
    )

    assert response.status_code == 400
    assert field_groups(response)["file"].errors == [NOT_ALLOWED.format(name)]
    assert field_groups(response)["condition_code"].value == "point-2"
    assert list(Attachment.objects.filter(application=application)) == []
    assert stored_files(private_storage) == set()
    assert list(application.log.all()) == []


def test_upload_oversize_file_stopped_while_read_choice_kept_413(
    applicant_client, application, private_storage, settings
):
    content = pdf_bytes()
    settings.ATTACHMENT_MAX_BYTES = len(content) - 1

    response = applicant_client.post(
        upload_url(application),
        {"condition_code": "point-2", "file": [SimpleUploadedFile("小文件.pdf", b"%PDF-1.4\n"), upload("大文件.pdf")]},
    )

    assert response.status_code == 413
    assert field_groups(response)["file"].errors == [
        f"文件“大文件.pdf”超过 {len(content) - 1}\xa0字节 的上限，本次选择的文件均未上传。"
    ]
    assert field_groups(response)["condition_code"].value == "point-2"
    assert list(Attachment.objects.filter(application=application)) == []
    assert stored_files(private_storage) == set()


def test_upload_more_files_than_one_post_may_hold_refused_413_nothing_stored(
    applicant_client, application, private_storage, settings
):
    settings.ATTACHMENT_MAX_FILES_PER_POST = 2

    response = applicant_client.post(
        upload_url(application), {"condition_code": "", "file": [upload(f"证明{i}.pdf") for i in range(3)]}
    )

    assert response.status_code == 413
    assert field_groups(response)["file"].errors == ["一次最多上传 2 个文件，本次选择的文件均未上传，请分批上传。"]
    assert list(Attachment.objects.filter(application=application)) == []
    assert stored_files(private_storage) == set()


def test_upload_body_over_the_post_limit_answered_413_before_the_view(
    applicant_client, application, private_storage, settings
):
    settings.ATTACHMENT_MAX_BYTES = 1000
    settings.ATTACHMENT_MAX_FILES_PER_POST = 1  # a post may hold 1000 bytes + 1 MiB
    big = pdf_bytes() + b"0" * (1024 * 1024 + 1000)

    response = applicant_client.post(
        upload_url(application), {"condition_code": "", "file": SimpleUploadedFile("扫描件.pdf", big)}
    )

    assert response.status_code == 413
    assert (
        "一次上传的内容超过 1.0\xa0MB 的上限（每次最多 1 个文件，单个文件不超过 1000\xa0字节），本次上传未被接收。"
        in response.content.decode()
    )
    assert list(Attachment.objects.filter(application=application)) == []
    assert stored_files(private_storage) == set()


def test_upload_submitted_application_refused_403(client, private_storage):
    application = ApplicationFactory(submitted=True)
    client.force_login(application.created_by)

    response = client.post(
        upload_url(application), {"condition_code": "", "file": SimpleUploadedFile("a.pdf", pdf_bytes())}
    )

    assert response.status_code == 403
    assert "该申报当前不能修改或上传材料" in response.content.decode()
    assert list(Attachment.objects.filter(application=application)) == []
    assert stored_files(private_storage) == set()


# --- Download -----------------------------------------------------------------------------------


@pytest.fixture
def attachment(application):
    return services.attachment_add(
        application=application,
        user=application.created_by,
        uploaded=SimpleUploadedFile("保密协议.pdf", pdf_bytes()),
        condition_code="point-1",
    )


@pytest.mark.parametrize(
    "who",
    ["owner", "county_of_organisation"],
)
def test_download_allowed_user_gets_the_file(client, application, attachment, who):
    user = application.created_by if who == "owner" else UserFactory(county_staff=True, county=county("越城区"))
    client.force_login(user)

    response = client.get(reverse("bases:attachment-download", args=[attachment.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("who", ["other_applicant", "other_county"])
def test_download_out_of_scope_user_gets_404(client, application, attachment, who):
    user = (
        UserFactory(applicant=True)
        if who == "other_applicant"
        else UserFactory(county_staff=True, county=county("柯桥区"))
    )
    client.force_login(user)

    response = client.get(reverse("bases:attachment-download", args=[attachment.pk]))

    assert response.status_code == 404
    assert not hasattr(response, "streaming_content")
    assert "保密协议" not in response.content.decode()


def test_download_anonymous_redirected_to_login(client, attachment):
    url = reverse("bases:attachment-download", args=[attachment.pk])

    response = client.get(url)

    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={url}")


# --- Delete -------------------------------------------------------------------------------------


def test_delete_get_asks_for_confirmation_and_keeps_file(applicant_client, application, attachment):
    response = applicant_client.get(reverse("bases:attachment-delete", args=[attachment.pk]))

    assert response.status_code == 200
    assert f"确定从申报 {application.reference} 中删除“<strong>保密协议.pdf</strong>”吗？" in response.content.decode()
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert Path(attachment.file.path).exists()


def test_delete_post_removes_row_and_file_and_logs(
    applicant_client, application, attachment, django_capture_on_commit_callbacks
):
    path = Path(attachment.file.path)

    with django_capture_on_commit_callbacks(execute=True):
        response = applicant_client.post(reverse("bases:attachment-delete", args=[attachment.pk]), follow=True)

    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert not path.exists()
    assert [(e.action, e.comment) for e in application.log.all()] == [
        (LogAction.ATTACHMENT_ADD, "第十条（一）：保密协议.pdf"),
        (LogAction.ATTACHMENT_DELETE, f"保密协议.pdf（SHA-256 {attachment.sha256[:12]}…）"),
    ]
    assert messages_shown(response) == ["已删除“保密协议.pdf”。"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_delete_submitted_application_refused_403(client, method):
    application = ApplicationFactory(submitted=True)
    add_evidence(application)
    attachment = application.attachments.first()
    client.force_login(application.created_by)

    response = getattr(client, method)(reverse("bases:attachment-delete", args=[attachment.pk]))

    assert response.status_code == 403
    assert "该申报当前不能删除材料。" in response.content.decode()
    assert Attachment.objects.filter(application=application).count() == len(application.spec.conditions)
    assert Path(attachment.file.path).exists()


# --- Storage is private -------------------------------------------------------------------------


@pytest.mark.parametrize("alias", ["default", "private", "documents"])
def test_storage_location_not_under_any_static_directory(alias):
    location = Path(project_settings.STORAGES[alias]["OPTIONS"]["location"]).resolve()
    # MEDIA_ROOT is listed too: Django's live server serves MEDIA_URL from it.
    served = [
        Path(project_settings.STATIC_ROOT),
        *map(Path, project_settings.STATICFILES_DIRS),
        Path(project_settings.MEDIA_ROOT),
    ]
    whitenoise_root = getattr(project_settings, "WHITENOISE_ROOT", None)
    served += [Path(whitenoise_root)] if whitenoise_root else []

    assert {str(root) for root in served if location.is_relative_to(root.resolve())} == set()
    assert {str(root) for root in served if root.resolve().is_relative_to(location)} == set()


def test_no_url_pattern_serves_the_storage_directory(applicant_client, attachment):
    from django.views.static import serve

    serving = {
        name
        for name, _, pattern in url_patterns()
        if pattern.callback is serve or "document_root" in (pattern.default_args or {})
    }
    stored_name = attachment.file.name

    responses = {
        path: applicant_client.get(path).status_code
        for path in (
            f"/{stored_name}",
            f"/media/{stored_name}",
            f"/private/{stored_name}",
            f"/var/private/{stored_name}",
            f"/static/{stored_name}",
        )
    }

    assert serving == set()
    assert responses == dict.fromkeys(responses, 404)
