"""The documents the procedure issues (申报回执, 公示公告, 认定名单, 认定证书, 撤销决定书): issued by the
step that calls for each once it has committed, stored once as made and numbered, stating what they
must (read back from the PDF with pdftotext), PDF/A-2u with embedded fonts, made without touching
the network, downloadable only within the application's scope."""

import contextlib
import datetime
import hashlib
import io
import re
import socket
import subprocess
from concurrent.futures import Future, ThreadPoolExecutor
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from bases.choices import LogAction, State
from bases.dates import cn_date
from bases.models import Application, ApplicationLog, reapply_free_on
from bases.selectors import check_query_code, log_chain_check
from reviews import services
from reviews.choices import DocumentKind
from reviews.forms import RecognitionForm
from reviews.models import IssuedDocument
from tests.factories import (
    ApplicationFactory,
    OrganisationFactory,
    UserFactory,
    applicant_of,
    backdate_publicity,
    county,
    county_clerk,
)
from tests.helpers import flat, pdf_text, printed_lookup_code

pytestmark = pytest.mark.django_db


def run(application, action, user, **kwargs):
    current = Application.objects.get(pk=application.pk)
    return services.application_transition(
        application=current, action=action, user=user, version=current.version, **kwargs
    )


def document(application, kind) -> IssuedDocument:
    return application.documents.get(kind=kind)


def read(doc: IssuedDocument) -> bytes:
    with doc.file.open("rb") as stored:
        return stored.read()


def text_of(doc: IssuedDocument) -> str:
    """The document's text in one run, without the page numbers (— 1 —) a page break puts in it."""
    return re.sub(r"—\d+—", "", flat(pdf_text(read(doc))))


@pytest.fixture
def city():
    return UserFactory(city_reviewer=True, last_name="沈", first_name="佳怡")


@pytest.fixture
def recognised(city, django_capture_on_commit_callbacks):
    """A city-level application taken through the real services to 已认定, the tasks its steps queue
    run as they would after each commit: receipt, 公示公告, 认定证书 and 认定名单 issued."""
    with django_capture_on_commit_callbacks(execute=True):
        application = ApplicationFactory(
            recognised=True,
            organisation=OrganisationFactory(name="绍兴文书测试精工有限公司", county=county("越城区")),
            advance_with={"city_user": city},
        )
    application.refresh_from_db()
    return application


@pytest.fixture
def revoked(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = ApplicationFactory(
            revoked=True,
            organisation=OrganisationFactory(name="绍兴撤销测试材料有限公司", county=county("柯桥区")),
            advance_with={"city_user": city, "ground": "forged"},
        )
    application.refresh_from_db()
    return application


# --- What each document states --------------------------------------------------------------------------


def test_each_step_issues_its_documents_once_committed(recognised):
    kinds = list(recognised.documents.order_by("pk").values_list("kind", flat=True))

    assert kinds == [
        DocumentKind.RECEIPT,
        DocumentKind.PUBLICITY_NOTICE,
        DocumentKind.CERTIFICATE,
        DocumentKind.RECOGNITION_LIST,
    ]
    year = timezone.localdate().year
    assert [d.reference for d in recognised.documents.order_by("pk")] == [
        f"HZ{year}0001",
        f"GS{year}0001",
        f"ZS{year}0001",
        f"MD{year}0001",
    ]
    logged = ApplicationLog.objects.filter(application=recognised, action=LogAction.DOCUMENT)
    assert list(logged.order_by("pk").values_list("label", flat=True)) == [
        "出具申报回执",
        "出具公示公告",
        "出具认定证书",
        "出具认定名单",
    ]


def test_receipt_states_the_submission_what_comes_next_and_a_query_code_kept_only_as_a_digest(recognised):
    receipt = document(recognised, DocumentKind.RECEIPT)
    text = pdf_text(read(receipt))
    submitted = timezone.localtime(recognised.submitted_at)

    for part in (
        "申报回执",
        f"回执编号{receipt.reference}",
        f"申报编号{recognised.reference}",
        "绍兴文书测试精工有限公司",
        recognised.organisation.credit_code,
        "市级示范点",
        f"提交时间{cn_date(submitted.date())}{submitted:%H:%M}",
        "受理单位越城区市场监督管理局",
        "下一步等待县局审核推荐",
    ):
        assert part in flat(text), part
    code = printed_lookup_code(text)
    assert check_query_code(recognised, code)
    assert check_query_code(recognised, f"{code[:4].lower()} {code[4:]}")  # as typed from the print
    assert not check_query_code(recognised, "ABCD2345")
    # The code is written nowhere else: not in the application's row, its log, its notifications.
    assert code not in str(Application.objects.filter(pk=recognised.pk).values().get())
    assert not ApplicationLog.objects.filter(comment__contains=code).exists()
    assert code not in str(receipt.facts)


def test_a_new_submission_gets_a_new_receipt_and_the_code_before_stops_working(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = ApplicationFactory(complete=True, advanced_to=State.SUBMITTED)
    first = document(application, DocumentKind.RECEIPT)
    first_code = printed_lookup_code(pdf_text(read(first)))
    application.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        run(application, "return_for_changes", county_clerk(application.county), comment="请补充。")
        run(application, "submit", applicant_of(application))
    application.refresh_from_db()

    receipts = list(application.documents.filter(kind=DocumentKind.RECEIPT).order_by("pk"))
    second_code = printed_lookup_code(pdf_text(read(receipts[1])))
    assert len(receipts) == 2 and receipts[0] == first
    assert "退回修改后再次提交" in flat(pdf_text(read(receipts[1])))
    assert check_query_code(application, second_code)
    assert not check_query_code(application, first_code)


def test_publicity_notice_lists_the_bases_the_period_and_how_to_object(recognised):
    notice = document(recognised, DocumentKind.PUBLICITY_NOTICE)
    publicity = recognised.publicities.get()
    text = text_of(notice)

    for part in (
        publicity.title,
        "绍兴文书测试精工有限公司",
        "市级示范点",
        "越城区",
        f"公示期：{cn_date(publicity.starts_on)}至{cn_date(publicity.ends_on)}（5个工作日）",
        "以书面形式向绍兴市市场监督管理局提出",
        "署真实姓名",
        "理由并附相关证据",
        "匿名异议和超出公示期提出的异议不予受理",
    ):
        assert part in text, part
    assert notice.publicity == publicity


def test_recognition_list_is_laid_out_after_gbt_9704_with_the_number_entered(recognised):
    listed = document(recognised, DocumentKind.RECOGNITION_LIST)
    base = recognised.base
    text = text_of(listed)
    year = base.year

    # 发文机关标志, 发文字号, 标题, 主送机关, 正文, 附件说明, 落款 and 成文日期, then the 附件 and the 版记.
    order = [
        "绍兴市市场监督管理局文件",
        base.document_number,
        f"绍兴市市场监督管理局关于认定{year}年度市级商业秘密保护基地的通知",
        "各区、县（市）市场监管局，各有关单位：",
        f"现认定1家单位为{year}年度市级商业秘密保护基地",
        f"附件：{year}年度市级商业秘密保护基地认定名单",
        f"绍兴市市场监督管理局{cn_date(base.recognised_on)}",
        f"附件{year}年度市级商业秘密保护基地认定名单序号单位名称基地类型所在地区",
        "绍兴文书测试精工有限公司",
        f"绍兴市市场监督管理局办公室{cn_date(base.recognised_on)}印发",
    ]
    positions = [text.find(part) for part in order]
    assert -1 not in positions, [p for p, i in zip(order, positions, strict=True) if i < 0]
    assert positions == sorted(positions)
    assert listed.document_number == base.document_number


def red_share(png: bytes, top: float, bottom: float) -> float:
    """The share of clearly red pixels in a horizontal band of a page (fractions of its height)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    band = image.crop((0, int(height * top), width, int(height * bottom)))
    pixels = list(band.get_flattened_data())
    return sum(1 for r, g, b in pixels if r > 180 and g < 90 and b < 90) / len(pixels)


def test_official_documents_carry_the_red_issuer_mark_and_red_line_and_nothing_else_red(recognised, tmp_path):
    (tmp_path / "list.pdf").write_bytes(read(document(recognised, DocumentKind.RECOGNITION_LIST)))
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", "-singlefile", "list.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    png = (tmp_path / "page.png").read_bytes()

    assert red_share(png, 0.2, 0.4) > 0.01  # the 发文机关标志 and the line under the 发文字号
    assert red_share(png, 0.45, 1.0) == 0  # the title and the body are black


def test_certificate_states_name_type_level_year_and_number(recognised):
    certificate = document(recognised, DocumentKind.CERTIFICATE)
    base = recognised.base
    text = text_of(certificate)

    for part in (
        "认定证书",
        f"证书编号{certificate.reference}",
        "绍兴文书测试精工有限公司：",
        f"你单位为{base.year}年度绍兴市商业秘密保护基地（示范点）",
        "基地类型示范点",
        "级别市级",
        f"认定年度{base.year}年度",
        f"认定文号{base.document_number}",
        f"绍兴市市场监督管理局{cn_date(base.recognised_on)}",
    ):
        assert part in text, part
    assert certificate.base == base


def test_revocation_decision_states_ground_statement_reasons_rights_and_the_end_of_the_ban(revoked):
    decision = document(revoked, DocumentKind.REVOCATION_DECISION)
    case = revoked.revocation_cases.get()
    base = revoked.base
    free_on = reapply_free_on(case.decided_on)
    text = text_of(decision)

    order = [
        "绍兴市市场监督管理局",
        case.document_number,
        "绍兴市市场监督管理局关于撤销绍兴撤销测试材料有限公司商业秘密保护基地认定的决定",
        "绍兴撤销测试材料有限公司：",
        f"本局以{base.document_number}认定你单位",
        "经查证属实。",
        f"{cn_date(case.served_on)}，本局向你单位送达撤销告知",
        "第十五条（一）伪造虚假申报材料",
        "提出陈述申辩，称：“我单位已整改。”",
        "本局意见如下：陈述申辩理由不能成立，不予采纳。",
        "本局决定：撤销你单位",
        f"即{cn_date(free_on - datetime.timedelta(days=1))}前不得申报，{cn_date(free_on)}起可重新申报",
        "申请行政复议",
        "提起行政诉讼",
        f"绍兴市市场监督管理局{cn_date(case.decided_on)}",
    ]
    positions = [text.find(part) for part in order]
    assert -1 not in positions, [p for p, i in zip(order, positions, strict=True) if i < 0]
    assert positions == sorted(positions)
    assert dict(decision.facts["rows"])["撤销事由"] == "第十五条（一）伪造虚假申报材料"


def test_county_level_documents_are_issued_by_the_county_bureau(django_capture_on_commit_callbacks):
    shengzhou = county("嵊州市")
    with django_capture_on_commit_callbacks(execute=True):
        application = ApplicationFactory(
            recognised=True, level="county", organisation=OrganisationFactory(county=shengzhou)
        )
    listed = document(application, DocumentKind.RECOGNITION_LIST)

    text = text_of(listed)
    assert text.startswith(f"{shengzhou.bureau_name}文件")
    assert f"现认定1家单位为{application.batch.year}年度县级商业秘密保护基地" in text
    assert f"{shengzhou.name}县级商业秘密保护基地（示范点）" in text_of(document(application, DocumentKind.CERTIFICATE))


def test_html_in_what_a_document_states_is_printed_as_text(django_capture_on_commit_callbacks):
    hostile = '<b>粗</b><img src="http://198.51.100.7/x.png">有限公司'
    with django_capture_on_commit_callbacks(execute=True):
        application = ApplicationFactory(
            complete=True, advanced_to=State.SUBMITTED, organisation=OrganisationFactory(name=hostile)
        )
    receipt = document(application, DocumentKind.RECEIPT)

    assert flat(hostile) in text_of(receipt)
    assert receipt.download_name.startswith("申报回执-_b_粗__b__img src=_http")  # no path or quote survives


# --- Stored once, PDF/A, offline ------------------------------------------------------------------------


def test_issuing_again_returns_the_stored_document_and_makes_nothing(recognised):
    entry = ApplicationLog.objects.get(application=recognised, transition="recognise")
    before = {d.pk: (d.sha256, read(d)) for d in IssuedDocument.objects.all()}
    log_entries = ApplicationLog.objects.count()

    again = services.documents_issue_for_step(log_id=entry.pk)

    assert {d.pk for d in again} <= set(before)
    assert {d.pk: (d.sha256, read(d)) for d in IssuedDocument.objects.all()} == before
    assert ApplicationLog.objects.count() == log_entries
    for doc in IssuedDocument.objects.all():
        assert hashlib.sha256(read(doc)).hexdigest() == doc.sha256 and len(read(doc)) == doc.size


def test_an_issued_document_is_neither_changed_nor_deleted(recognised):
    from bases.models import AppendOnlyError

    certificate = document(recognised, DocumentKind.CERTIFICATE)
    certificate.title = "改过的标题"

    with pytest.raises(AppendOnlyError):
        certificate.save()
    with pytest.raises(AppendOnlyError):
        certificate.delete()
    assert IssuedDocument.objects.get(pk=certificate.pk).title != "改过的标题"


def xmp(reader: PdfReader) -> str:
    return reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()


def fonts(reader: PdfReader) -> dict:
    """Every font the pages use, by name, with its descriptor."""
    found = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            found[str(font["/BaseFont"])] = descendant["/FontDescriptor"].get_object()
    return found


def test_every_document_is_pdfa_2u_tagged_with_its_fonts_embedded_and_subset(recognised, revoked):
    for doc in IssuedDocument.objects.all():
        reader = PdfReader(io.BytesIO(read(doc)))
        metadata = xmp(reader)
        root = reader.trailer["/Root"]

        assert re.search(r"pdfaid:part(=\"|>)2", metadata), doc
        assert re.search(r"pdfaid:conformance(=\"|>)U", metadata), doc
        assert "/OutputIntents" in root and root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root, doc
        used = fonts(reader)
        assert used, doc
        for name, descriptor in used.items():
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), f"{doc}: {name} not embedded"
            assert re.match(r"/[A-Z]{6}\+Noto-Serif-CJK-SC", name), f"{doc}: {name}"
        assert reader.metadata.title == doc.title


def test_rendering_opens_no_network_connection(monkeypatch, city, django_capture_on_commit_callbacks):
    def refused(*args, **kwargs):
        raise AssertionError("a document's rendering tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refused)
    monkeypatch.setattr(socket, "getaddrinfo", refused)
    organisation = OrganisationFactory(name='<img src="http://198.51.100.7/x.png">网络测试有限公司')
    with django_capture_on_commit_callbacks(execute=True):
        application = ApplicationFactory(revoked=True, organisation=organisation, advance_with={"city_user": city})

    assert set(application.documents.values_list("kind", flat=True)) == set(DocumentKind.values)


# --- Who may download ------------------------------------------------------------------------------------


def test_those_who_see_the_application_download_the_stored_bytes_under_a_chinese_name(recognised, client, city):
    certificate = document(recognised, DocumentKind.CERTIFICATE)
    url = reverse("reviews:document-download", args=[certificate.pk])

    for user in (applicant_of(recognised), county_clerk(recognised.county), city):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content) == read(certificate)
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f"attachment; filename*=utf-8''{quote('认定证书-绍兴文书测试精工有限公司.pdf')}"
        )
        assert response["Cache-Control"] == "private, no-store"


def test_anonymous_and_out_of_scope_users_are_refused_the_download(recognised, client):
    receipt = document(recognised, DocumentKind.RECEIPT)
    url = reverse("reviews:document-download", args=[receipt.pk])

    assert client.get(url)["Location"].startswith(f"/accounts/login/?next={url}")
    for outsider in (
        UserFactory(role="applicant", organisation=OrganisationFactory(county=recognised.county)),
        county_clerk(county("柯桥区")),
    ):
        client.force_login(outsider)
        response = client.get(url)
        assert response.status_code == 404
        assert recognised.reference not in response.content.decode()


def test_pages_list_the_documents_of_the_application_the_publicity_and_the_base(recognised, client, city):
    client.force_login(city)
    publicity = recognised.publicities.get()

    pages = {
        "application": (
            reverse("reviews:application-detail", args=[recognised.pk]),
            set(DocumentKind.values) - {"revocation"},
        ),
        "publicity": (reverse("reviews:publicity-detail", args=[publicity.pk]), {"notice", "list"}),
        "base": (reverse("reviews:base-detail", args=[recognised.base.pk]), {"certificate"}),
    }
    for name, (url, kinds) in pages.items():
        html = client.get(url).content.decode()
        section = html.split('id="documents"')[1].split("</section>")[0]
        shown = {d.kind for d in IssuedDocument.objects.all() if f"/documents/{d.pk}/" in section}
        assert shown == kinds, name
        for d in IssuedDocument.objects.filter(kind__in=kinds):
            assert f"/verify/{d.public_id}/" in section


# --- A 认定文号 names one document ------------------------------------------------------------------------


def test_a_number_whose_list_was_issued_cannot_recognise_another_base(recognised, city):
    other = ApplicationFactory(in_publicity=True, advance_with={"city_user": city, "publicity_ended": True})
    number = recognised.base.document_number
    form = RecognitionForm(
        {"document_number": number, "recognised_on": timezone.localdate().isoformat()},
        application=other,
        user=city,
        declared={"label": "发文认定", "date": "recognised_on"},
        action="recognise",
    )

    assert not form.is_valid()
    assert form.errors["document_number"][0].startswith(f"文号 {number} 的认定名单已于")
    with pytest.raises(ValidationError, match="不能再以该文号认定其他基地"):
        services.publicity_recognise(
            publicity=other.publicities.get(), user=city, document_number=number, recognised_on=timezone.localdate()
        )
    assert Application.objects.get(pk=other.pk).state == State.IN_PUBLICITY


def two_in_an_ended_publicity(city):
    """Two accepted city-level applications in one 公示 whose period has ended."""
    first = ApplicationFactory(accepted=True, advance_with={"city_user": city})
    second = ApplicationFactory(accepted=True, advance_with={"city_user": city})
    publicity = services.publicity_open(
        applications=[(first, first.version), (second, second.version)],
        user=city,
        title="拟认定名单公示",
        starts_on=timezone.localdate(),
    )
    backdate_publicity(publicity, days=10)
    return first, second, publicity


def test_bases_recognised_together_share_one_list(city, django_capture_on_commit_callbacks):
    first, second, publicity = two_in_an_ended_publicity(city)
    with django_capture_on_commit_callbacks(execute=True):
        services.publicity_recognise(
            publicity=publicity, user=city, document_number="绍市监管〔2026〕30号", recognised_on=timezone.localdate()
        )

    lists = IssuedDocument.objects.filter(kind=DocumentKind.RECOGNITION_LIST)
    assert lists.count() == 1
    assert set(lists.get().applications.all()) == {first, second}
    text = text_of(lists.get())
    assert first.display_name in text and second.display_name in text
    assert IssuedDocument.objects.filter(kind=DocumentKind.CERTIFICATE).count() == 2


# --- What a failed task or an earlier release left without documents -----------------------------------


def test_issue_documents_issues_what_is_missing_once_and_keeps_codes_given_before(city):
    from django.core.management import call_command

    recognised = ApplicationFactory(recognised=True, advance_with={"city_user": city})  # no task ran
    given_before = ApplicationFactory(complete=True, advanced_to=State.SUBMITTED)
    Application.objects.filter(pk=given_before.pk).update(lookup_code_hash="0" * 64)  # a code of the old notices

    call_command("issue_documents", stdout=io.StringIO())
    issued = {d.kind for d in recognised.documents.all()}
    out = io.StringIO()
    call_command("issue_documents", stdout=out)

    assert issued == set(DocumentKind.values) - {DocumentKind.REVOCATION_DECISION}
    assert not given_before.documents.exists()
    assert Application.objects.get(pk=given_before.pk).lookup_code_hash == "0" * 64
    assert out.getvalue().strip() == "已出具文书 0 份。"


def test_documents_embed_the_face_cut_to_gb2312_and_the_full_one_only_for_what_it_lacks(
    django_capture_on_commit_callbacks,
):
    def faces(doc):
        return {name.split("+")[1] for name in fonts(PdfReader(io.BytesIO(read(doc))))}

    with django_capture_on_commit_callbacks(execute=True):
        common = ApplicationFactory(
            complete=True, advanced_to=State.SUBMITTED, organisation=OrganisationFactory(name="绍兴常用字测试有限公司")
        )
        rare = ApplicationFactory(
            complete=True, advanced_to=State.SUBMITTED, organisation=OrganisationFactory(name="绍兴堃犇测试有限公司")
        )
    assert faces(document(common, DocumentKind.RECEIPT)) == {"Noto-Serif-CJK-SC-GB2312"}
    # 堃 and 犇 are not in GB 2312: drawn from the full face, and the text still reads back.
    receipt = document(rare, DocumentKind.RECEIPT)
    assert faces(receipt) == {"Noto-Serif-CJK-SC-GB2312", "Noto-Serif-CJK-SC"}
    assert "绍兴堃犇测试有限公司" in text_of(receipt)


def test_documents_rendered_aside_are_recorded_before_the_next_entry_of_their_application_as_inline():
    """documents_rendered_aside (the demo's seeding): each PDF is rendered by the executor, and the
    document (its file, record and log entry) is recorded before anything else is logged on an
    application it concerns, under the clock of its issue, numbered as inline, issued once."""
    first = ApplicationFactory(complete=True, advanced_to=State.SUBMITTED)
    second = ApplicationFactory(complete=True, advanced_to=State.SUBMITTED)
    entries = [first.log.get(transition="submit"), second.log.get(transition="submit")]
    clocks = []

    @contextlib.contextmanager
    def clock(moment):
        clocks.append(moment)
        yield

    with ThreadPoolExecutor(1) as renderer, services.documents_rendered_aside(renderer.submit, clock=clock):
        held = [services.documents_issue_for_step(log_id=entry.pk)[0] for entry in entries]
        assert not IssuedDocument.objects.exists() and all(d.pk is None for d in held)
        # Asked again (the step's own task), the pending one is returned: no second number.
        assert services.documents_issue_for_step(log_id=entries[0].pk)[0] is held[0]
        # An entry on the second application: its receipt is recorded first, with the one issued before it.
        second.refresh_from_db()
        run(second, "return_for_changes", county_clerk(second.county), comment="请补充。")
        assert IssuedDocument.objects.count() == 2 and clocks == [held[0].issued_at, held[1].issued_at]

    year = timezone.localdate().year
    assert [d.reference for d in IssuedDocument.objects.order_by("pk")] == [f"HZ{year}0001", f"HZ{year}0002"]
    for application, receipt in zip((first, second), held, strict=True):
        stored = document(application, DocumentKind.RECEIPT)
        assert stored.pk == receipt.pk and hashlib.sha256(read(stored)).hexdigest() == stored.sha256
        assert "申报回执" in flat(pdf_text(read(stored)))
    assert list(second.log.order_by("pk").values_list("label", flat=True))[-2:] == ["出具申报回执", "退回修改"]
    assert log_chain_check().first_break is None


def test_a_render_that_fails_aside_fails_the_issuing_and_records_nothing(monkeypatch):
    application = ApplicationFactory(complete=True, advanced_to=State.SUBMITTED)
    entry = application.log.get(transition="submit")

    def broken(function, *args):
        failed = Future()
        failed.set_exception(RuntimeError("renderer died"))
        return failed

    with (
        pytest.raises(RuntimeError, match="renderer died"),
        transaction.atomic(),
        services.documents_rendered_aside(broken),
    ):
        services.documents_issue_for_step(log_id=entry.pk)
    assert not IssuedDocument.objects.exists()
    assert not application.log.filter(action=LogAction.DOCUMENT).exists()


def test_documents_of_several_applications_rendered_aside_keep_every_log_in_issue_order(city):
    """Two bases recognised together, their documents issued aside one step after the other (certificate,
    the shared list, certificate): on each log the entries stand in the order the documents were issued,
    the list's entries written before the second certificate's, whichever application settles them."""
    first, second, publicity = two_in_an_ended_publicity(city)
    services.publicity_recognise(
        publicity=publicity, user=city, document_number="绍市监管〔2026〕31号", recognised_on=timezone.localdate()
    )
    steps = [application.log.get(transition="recognise") for application in (first, second)]
    with ThreadPoolExecutor(1) as renderer, services.documents_rendered_aside(renderer.submit):
        for step in steps:
            services.documents_issue_for_step(log_id=step.pk)
        services.log_write(application=first, user=city, action=LogAction.EDIT, label="核对")

    labels = {
        a: list(a.log.filter(action=LogAction.DOCUMENT).order_by("pk").values_list("label", flat=True))
        for a in (first, second)
    }
    assert labels == {first: ["出具认定证书", "出具认定名单"], second: ["出具认定名单", "出具认定证书"]}
    issued = list(IssuedDocument.objects.order_by("pk").values_list("kind", flat=True))
    assert issued == [DocumentKind.CERTIFICATE, DocumentKind.RECOGNITION_LIST, DocumentKind.CERTIFICATE]
    for application in (first, second):
        stamps = list(application.log.order_by("pk").values_list("created_at", flat=True))
        assert stamps == sorted(stamps)
