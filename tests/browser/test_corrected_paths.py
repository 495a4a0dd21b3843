"""The paths a new user tripped over, walked in Chromium as corrected: a candidate starts, fills the
form, uploads evidence, is shown what is missing before any confirmation, mends it and submits; the
edit form by keyboard alone, with an error; a 公示 opened over 国庆; pages at 320 px wide."""

import datetime

import pytest
from django.utils import timezone

from bases.choices import OrganisationKind, State
from bases.forms_spec import POINT
from bases.selectors import check_query_code
from reviews import services
from tests.factories import (
    ApplicationFactory,
    BatchFactory,
    OrganisationFactory,
    UserFactory,
    county,
    pdf_bytes,
)
from tests.helpers import pdf_text, printed_lookup_code

from .conftest import axe_violations, watched_context
from .test_applicant_flow import NARRATIVE, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_condition(page, condition, *, explanation=True):
    block = page.locator(".condition", has_text=condition.article)
    block.get_by_label("具备", exact=True).check()
    if explanation:
        block.get_by_label(f"{condition.article}情况说明").fill(f"{condition.title}：已落实，见证明材料。")
    for figure in condition.figures:
        block.get_by_label(figure.label).fill("0" if figure.name == "infringements_2y" else "3")


def test_candidate_starts_fills_uploads_sees_what_is_missing_mends_it_and_submits(page, live_server, tmp_path):
    BatchFactory()
    clerk = UserFactory(county_staff=True, county=county("越城区"))
    organisation = OrganisationFactory(kind=OrganisationKind.ENTERPRISE, name="绍兴路径测试科技有限公司")
    UserFactory(username="path_enterprise", role="applicant", organisation=organisation)
    candidate = services.candidate_register(
        organisation=organisation, base_type="point", level="city", batch=BatchFactory(), user=clerk
    )
    violations = {}

    login(page, live_server, "path_enterprise")
    page.goto(f"{live_server.url}/applications/{candidate.pk}/")
    page.get_by_role("button", name="开始填报").click()
    assert page.get_by_role("heading", level=1).inner_text() == POINT.title  # 开始填报 opens the form

    page.get_by_label("企业类型").select_option(label="有限责任公司")
    page.get_by_label("所属行业").select_option(label="电子信息")
    page.get_by_label("员工数量").fill("260")
    page.get_by_label("年产值").fill("36000")
    page.get_by_label("职务/职称").fill("法务经理")
    page.get_by_role("textbox", name=POINT.narrative_label).fill(NARRATIVE)
    for condition in POINT.conditions:
        fill_condition(page, condition, explanation=condition.code != "point-4")  # one left out
    page.get_by_role("textbox", name=POINT.applicant_opinion_label).fill("情况属实，同意申报。")
    page.get_by_role("button", name="保存并上传证明材料").click()
    assert "请上传证明材料" in page.content()

    evidence = tmp_path / "证明材料.pdf"
    evidence.write_bytes(pdf_bytes())
    for condition in POINT.conditions:
        page.get_by_label("对应条件").select_option(label=f"{condition.article}{condition.title}")
        page.locator("#id_file").set_input_files(str(evidence))
        page.get_by_role("button", name="上传").click()
        assert "已上传 1 个文件" in page.content()

    # What is missing comes first, with a link to it; the button cannot be used until it is done.
    box = page.locator(".submit-box")
    assert "还需完成 1 项" in box.inner_text()
    assert page.get_by_role("button", name="提交申报（还有 1 项未完成）").is_disabled()
    violations["missing"] = axe_violations(page)
    box.get_by_role("link").click()
    assert "#cond-point-4" in page.url
    page.locator("#cond-point-4").get_by_label("第十条（四）情况说明").fill("重点部门岗位已确定，实行分级管理。")
    page.get_by_role("button", name="保存并检查").click()
    assert "材料已齐全，请核对后点击“提交申报”。" in page.content()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交申报", exact=True).click()
    page.wait_for_load_state()
    candidate.refresh_from_db()
    assert candidate.state == State.SUBMITTED
    # The receipt is issued once the submission has committed, and listed on the page it returns to.
    assert "申报回执（含查询码）列在本页“文书”中" in page.content()
    with page.expect_download() as download:
        page.locator("#documents").get_by_role(
            "link", name=f"申报回执-绍兴路径测试科技有限公司-{candidate.reference}.pdf"
        ).click()
    receipt = tmp_path / "回执.pdf"
    download.value.save_as(receipt)
    assert check_query_code(candidate, printed_lookup_code(pdf_text(receipt.read_bytes())))
    violations["documents"] = axe_violations(page)
    page.get_by_role("link", name="消息").first.click()
    assert "申报回执（含查询码）请在申报页面的“文书”中下载" in page.content()
    violations["receipt"] = axe_violations(page)
    assert {k: v for k, v in violations.items() if v} == {}


def test_edit_form_by_keyboard_alone_with_an_error(page, live_server):
    application = ApplicationFactory(complete=True, organisation__name="绍兴键盘测试有限公司")
    UserFactory(username="keyboard_user", role="applicant", organisation=application.organisation)
    login(page, live_server, "keyboard_user")
    page.goto(f"{live_server.url}/applications/{application.pk}/edit/")

    hidden = []
    for _ in range(80):  # every control of the form in turn
        page.keyboard.press("Tab")
        box = page.evaluate(
            """() => { const el = document.activeElement; const r = el.getBoundingClientRect();
                const bar = document.querySelector('.sticky-actions').getBoundingClientRect();
                return {name: el.name || el.textContent.trim().slice(0, 10), top: r.top, bottom: r.bottom,
                        body: el === document.body, inBar: !!el.closest('.sticky-actions'), barTop: bar.top}; }"""
        )
        if box["body"]:  # focus has left the page for the browser's own controls
            continue
        if not box["inBar"] and (box["bottom"] > box["barTop"] or box["top"] < 0):
            hidden.append(box["name"])
    assert hidden == []  # no focused field under the sticky save bar

    page.get_by_label("邮政编码").fill("31200A")
    page.get_by_label("邮政编码").press("Enter")  # submits with the keyboard (the first button: 保存草稿)
    page.wait_for_load_state()
    assert page.title().startswith("错误：")
    focused = page.evaluate("() => document.activeElement.className")
    assert "error-summary" in focused
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the summary's first link leads to the field
    assert page.evaluate("() => location.hash") == "#id_postcode"
    assert page.get_by_label("邮政编码").get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []


def test_publicity_opened_over_national_day_ends_on_the_right_working_day(page, live_server, monkeypatch):
    national_day_eve = datetime.date(2026, 9, 30)
    city = UserFactory(username="city_holiday", city_reviewer=True)
    application = ApplicationFactory(accepted=True, advance_with={"city_user": city})
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: national_day_eve)

    login(page, live_server, "city_holiday")
    page.goto(f"{live_server.url}/publicities/new/")
    page.get_by_role("checkbox").first.check()
    page.get_by_label("公示开始日期").fill(national_day_eve.isoformat())
    page.get_by_role("button", name="下一步：核对公示名单").click()

    assert "2026年9月30日至2026年10月12日（5个工作日" in page.locator("main").inner_text()
    page.get_by_role("button", name="确认发起公示（1 份）").click()
    assert application.publicities.get().ends_on == datetime.date(2026, 10, 12)


@pytest.mark.parametrize("who, path", [("county", "publicity"), ("applicant", "detail"), ("applicant", "edit")])
def test_pages_at_320_px_do_not_scroll_sideways(browser, live_server, who, path):
    city = UserFactory(username="city_narrow", city_reviewer=True)
    application = ApplicationFactory(complete=True, advanced_to=State.IN_PUBLICITY, advance_with={"city_user": city})
    draft = ApplicationFactory(complete=True)
    UserFactory(username="narrow_applicant", role="applicant", organisation=draft.organisation)
    url = {
        "publicity": f"/publicities/{application.publicities.get().pk}/",
        "detail": f"/applications/{draft.pk}/",
        "edit": f"/applications/{draft.pk}/edit/",
    }[path]
    context = watched_context(browser, viewport={"width": 320, "height": 640})
    page = context.new_page()
    login(page, live_server, "city_narrow" if who == "county" else "narrow_applicant")
    page.goto(live_server.url + url)

    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    context.close()
    assert widths[0] <= widths[1]
    assert not context.csp_violations, context.csp_violations
