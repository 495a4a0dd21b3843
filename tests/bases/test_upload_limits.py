"""Limits on uploads: the body is never read past a limit, an application's files stay within its
quota, a DOCX/XLSX that unpacks to too much is refused unread, and a file is stored and downloaded
under the type found in its content, whatever its name says."""

import io
import os
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from bases import selectors, services
from bases.choices import AttachmentPurpose, State
from bases.models import Attachment
from bases.validators import attachment_display_name
from reviews import services as review_services
from shaoxing_trade_secret.middleware import RefuseOversizeUploads
from tests.bases.test_attachments import upload_url
from tests.factories import ApplicationFactory, UserFactory, docx_bytes, pdf_bytes, upload, xlsx_bytes
from tests.helpers import field_groups, messages_shown

pytestmark = pytest.mark.django_db


# --- The body is not read past a limit ------------------------------------------------------------


class CountingStream(io.BytesIO):
    """wsgi.input that remembers how many bytes were taken from it."""

    taken = 0

    def read(self, size=-1):
        data = super().read(size)
        self.taken += len(data)
        return data

    def readline(self, size=-1):
        data = super().readline(size)
        self.taken += len(data)
        return data


def multipart_request(files: dict) -> tuple[WSGIRequest, CountingStream, int]:
    body = encode_multipart(BOUNDARY, {"csrfmiddlewaretoken": "x", "condition_code": "point-1", **files})
    stream = CountingStream(body)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/applications/1/attachments/",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.input": stream,
        "wsgi.url_scheme": "http",
        "CONTENT_TYPE": MULTIPART_CONTENT,
        "CONTENT_LENGTH": str(len(body)),
    }
    return WSGIRequest(environ), stream, len(body)


def test_handler_stops_reading_at_the_first_file_over_the_limit(settings):
    settings.ATTACHMENT_MAX_BYTES = 100 * 1024
    settings.ATTACHMENT_MAX_FILES_PER_POST = 100  # the Content-Length check would not stop 5 MB
    request, stream, length = multipart_request({"file": SimpleUploadedFile("扫描件.pdf", b"%PDF-" + b"0" * 5_000_000)})

    files, post = request.FILES, request.POST

    assert request.upload_refusal == "文件“扫描件.pdf”超过 100.0\xa0KB 的上限，本次选择的文件均未上传。"
    assert stream.taken < 300 * 1024 < length  # read up to the limit and one chunk (64 KB) past it
    assert list(files) == []
    assert (post["csrfmiddlewaretoken"], post["condition_code"]) == ("x", "point-1")


def test_oversize_post_refused_from_its_headers_without_reading_the_body(settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    settings.ATTACHMENT_MAX_FILES_PER_POST = 1
    request, stream, _ = multipart_request({"file": SimpleUploadedFile("a.pdf", os.urandom(1024 * 1024 + 2000))})
    request.user = AnonymousUser()
    reached = []

    response = RefuseOversizeUploads(lambda r: reached.append(r) or HttpResponse())(request)

    assert (response.status_code, reached, stream.taken) == (413, [], 0)
    assert "本次上传未被接收。请分批上传。" in response.content.decode()


def test_post_within_limits_read_whole_and_kept(settings):
    request, stream, length = multipart_request({"file": SimpleUploadedFile("扫描件.pdf", pdf_bytes())})

    response = RefuseOversizeUploads(lambda r: HttpResponse(r.FILES["file"].read()))(request)

    assert (response.content, stream.taken, getattr(request, "upload_refusal", "")) == (pdf_bytes(), length, "")


def test_revocation_statement_oversize_file_refused_statement_text_kept(client, settings, private_storage):
    settings.ATTACHMENT_MAX_BYTES = 50
    city = UserFactory(city_reviewer=True)
    application = ApplicationFactory(complete=True, advanced_to=State.RECOGNISED, advance_with={"city_user": city})
    case = review_services.revocation_notice_serve(
        application=application, user=city, ground="other", facts="经查。", served_on=application.base.recognised_on
    )
    client.force_login(application.created_by)

    response = client.post(
        reverse("reviews:revocation-statement", args=[case.pk]),
        {"statement": "我单位已整改。", "files": upload("证据.pdf")},
    )

    case.refresh_from_db()
    assert response.status_code == 400
    assert field_groups(response)["files"].errors == ["文件“证据.pdf”超过 50\xa0字节 的上限，本次选择的文件均未上传。"]
    assert field_groups(response)["statement"].value == "我单位已整改。"
    assert (case.statement_at, list(application.attachments.filter(purpose=AttachmentPurpose.STATEMENT))) == (None, [])


# --- Quota per application ----------------------------------------------------------------------


def test_quota_shown_with_the_upload_form(applicant_client, application, settings):
    settings.ATTACHMENT_MAX_FILES = 3
    settings.ATTACHMENT_MAX_TOTAL_BYTES = 10 * 1024 * 1024
    services.attachment_add(application=application, user=application.created_by, uploaded=upload())

    response = applicant_client.get(reverse("reviews:application-detail", args=[application.pk]))

    size = f"{len(pdf_bytes())}\xa0字节"
    assert (
        f"每份申报最多 3 个文件、合计 10.0\xa0MB：已上传 1 个（{size}），还可上传 2 个、10.0\xa0MB。"
        in response.content.decode()
    )


def test_quota_of_files_keeps_the_first_refuses_the_rest_choice_kept(
    applicant_client, application, settings, private_storage
):
    settings.ATTACHMENT_MAX_FILES = 2

    response = applicant_client.post(
        upload_url(application), {"condition_code": "point-3", "file": [upload(f"证明{i}.pdf") for i in range(3)]}
    )

    assert response.status_code == 400
    assert field_groups(response)["file"].errors == [
        "每份申报最多上传 2 个文件，已达上限，文件“证明2.pdf”未上传。可先删除不需要的文件。"
    ]
    assert field_groups(response)["condition_code"].value == "point-3"
    assert messages_shown(response) == ["已上传 2 个文件。"]
    assert sorted(a.original_name for a in application.attachments.all()) == ["证明0.pdf", "证明1.pdf"]
    assert "已上传 2 个" in response.content.decode() and "还可上传 0 个" in response.content.decode()


def test_quota_of_bytes_refuses_the_file_that_would_pass_it(application, settings, private_storage):
    size = len(pdf_bytes())
    settings.ATTACHMENT_MAX_TOTAL_BYTES = size * 2 - 1
    services.attachment_add(application=application, user=application.created_by, uploaded=upload("一.pdf"))

    with pytest.raises(Exception) as refused:
        services.attachment_add(application=application, user=application.created_by, uploaded=upload("二.pdf"))

    assert refused.value.messages == [
        f"每份申报的文件合计不超过 {size * 2 - 1}\xa0字节，现已用 {size}\xa0字节、还可上传 {size - 1}\xa0字节，"
        f"文件“二.pdf”（{size}\xa0字节）未上传。可先删除不需要的文件。"
    ]
    assert [a.original_name for a in application.attachments.all()] == ["一.pdf"]


def test_usage_counts_this_applications_evidence_only(application, private_storage):
    other = ApplicationFactory(base_type="point")
    services.attachment_add(application=application, user=application.created_by, uploaded=upload("一.pdf"))
    services.attachment_add(application=other, user=other.created_by, uploaded=upload("别家.pdf"))
    services.attachment_store(
        application=application,
        user=application.created_by,
        uploaded=SimpleUploadedFile("申辩.docx", docx_bytes()),
        purpose=AttachmentPurpose.STATEMENT,
    )

    usage = selectors.attachment_usage(application)

    assert (usage.files, usage.bytes, usage.files_left) == (1, len(pdf_bytes()), usage.max_files - 1)
    assert usage.bytes_left == usage.max_bytes - len(pdf_bytes())


# --- DOCX/XLSX that unpack to too much ------------------------------------------------------------


def package(*members, main="word/document.xml") -> bytes:
    """A DOCX-shaped package with the given (name, bytes) members added."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main, "<w:document/>")
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_of(*members) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def refusal(content: bytes, name="制度.docx") -> list[str]:
    application = ApplicationFactory(base_type="point")
    try:
        services.attachment_add(
            application=application, user=application.created_by, uploaded=SimpleUploadedFile(name, content)
        )
    except Exception as exc:
        return exc.messages
    return []


def test_zip_bomb_of_fifty_megabytes_of_zeros_refused_by_its_ratio(private_storage):
    bomb = package(("word/media/image1.png", bytes(50 * 1024 * 1024)))

    assert len(bomb) < 100 * 1024
    assert refusal(bomb) == ["文件“制度.docx”内含压缩比超过 100 倍的部件（疑似“压缩炸弹”），不能上传。"]
    assert Attachment.objects.count() == 0


def test_package_unpacking_past_the_total_limit_refused(settings, private_storage):
    settings.ATTACHMENT_MAX_UNPACKED_BYTES = 1024 * 1024
    noise = package(("word/media/a.bin", os.urandom(700 * 1024)), ("word/media/b.bin", os.urandom(700 * 1024)))

    assert refusal(noise) == ["文件“制度.docx”解压后共 1.4\xa0MB，超过 1.0\xa0MB 的上限（疑似“压缩炸弹”），不能上传。"]


def test_package_with_too_many_members_refused(settings, private_storage):
    settings.ATTACHMENT_ZIP_MAX_MEMBERS = 10
    crowded = package(*[(f"word/media/{i}.xml", "<x/>") for i in range(9)])

    assert refusal(crowded) == ["文件“制度.docx”内含 11 个部件，超过 10 个的上限，不能上传。"]


@pytest.mark.parametrize("name", ["../../etc/cron.d/evil", "/etc/passwd", "word\\..\\..\\evil.xml", "C:/evil.xml"])
def test_package_member_climbing_out_refused(private_storage, name):
    assert refusal(package((name, "x"))) == [f"文件“制度.docx”内含路径异常的部件“{name}”，不能上传。"]


def test_package_holding_another_archive_refused(private_storage):
    nested = package(("word/media/inner.zip", zip_of(("a.txt", "x"))))

    assert refusal(nested) == ["文件“制度.docx”内含另一个压缩包“word/media/inner.zip”，不能上传。"]


def test_embedded_workbook_checked_and_kept(private_storage):
    chart = package(("word/embeddings/Microsoft_Excel_Worksheet.xlsx", xlsx_bytes()))

    assert refusal(chart) == []
    assert Attachment.objects.get().kind == "docx"


def test_embedded_workbook_holding_a_bomb_refused(private_storage):
    inner = package(("xl/media/a.bin", bytes(20 * 1024 * 1024)), main="xl/workbook.xml")
    chart = package(("word/embeddings/Microsoft_Excel_Worksheet.xlsx", inner))

    assert refusal(chart) == ["文件“制度.docx”内含压缩比超过 100 倍的部件（疑似“压缩炸弹”），不能上传。"]


def test_real_documents_pass_the_package_checks(private_storage):
    assert (refusal(docx_bytes()), refusal(xlsx_bytes(), name="名单.xlsx")) == ([], [])


# --- Stored and downloaded as the detected type -------------------------------------------------


@pytest.mark.parametrize(
    "name, content, stored_ext, download",
    [
        ("report.html", pdf_bytes(), "pdf", 'attachment; filename="report.pdf"'),
        ("报告.html", pdf_bytes(), "pdf", "attachment; filename*=utf-8''%E6%8A%A5%E5%91%8A.pdf"),
        ("名单.docx", xlsx_bytes(), "xlsx", "attachment; filename*=utf-8''%E5%90%8D%E5%8D%95.xlsx"),
        ("photo", pdf_bytes(), "pdf", 'attachment; filename="photo.pdf"'),
    ],
)
def test_polyglot_stored_and_downloaded_as_its_detected_type(
    applicant_client, application, private_storage, name, content, stored_ext, download
):
    attachment = services.attachment_add(
        application=application, user=application.created_by, uploaded=SimpleUploadedFile(name, content)
    )

    response = applicant_client.get(reverse("bases:attachment-download", args=[attachment.pk]), {"inline": "1"})

    assert Path(attachment.file.name).suffix == f".{stored_ext}"
    assert attachment.original_name == name
    assert response["Content-Disposition"] == download
    assert response["Content-Type"] == attachment.content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == content


def test_html_named_pdf_refused(application, private_storage):
    assert refusal(b"<!doctype html><script>alert(1)</script>", name="report.pdf") == [
        "文件“report.pdf”的内容不是 PDF、JPEG、PNG、DOCX 或 XLSX 格式，不能上传（系统按文件内容而非扩展名判断）。"
    ]


def test_file_stored_before_without_extension_still_downloads(applicant_client, application, private_storage):
    attachment = Attachment(
        application=application,
        original_name="旧材料.pdf",
        kind="pdf",
        size=len(pdf_bytes()),
        sha256="0" * 64,
        uploaded_by=application.created_by,
    )
    attachment.file.name = attachment.file.storage.save(
        f"attachments/{application.pk}/0123456789abcdef0123456789abcdef", ContentFile(pdf_bytes())
    )
    attachment.save()

    response = applicant_client.get(reverse("bases:attachment-download", args=[attachment.pk]))

    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E6%97%A7%E6%9D%90%E6%96%99.pdf"
    assert b"".join(response.streaming_content) == pdf_bytes()


@pytest.mark.parametrize(
    "given, shown",
    [
        ("C:\\fakepath\\申报书.pdf", "申报书.pdf"),
        ("报告\u202efdp.exe", "报告fdp.exe"),  # a right-to-left override would show it as "报告exe.pdf"
        ("a\x00b\r\nc.pdf", "ab c.pdf"),
        ("  ..  ", "未命名文件"),
        ("长" * 300 + ".docx", "长" * 195 + ".docx"),
    ],
)
def test_display_name_cleaned(given, shown):
    assert attachment_display_name(given) == shown


def test_package_with_an_encrypted_member_refused_as_no_office_file(private_storage):
    content = bytearray(package())
    entry = content.rindex(b"PK\x01\x02")  # the central directory entry of the last member
    content[entry + 8] |= 0x1  # its "encrypted" flag: zipfile asks for a password to read it

    assert refusal(bytes(content)) == [
        "文件“制度.docx”的内容不是 PDF、JPEG、PNG、DOCX 或 XLSX 格式，不能上传（系统按文件内容而非扩展名判断）。"
    ]


def test_package_with_a_corrupt_member_refused_as_no_office_file(private_storage):
    content = bytearray(package())
    content[30 + len("[Content_Types].xml")] = 0xFF  # the first member's deflate data: a reserved block type

    assert refusal(bytes(content)) == [
        "文件“制度.docx”的内容不是 PDF、JPEG、PNG、DOCX 或 XLSX 格式，不能上传（系统按文件内容而非扩展名判断）。"
    ]
