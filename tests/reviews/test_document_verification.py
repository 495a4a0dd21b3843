"""The public page a document's QR code opens (/verify/<id>/): what the document states, whether it is
still valid, the SHA-256 of the file as issued, and a byte-for-byte check of an uploaded file; small,
CSRF-protected, throttled per client address; an unknown id is a plain 404."""

import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from bases.choices import State
from bases.dates import cn_date
from bases.models import Application
from reviews import services
from reviews.choices import DocumentKind
from reviews.forms import VERIFY_UPLOAD_MAX_BYTES
from reviews.pdf import verification_url
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory, applicant_of, county, county_clerk
from tests.helpers import flat, pdf_text

pytestmark = pytest.mark.django_db

DISCLAIMER = "它不是电子证照，文书上也没有电子印章"


@pytest.fixture
def city():
    return UserFactory(city_reviewer=True)


@pytest.fixture
def recognised(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = ApplicationFactory(
            recognised=True,
            organisation=OrganisationFactory(name="绍兴核验测试机械有限公司", county=county("越城区")),
            advance_with={"city_user": city},
        )
    application.refresh_from_db()
    return application


def read(document) -> bytes:
    with document.file.open("rb") as stored:
        return stored.read()


def url_of(document) -> str:
    return reverse("reviews:document-verify", args=[document.public_id])


def upload(client, document, data: bytes, name="认定证书.pdf"):
    return client.post(url_of(document), {"file": SimpleUploadedFile(name, data, content_type="application/pdf")})


def test_anyone_reads_what_the_certificate_states_its_validity_and_the_digest(recognised, client):
    certificate = recognised.documents.get(kind=DocumentKind.CERTIFICATE)
    base = recognised.base

    response = client.get(url_of(certificate))

    html = response.content.decode()
    assert response.status_code == 200
    assert DISCLAIMER in html
    assert '<strong class="verdict verdict-valid">有效</strong>' in html
    for label, value in (
        ("单位名称", "绍兴核验测试机械有限公司"),
        ("认定文号", base.document_number),
        ("认定日期", cn_date(base.recognised_on)),
        ("认定机关", "绍兴市市场监督管理局"),
    ):
        assert f"<dt>{label}</dt><dd>{value}</dd>" in html
    assert f'<code class="digest">{certificate.sha256}</code>' in html
    assert certificate.reference in html


def test_the_qr_code_of_every_document_opens_its_verification_page_at_the_public_address(recognised, settings):
    for document in recognised.documents.all():
        url = f"{settings.PUBLIC_BASE_URL}/verify/{document.public_id}/"
        assert verification_url(document.public_id) == url
        assert url in flat(pdf_text(read(document)))  # printed under the QR code too


@pytest.mark.skipif(
    shutil.which("zbarimg") is None, reason="needs zbarimg (zbar-tools; make test-packages installs it)"
)
def test_the_printed_qr_code_scans_to_the_verification_page(recognised, tmp_path):
    for document in recognised.documents.all():
        (tmp_path / "doc.pdf").write_bytes(read(document))
        subprocess.run(["pdftoppm", "-r", "150", "-png", "doc.pdf", "page"], cwd=tmp_path, check=True)
        scanned = {
            subprocess.run(["zbarimg", "-q", "--raw", str(page)], capture_output=True, text=True).stdout.strip()
            for page in tmp_path.glob("page*.png")
        } - {""}
        assert scanned == {verification_url(document.public_id)}, document
        for page in tmp_path.glob("page*.png"):
            page.unlink()


def test_an_untouched_file_matches_and_a_tampered_one_does_not(recognised, client):
    certificate = recognised.documents.get(kind=DocumentKind.CERTIFICATE)
    original = read(certificate)
    tampered = bytearray(original)
    tampered[len(tampered) // 2] ^= 0x01  # one bit of one byte

    same = upload(client, certificate, original).content.decode()
    changed = upload(client, certificate, bytes(tampered)).content.decode()
    other = upload(client, certificate, read(recognised.documents.get(kind=DocumentKind.RECEIPT))).content.decode()

    assert "<strong>一致：</strong>上传的文件与本平台出具的" in same and "<strong>不一致：</strong>" not in same
    assert "<strong>不一致：</strong>" in changed and "<strong>一致：</strong>" not in changed
    assert "<strong>不一致：</strong>" in other


def test_a_revoked_bases_certificate_shows_revoked_with_the_date(city, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = ApplicationFactory(revoked=True, advance_with={"city_user": city})
    application.refresh_from_db()
    base = application.base
    certificate = application.documents.get(kind=DocumentKind.CERTIFICATE)
    listed = application.documents.get(kind=DocumentKind.RECOGNITION_LIST)

    html = client.get(url_of(certificate)).content.decode()
    list_html = client.get(url_of(listed)).content.decode()

    revoked = f"已撤销（{cn_date(base.revoked_on)}，{base.revocation_document}）"
    assert f'<strong class="verdict verdict-revoked">{revoked}</strong>' in html
    assert "本证书自撤销之日起失效" in html and "verdict-valid" not in html
    assert "名单中已有 1 个基地的认定被撤销" in list_html
    assert f'<span class="verdict verdict-revoked">{revoked}</span>' in list_html


def test_a_receipt_followed_by_a_newer_one_shows_superseded(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = ApplicationFactory(complete=True, advanced_to=State.SUBMITTED)
    first = application.documents.get()
    with django_capture_on_commit_callbacks(execute=True):
        for action, user in (
            ("return_for_changes", county_clerk(application.county)),
            ("submit", applicant_of(application)),
        ):
            current = Application.objects.get(pk=application.pk)
            services.application_transition(
                application=current, action=action, user=user, version=current.version, comment="请补充。"
            )
    newer = application.documents.exclude(pk=first.pk).get()

    html = client.get(url_of(first)).content.decode()

    assert "已被新回执取代" in html and newer.reference in html and "本回执所载查询码已失效" in html
    assert "verdict-valid" in client.get(url_of(newer)).content.decode()


def test_an_unknown_id_is_a_plain_404(client, recognised):
    certificate = recognised.documents.get(kind=DocumentKind.CERTIFICATE)
    unknown = client.get(reverse("reviews:document-verify", args=["A" * 22]))
    almost = client.get(reverse("reviews:document-verify", args=[certificate.public_id[:-1]]))
    nowhere = client.get("/no-such-page/")

    assert unknown.status_code == almost.status_code == 404
    assert unknown.content == almost.content == nowhere.content  # nothing says a document was near


def test_the_upload_needs_the_csrf_token(recognised):
    certificate = recognised.documents.get(kind=DocumentKind.CERTIFICATE)
    client = Client(enforce_csrf_checks=True)

    refused = upload(client, certificate, read(certificate))
    page = client.get(url_of(certificate))
    token = page.cookies["csrftoken"].value
    accepted = client.post(
        url_of(certificate),
        {"csrfmiddlewaretoken": token, "file": SimpleUploadedFile("c.pdf", read(certificate))},
    )

    assert refused.status_code == 403
    assert accepted.status_code == 200 and "<strong>一致：</strong>" in accepted.content.decode()


def test_an_oversize_upload_is_refused_unread_and_an_empty_post_asks_for_a_file(recognised, client):
    certificate = recognised.documents.get(kind=DocumentKind.CERTIFICATE)

    too_big = upload(client, certificate, b"%PDF-" + b"0" * (VERIFY_UPLOAD_MAX_BYTES + 1024 * 1024))
    empty = client.post(url_of(certificate), {})

    assert too_big.status_code == 413 and "不可能是本平台出具的文书" in too_big.content.decode()
    assert empty.status_code == 400 and "选择要核对的文件" in empty.content.decode()


def test_uploads_are_throttled_per_client_address(recognised, client):
    certificate = recognised.documents.get(kind=DocumentKind.CERTIFICATE)
    data = read(certificate)

    answers = [upload(client, certificate, data).status_code for _ in range(21)]
    elsewhere = Client(REMOTE_ADDR="198.51.100.20")

    assert answers == [200] * 20 + [429]
    assert client.get(url_of(certificate)).status_code == 200  # reading the page is not throttled
    assert upload(elsewhere, certificate, data).status_code == 200
