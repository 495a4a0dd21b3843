"""The printed forms in the browser: the applicant clicks 打印申报表, signs and seals the paper and
uploads its scan with the 校验码 read off it, and the county then recommends; the application page
prints cleanly from the browser; a zip of forms shows its progress until the download is there."""

import re
import subprocess

import pytest

from bases.choices import State
from bases.models import Application
from reviews import services
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory, county, png_bytes

from .conftest import axe_violations
from .test_applicant_flow import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def submitted():
    organisation = OrganisationFactory(name="绍兴打印测试精密机械有限公司", county=county("越城区"))
    application = ApplicationFactory(complete=True, organisation=organisation, advanced_to=State.SUBMITTED)
    UserFactory(username="print_applicant", role="applicant", organisation=organisation)
    UserFactory(username="print_county", county_staff=True, county=county("越城区"), last_name="陈")
    return Application.objects.get(pk=application.pk)


def test_applicant_prints_the_form_uploads_the_signed_scan_and_the_county_recommends(
    page, live_server, submitted, tmp_path
):
    violations = {}
    login(page, live_server, "print_applicant")
    page.goto(f"{live_server.url}/applications/{submitted.pk}/")

    with page.expect_download() as pending:
        page.get_by_role("link", name="打印申报表").first.click()
    download = pending.value
    pdf = tmp_path / "form.pdf"
    download.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    code = re.search(r"校验码 ([0-9A-F]{4}-[0-9A-F]{4})", text)[1]
    assert download.suggested_filename == f"附表3-绍兴打印测试精密机械有限公司-{submitted.reference}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-") and "草稿" not in text

    scan = tmp_path / "申报表（签字盖章）.png"
    scan.write_bytes(png_bytes())
    page.get_by_label("申报表校验码").fill(code.replace("-", "").lower())
    page.get_by_label("签章申报表扫描件").set_input_files(str(scan))
    page.get_by_role("button", name="上传扫描件").click()
    assert f"已上传签章申报表扫描件（校验码 {code}）" in page.locator(".messages").inner_text()
    assert "✓ 一致" in page.locator("#signed-form").inner_text()
    violations["applicant"] = axe_violations(page)
    page.context.clear_cookies()

    login(page, live_server, "print_county")
    page.goto(f"{live_server.url}/applications/{submitted.pk}/")
    assert f"本次申报的申报表校验码为 {code}" in page.locator("#signed-form").inner_text()
    violations["county"] = axe_violations(page)
    page.get_by_role("link", name="审核推荐…").click()
    page.get_by_label("意见").fill("材料真实完整，符合条件，同意推荐。")
    page.get_by_role("button", name="审核推荐").click()

    assert "已推荐" in page.locator(".card dl.meta").first.inner_text()
    assert {k: v for k, v in violations.items() if v} == {}


def test_the_application_page_prints_content_only_black_with_the_step_in_words(page, live_server, submitted):
    login(page, live_server, "print_county")
    page.goto(f"{live_server.url}/applications/{submitted.pk}/")

    page.emulate_media(media="print")

    hidden = [
        selector
        for selector in (".site-header", ".main-nav", ".site-footer", "form", "button", "a.button")
        if any(element.is_visible() for element in page.locator(selector).all())
    ]
    colours = page.evaluate(
        "() => [...document.querySelectorAll('main *')].filter(e => e.offsetParent).map(e => getComputedStyle(e).color)"
    )
    current = page.locator(".steps li.current")
    assert hidden == []
    assert set(colours) == {"rgb(0, 0, 0)"}
    assert "（当前环节）" in current.inner_text() and current.evaluate("e => getComputedStyle(e).backgroundColor") in (
        "rgb(255, 255, 255)",
        "rgba(0, 0, 0, 0)",
    )
    printed = page.pdf(format="A4")  # Chromium honours the stylesheet's @page
    assert printed.startswith(b"%PDF-")


def test_the_zip_page_follows_the_worker_and_offers_the_download(page, live_server, submitted, monkeypatch):
    clerk = UserFactory(username="print_city", city_reviewer=True)
    monkeypatch.setattr(services, "queue_task", lambda *args: None)  # a worker elsewhere, not yet started
    bundle = services.form_bundle_request(user=clerk, applications=[submitted])
    login(page, live_server, "print_city")
    page.goto(f"{live_server.url}/form-bundles/{bundle.public_id}/")
    assert "已生成 0 / 1 份" in page.locator("[data-bundle-count]").inner_text()
    violations = axe_violations(page)

    services.form_bundle_build(bundle_id=bundle.pk)  # the worker

    link = page.get_by_role("link", name=re.compile("下载 ZIP"))
    link.wait_for(timeout=10_000)
    assert "已生成 1 / 1 份" in page.locator("[data-bundle-count]").inner_text()
    with page.expect_download() as pending:
        link.click()
    assert pending.value.suggested_filename.endswith(".zip") and violations == []
