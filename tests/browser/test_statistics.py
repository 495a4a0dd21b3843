"""The statistics in the browser: the city's director reads the dashboard (its charts are images that
load within the Content-Security-Policy, each with a text alternative and its table), switches the
year with the keyboard, downloads 附件1; the city's administrator corrects a target that was typed
wrong. axe-core finds no WCAG 2.1 A/AA violation on any of these pages."""

import datetime

import pytest

from bases.models import County
from targets import services
from targets.models import Target
from tests.factories import (
    UserFactory,
    county,
    recognised_base,
    standard_enterprise,
)

from .conftest import axe_violations
from .test_applicant_flow import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2024


def test_the_director_reads_the_dashboard_and_downloads_annex_1(page, live_server):
    admin = UserFactory(username="browser_sysadmin", city_admin=True)
    UserFactory(username="browser_director", city_reviewer=True)
    services.targets_set(
        year=YEAR,
        figures={(c.pk, k): n for c in County.objects.all() for k, n in (("city", 2), ("enterprises", 3))},
        user=admin,
    )
    for _ in range(3):
        recognised_base("越城区", recognised_on=datetime.date(YEAR, 5, 1))
    standard_enterprise("柯桥区", year=YEAR)
    violations = {}

    login(page, live_server, "browser_director")
    page.get_by_role("link", name="统计分析").click()
    page.get_by_label("统计年度", exact=True).select_option(f"{YEAR}")
    page.get_by_role("button", name="查看").press("Enter")
    page.wait_for_url(f"**/statistics/?year={YEAR}")

    assert page.get_by_role("heading", level=1).inner_text() == f"统计分析：{YEAR}年"
    images = page.locator("figure.chart img")
    assert images.count() == 4
    for index in range(4):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), image.get_attribute("src")
        assert image.get_attribute("alt").startswith("条形图：")
    table = page.get_by_role("table", name=f"{YEAR}年各区、县（市）商业秘密保护基地建设任务完成情况（单位：个）")
    assert "150%" in table.get_by_role("row", name="越城区").inner_text()
    violations["dashboard"] = axe_violations(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="导出附件1完成情况").click()
    assert download.value.suggested_filename == f"{YEAR}年各区、县（市）商业秘密保护基地建设任务完成情况.xlsx"

    page.goto(f"{live_server.url}/statistics/?year=1999")
    assert "年度“1999”无效" in page.locator("main").inner_text()
    violations["bad-year"] = axe_violations(page)

    assert violations == {"dashboard": [], "bad-year": []}


def test_the_administrator_corrects_a_target_typed_wrong(page, live_server):
    UserFactory(username="browser_sysadmin", city_admin=True)
    violations = {}

    login(page, live_server, "browser_sysadmin")
    page.goto(f"{live_server.url}/targets/?year={YEAR}")
    for name in ("越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县"):
        for kind in ("省级", "市级", "县级"):
            page.get_by_label(f"{name}{kind}商业秘密保护基地").fill("1")
        page.get_by_label(f"{name}各地贯标企业数").fill("4")
    page.get_by_label("柯桥区市级商业秘密保护基地").fill("五")
    page.get_by_role("button", name=f"保存{YEAR}年建设任务").click()

    field = page.get_by_label("柯桥区市级商业秘密保护基地")
    assert field.input_value() == "五"
    assert field.get_attribute("aria-invalid") == "true"
    assert "任务数应为整数。" in page.locator("td.has-error").inner_text()
    assert not Target.objects.filter(year=YEAR).exists()
    violations["errors"] = axe_violations(page)

    field.fill("5")
    page.get_by_role("button", name=f"保存{YEAR}年建设任务").click()
    assert f"已保存{YEAR}年建设任务（24项有变更）。" in page.locator(".messages").inner_text()
    assert Target.objects.get(year=YEAR, county=county("柯桥区"), kind="city").count == 5
    violations["saved"] = axe_violations(page)

    page.goto(f"{live_server.url}/standard-enterprises/")
    violations["register"] = axe_violations(page)

    assert violations == {"errors": [], "saved": [], "register": []}
