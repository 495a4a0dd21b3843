"""The verification page a document's QR code opens, in Chromium: a signed-in applicant downloads its
certificate from the application page, then anyone (a new browser, signed in nowhere) opens the
verification link, reads what the certificate states and checks the downloaded file (一致) and a
changed copy (不一致); every page checked with axe-core."""

from pathlib import Path

import pytest

from reviews.choices import DocumentKind
from reviews.services import documents_issue_for_step
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory

from .conftest import axe_violations, watched_context
from .test_applicant_flow import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_downloaded_certificate_is_checked_on_its_public_page(page, browser, live_server, tmp_path):
    city = UserFactory(city_reviewer=True)
    application = ApplicationFactory(
        recognised=True,
        organisation=OrganisationFactory(name="绍兴浏览器核验有限公司"),
        advance_with={"city_user": city},
    )
    UserFactory(username="verify_applicant", role="applicant", organisation=application.organisation)
    for entry in application.log.filter(transition__in=["submit", "open_publicity", "recognise"]):
        documents_issue_for_step(log_id=entry.pk)  # the factory's steps ran outside a request
    certificate = application.documents.get(kind=DocumentKind.CERTIFICATE)
    violations = {}

    login(page, live_server, "verify_applicant")
    page.goto(f"{live_server.url}/applications/{application.pk}/")
    documents = page.locator("#documents")
    assert "认定证书" in documents.inner_text()
    with page.expect_download() as download:
        documents.get_by_role("link", name="认定证书-绍兴浏览器核验有限公司.pdf").click()
    assert download.value.suggested_filename == "认定证书-绍兴浏览器核验有限公司.pdf"
    held = tmp_path / "held.pdf"
    download.value.save_as(held)
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(held.read_bytes().replace(b"%%EOF", b"%%EOF\n%", 1))
    violations["application"] = axe_violations(page)

    context = watched_context(browser)
    public = context.new_page()  # someone who scanned the QR code, signed in nowhere
    public.goto(f"{live_server.url}/verify/{certificate.public_id}/")
    assert public.get_by_role("heading", name="文书核验").is_visible()
    assert "不是电子证照" in public.content()
    assert public.locator(".verdict").first.inner_text() == "有效"
    assert certificate.sha256 in public.inner_text("body")
    violations["verify"] = axe_violations(public)

    public.get_by_label("选择要核对的文件").set_input_files(str(held))
    public.get_by_role("button", name="核对", exact=True).click()
    assert public.locator("#check [role=status]").inner_text().startswith("一致：")
    violations["matches"] = axe_violations(public)

    public.get_by_label("选择要核对的文件").set_input_files(str(changed))
    public.get_by_role("button", name="核对", exact=True).click()
    assert public.locator("#check [role=status]").inner_text().startswith("不一致：")
    assert Path(changed).stat().st_size != certificate.size
    violations["differs"] = axe_violations(public)
    csp = context.csp_violations
    context.close()
    assert {k: v for k, v in violations.items() if v} == {}
    assert csp == []
