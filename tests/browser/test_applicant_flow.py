"""An enterprise fills, saves and submits a complete 示范点 application in the browser."""

import pytest

from bases.choices import OrganisationKind, State
from bases.forms_spec import POINT
from tests.factories import PASSWORD, BatchFactory, OrganisationFactory, UserFactory, pdf_bytes

from .conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARRATIVE = (
    "本公司成立了由总经理任组长的商业秘密保护工作领导小组，制定了商业秘密管理制度、泄密应急处置预案和奖惩办法，"
    "对研发图纸、工艺配方和客户信息实行分级管理，涉密区域设置门禁和监控，每年组织全员商业秘密保护轮训，"
    "新员工入职签订保密协议，与律师事务所合作开展维权，近两年未发生侵犯他人商业秘密的行为。"
) * 2


def login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_enterprise_fills_saves_and_submits_point_application(page, live_server, tmp_path):
    BatchFactory()
    organisation = OrganisationFactory(kind=OrganisationKind.ENTERPRISE, name="绍兴浏览器测试科技有限公司")
    UserFactory(username="browser_enterprise", role="applicant", organisation=organisation)
    violations = {}

    login(page, live_server, "browser_enterprise")
    page.get_by_role("link", name="新建申报").first.click()
    violations["create"] = axe_violations(page)
    page.get_by_role("button", name="创建申报草稿").click()

    # A first save with a malformed postcode keeps everything typed and says what is wrong.
    page.get_by_label("邮政编码").fill("31200A")
    page.get_by_label("员工数量").fill("260")
    page.get_by_role("button", name="保存草稿").click()
    assert "邮政编码应为6位数字。" in page.content()
    assert page.get_by_label("员工数量").input_value() == "260"
    violations["form-errors"] = axe_violations(page)

    page.get_by_label("邮政编码").fill("312000")
    page.get_by_label("企业类型").select_option(label="有限责任公司")
    page.get_by_label("所属行业").select_option(label="电子信息")
    page.get_by_label("年产值").fill("36000")
    page.get_by_label("职务/职称").fill("法务经理")
    page.get_by_role("textbox", name=POINT.narrative_label).fill(NARRATIVE)
    for condition in POINT.conditions:
        block = page.locator(".condition", has_text=condition.article)
        block.get_by_label("具备", exact=True).check()
        block.get_by_label("情况说明").fill(f"{condition.title}：已落实，见证明材料。")
        for figure in condition.figures:
            block.get_by_label(figure.label).fill("0" if figure.name == "infringements_2y" else "3")
    page.get_by_role("textbox", name=POINT.applicant_opinion_label).fill("情况属实，同意申报。")
    page.get_by_role("button", name="保存草稿").click()
    assert "已保存草稿" in page.content()

    page.get_by_role("link", name="返回申报详情").click()
    evidence = tmp_path / "证明材料.pdf"
    evidence.write_bytes(pdf_bytes())
    for condition in POINT.conditions:
        page.get_by_label("对应条件").select_option(label=f"{condition.article}{condition.title}")
        page.locator("#id_file").set_input_files(str(evidence))
        page.get_by_role("button", name="上传").click()
        assert "已上传 1 个文件" in page.content()
    assert "可以提交" in page.content()
    violations["detail"] = axe_violations(page)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交申报").click()
    page.wait_for_load_state()

    application = organisation.applications.get()
    assert application.state == State.SUBMITTED
    assert "已申报" in page.locator(".card dl.meta").first.inner_text()
    assert page.get_by_role("link", name="填写 / 修改申报表").count() == 0
    assert page.get_by_role("button", name="上传", exact=True).count() == 0  # evidence: the form is closed
    assert page.get_by_role("button", name="上传扫描件").count() == 1  # the signed form's scan comes next
    violations["submitted"] = axe_violations(page)
    assert {k: v for k, v in violations.items() if v} == {}
