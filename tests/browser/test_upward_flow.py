"""第三条（四） in the browser: the base's county recommends it to provincial level with its opinion and a
document (a file of the wrong type refused first, the opinion kept), the city recommends it on, then
records 获评 with its 文号; the county's list, the history and the base page show it. Each page passes axe."""

import datetime

import pytest
from django.utils import timezone

from bases.choices import State
from bases.models import Base
from reviews.choices import UpwardStatus
from reviews.models import UpwardRecommendation
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory, county, pdf_bytes

from .conftest import axe_violations
from .test_applicant_flow import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_recommends_city_recommends_on_and_records_the_outcome(page, live_server, tmp_path):
    today = timezone.localdate()
    city = UserFactory(username="city_up", city_reviewer=True, last_name="沈")
    application = ApplicationFactory(
        complete=True,
        organisation=OrganisationFactory(county=county("越城区"), name="绍兴推荐精工有限公司"),
        advanced_to=State.RECOGNISED,
        advance_with={"city_user": city},
    )
    base = application.base
    Base.objects.filter(pk=base.pk).update(recognised_on=today - datetime.timedelta(days=40))
    UserFactory(username="county_up", county_staff=True, county=county("越城区"), last_name="陈")
    document, program = tmp_path / "初审推荐表.pdf", tmp_path / "推荐函.pdf"
    document.write_bytes(pdf_bytes())
    program.write_bytes(b"MZ\x90\x00" + b"\x00" * 300)
    violations = {}

    login(page, live_server, "county_up")
    page.goto(f"{live_server.url}/bases/{base.pk}/")
    page.get_by_role("link", name="县局初审推荐至省级、国家级").click()
    violations["open"] = axe_violations(page)
    page.get_by_label("省级").check()
    page.get_by_label("县局初审意见").fill("保护制度健全，示范作用突出，同意推荐。")
    page.get_by_label("相关材料（可选，可多选）").set_input_files([str(document), str(program)])
    page.get_by_role("button", name="初审推荐至市局").click()
    assert "推荐函.pdf" in page.content()
    assert page.get_by_label("县局初审意见").input_value() == "保护制度健全，示范作用突出，同意推荐。"
    violations["open-errors"] = axe_violations(page)
    page.get_by_label("相关材料（可选，可多选）").set_input_files([str(document)])
    page.get_by_role("button", name="初审推荐至市局").click()
    assert "已初审推荐至市局" in page.content()
    page.locator(".nav-more summary").click()  # the menu's 更多
    page.get_by_role("link", name="向上推荐", exact=True).click()
    assert "绍兴推荐精工有限公司" in page.locator("tbody").inner_text()
    violations["list-county"] = axe_violations(page)

    page.context.clear_cookies()
    login(page, live_server, "city_up")
    page.locator(".nav-more summary").click()  # the menu's 更多
    page.get_by_role("link", name="向上推荐", exact=True).click()
    page.get_by_label("办理阶段").select_option(label="县局已初审推荐，待市局审核")
    page.get_by_role("button", name="查询").click()
    violations["list-city"] = axe_violations(page)
    page.get_by_role("link", name="绍兴推荐精工有限公司").click()
    violations["decision"] = axe_violations(page)
    page.get_by_label("推荐上报").check()
    page.get_by_label("推荐意见或不予推荐的理由").fill("同意推荐上报省局。")
    page.get_by_role("button", name="登记审核意见").click()
    assert "已登记市局审核意见" in page.content()
    page.get_by_label("获评", exact=True).check()
    page.get_by_label("获评文号").fill("21号")
    page.get_by_role("button", name="登记结果").click()
    assert "文号格式应为" in page.content()
    violations["outcome-errors"] = axe_violations(page)
    page.get_by_label("获评文号").fill(f"浙市监竞争〔{today.year}〕21号")
    page.get_by_role("button", name="登记结果").click()
    assert "已登记评审结果" in page.content()
    history = page.locator("#history + .table-wrap").inner_text()
    assert "县局初审推荐" in history and "市局推荐上报" in history and "评审结果：获评" in history
    assert "初审推荐表.pdf" in history
    violations["detail"] = axe_violations(page)
    page.get_by_role("link", name="绍兴推荐精工有限公司").click()
    assert "已获评" in page.content()
    violations["base"] = axe_violations(page)

    item = UpwardRecommendation.objects.get()
    assert (item.status, item.documents.count()) == (UpwardStatus.RECOGNISED, 1)
    assert violations == {name: [] for name in violations}
