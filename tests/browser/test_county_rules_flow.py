"""第十七条 in the browser: 越城区's county rules administrator copies the city's rules, asks for two
secrecy officers (a looser number is refused at its field, what was typed kept), and a county-level
draft of 越城区 then shows the county's rule and fails it. Each page passes axe."""

import os

import pytest
from django.contrib.auth.models import Permission

from bases.choices import Level
from bases.models import CountyRules
from tests.factories import ApplicationFactory, BatchFactory, OrganisationFactory, UserFactory, applicant_of, county

from .conftest import axe_violations
from .test_applicant_flow import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFICERS = "专（兼）职保密员人数"


def test_county_administrator_makes_stricter_rules_and_a_county_level_draft_follows_them(page, live_server):
    batch = BatchFactory()
    admin = UserFactory(username="rules_admin", county_staff=True, county=county("越城区"), last_name="周")
    admin.user_permissions.add(Permission.objects.get(codename="manage_county_rules"))
    draft = ApplicationFactory(
        batch=batch, organisation=OrganisationFactory(county=county("越城区")), level=Level.COUNTY, complete=True
    )
    applicant = applicant_of(draft)
    applicant.username = "county_level_applicant"
    applicant.save()
    violations = {}

    login(page, live_server, "rules_admin")
    page.locator(".nav-more summary").click()  # the menu's 更多
    page.get_by_role("link", name="县级规则").click()
    violations["list"] = axe_violations(page)
    page.get_by_role("link", name="越城区").click()
    assert "尚未制定" in page.content()
    page.get_by_role("button", name="从市级标准复制，制定本县规则").click()
    violations["edit"] = axe_violations(page)
    section = page.get_by_role("region", name="附表3（示范点，第十条）")
    section.get_by_label(OFFICERS).fill("0")
    page.get_by_label("修改说明").fill("依据本局县级基地管理办法第八条")
    page.get_by_role("button", name="保存修改").click()
    assert "不能宽于市级标准" in page.content()
    assert page.get_by_label("修改说明").input_value() == "依据本局县级基地管理办法第八条"
    violations["errors"] = axe_violations(page)
    section = page.get_by_role("region", name="附表3（示范点，第十条）")
    section.get_by_label(OFFICERS).fill("2")
    section.get_by_label("附表3表名").fill("越城区商业秘密保护示范点申报表")
    page.get_by_label("公示期（工作日）").fill("7")
    page.get_by_role("button", name="保存修改").click()
    assert "县级基地规则已修改" in page.content()
    assert "第十条（一）专（兼）职保密员人数：不少于 1 名 → 不少于 2 名" in page.content()
    violations["detail"] = axe_violations(page)
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOTS"], "county-rules.png"), full_page=True)
    rules = CountyRules.objects.get()
    assert (rules.version, rules.thresholds["point-1.secrecy_officers"], rules.publicity_working_days) == (2, 2, 7)

    page.context.clear_cookies()
    login(page, live_server, "county_level_applicant")
    page.goto(f"{live_server.url}/applications/{draft.pk}/")
    assert "本县规则：专（兼）职保密员人数不少于 2 名（市级标准：不少于 1 名）" in page.content()
    violations["application"] = axe_violations(page)
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOTS"], "county-level-draft.png"), full_page=True)

    assert violations == {name: [] for name in violations}
