"""The public journey, signed in nowhere: the list of recognised bases → a base → the 公示 → an
objection filed online → (the bureau replies) → the reply read with the reference and the code; every
page checked with axe (WCAG 2.1 A/AA), at desktop width and at 320 px, within the CSP."""

import re

import pytest

from bases.choices import ObjectionOutcome
from reviews import services
from reviews.models import Objection
from tests.factories import ApplicationFactory, UserFactory, pdf_bytes
from tests.helpers import lookup_code_of

from .conftest import axe_violations, watched_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 320])
def test_list_base_publicity_objection_and_reply(browser, live_server, tmp_path, width):
    city = UserFactory(username=f"city_public_{width}", city_reviewer=True)
    recognised = ApplicationFactory(recognised=True, advance_with={"city_user": city})
    running = ApplicationFactory(in_publicity=True, advance_with={"city_user": city})
    context = watched_context(browser, viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    violations, sideways = {}, {}

    def check(name):
        violations[name] = axe_violations(page)
        sideways[name] = page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")

    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="基地名录").click()
    check("list")
    page.get_by_label("所在地").select_option(label=recognised.organisation.county.name)
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name=recognised.base.name).click()
    assert recognised.base.document_number in page.locator("main").inner_text()
    check("base")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="公示公告").click()
    check("publicities")
    page.get_by_role("link", name=re.compile("查看名单并提出异议")).click()
    check("publicity")
    page.get_by_label("异议对象").select_option(label=running.display_name)
    page.get_by_label("真实姓名").fill("钱多多")
    page.get_by_label("联系电话").fill("1381234")  # too short: refused, what was typed kept
    page.get_by_label("异议理由及证据说明").fill("该单位所报培训人数与实际不符。")
    page.get_by_role("button", name="提交异议").click()
    assert "联系电话格式不正确" in page.locator("main").inner_text()
    assert page.get_by_label("真实姓名").input_value() == "钱多多"
    check("objection refused")
    page.get_by_label("联系电话").fill("13812345678")
    evidence = tmp_path / "培训通知.pdf"
    evidence.write_bytes(pdf_bytes())
    page.get_by_label("证据材料（可选）").set_input_files(str(evidence))
    page.get_by_role("button", name="提交异议").click()
    receipt = page.locator(".messages").inner_text()
    reference, code = re.search(r"异议编号：(YY\d+)；查询码：([0-9A-Z]{12})", receipt).groups()
    check("receipt")

    services.objection_reply(
        objection=Objection.objects.get(reference=reference),
        user=city,
        outcome=ObjectionOutcome.DISMISSED,
        reply="经核查培训签到表，培训人数属实，异议不成立。",
    )

    page.goto(live_server.url + "/public/objections/")
    page.get_by_label("异议编号").fill(reference)
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()
    assert "经核查培训签到表，培训人数属实，异议不成立。" in page.locator("main").inner_text()
    check("reply")

    page.goto(live_server.url + "/public/progress/")
    page.get_by_label("申报编号").fill(running.reference)
    page.get_by_label("查询码").fill(lookup_code_of(running))
    page.get_by_role("button", name="查询").click()
    assert "拟认定名单公示中" in page.locator("main").inner_text()
    check("progress")

    csp = context.csp_violations
    context.close()
    assert {name: found for name, found in violations.items() if found} == {}
    assert {name for name, wide in sideways.items() if wide} == set()
    assert csp == []


def test_the_api_documentation_page_runs_within_the_content_security_policy(page, live_server):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(live_server.url + "/api/v1/docs/")

    page.locator("#swagger-ui .opblock-summary-path").first.wait_for()
    assert "/api/v1/bases/" in page.locator("#swagger-ui").inner_text()
    assert errors == []
    # Swagger UI nests its expand button inside the operation's own button: its markup, which no
    # stylesheet changes (the schema, the list page and the downloads carry the same information).
    assert [v for v in axe_violations(page) if not v.startswith("nested-interactive")] == []
