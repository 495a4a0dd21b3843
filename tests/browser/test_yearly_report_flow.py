"""第十四条 in the browser: a base files its yearly report (refused first without the 示范点's 全员轮训,
its input kept), its county orders 限期整改 with the list of what to fix, the base resubmits once and
the county passes it; the base page shows the history to staff. Each page passes axe."""

import datetime

import pytest
from django.utils import timezone

from bases.choices import State
from bases.models import Base
from reviews.choices import ReportStatus
from reviews.models import YearlyReport
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory, applicant_of, county

from .conftest import axe_violations
from .test_applicant_flow import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_base_files_and_county_reviews_a_yearly_report(page, live_server):
    today = timezone.localdate()
    year = today.year - 1
    city = UserFactory(city_reviewer=True)
    application = ApplicationFactory(
        complete=True,
        organisation=OrganisationFactory(county=county("越城区"), name="绍兴年报精工有限公司"),
        advanced_to=State.RECOGNISED,
        advance_with={"city_user": city},
    )
    base = application.base
    Base.objects.filter(pk=base.pk).update(recognised_on=datetime.date(year, 6, 1))
    applicant = applicant_of(application)
    applicant.username = "base_user"
    applicant.save()
    UserFactory(username="county_yc", county_staff=True, county=county("越城区"), last_name="陈")
    violations = {}

    login(page, live_server, "base_user")
    page.get_by_role("link", name="年度报告").first.click()
    violations["list"] = axe_violations(page)
    page.get_by_role("link", name=f"{base.name}{year}年度报告").click()
    page.get_by_label("年度工作计划执行情况").fill("全年完成保密制度修订和涉密岗位梳理。")
    page.get_by_label("开展培训情况").fill("举办专题培训两次。")
    page.get_by_label("提供服务情况").fill("为上下游企业提供咨询服务。")
    page.get_by_label("侵权事件及处理情况").fill("无")
    page.get_by_role("button", name="提交县局审核").click()
    assert "未开展的不能提交" in page.content()
    assert page.get_by_label("年度工作计划执行情况").input_value() == "全年完成保密制度修订和涉密岗位梳理。"
    violations["errors"] = axe_violations(page)
    page.get_by_label("全员商业秘密保护轮训次数").fill("1")
    page.get_by_role("button", name="提交县局审核").click()
    assert "年度报告已提交" in page.content()

    page.context.clear_cookies()
    login(page, live_server, "county_yc")
    page.goto(f"{live_server.url}/bases/{base.pk}/yearly-reports/{year}/")
    violations["review"] = axe_violations(page)
    page.get_by_label("限期整改").check()
    page.get_by_label("理由").fill("培训记录不全。")
    page.get_by_label("整改事项（一次性告知，每行一项）").fill("补充培训签到表\n补充服务台账")
    page.get_by_label("整改期限").fill((today + datetime.timedelta(days=20)).isoformat())
    page.get_by_role("button", name="登记审核结果").click()
    assert "已登记审核结果" in page.content()

    page.context.clear_cookies()
    login(page, live_server, "base_user")
    page.goto(f"{live_server.url}/bases/{base.pk}/yearly-reports/{year}/")
    assert "补充培训签到表" in page.content()
    page.get_by_label("开展培训情况").fill("举办专题培训两次，附签到表。")
    page.get_by_role("button", name="提交县局审核").click()

    page.context.clear_cookies()
    login(page, live_server, "county_yc")
    page.goto(f"{live_server.url}/bases/{base.pk}/yearly-reports/{year}/")
    page.get_by_label("合格", exact=True).check()
    page.get_by_role("button", name="登记审核结果").click()
    assert YearlyReport.objects.get(base=base, year=year).status == ReportStatus.PASSED
    page.goto(f"{live_server.url}/bases/{base.pk}/")
    assert "合格" in page.locator("#reports + .table-wrap").inner_text()
    violations["base"] = axe_violations(page)
    assert violations == {name: [] for name in violations}
