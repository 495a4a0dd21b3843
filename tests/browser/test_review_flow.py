"""The whole procedure in the browser: county cultivates and recommends, the city accepts,
publicises, handles an objection, recognises and later revokes; the organisation is barred."""

import datetime

import pytest
from django.utils import timezone

from bases.choices import BaseStatus, OrganisationKind, State
from bases.models import Base, Batch
from reviews.models import Publicity
from tests.factories import (
    ApplicationFactory,
    BatchFactory,
    OrganisationFactory,
    UserFactory,
    add_evidence,
    add_signed_form,
)

from .conftest import axe_violations
from .test_applicant_flow import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logout(page):
    page.context.clear_cookies()


def test_review_procedure_from_cultivation_to_revocation(page, live_server):
    today = timezone.localdate()
    BatchFactory()
    UserFactory(username="county_yc", county_staff=True, last_name="陈", first_name="志明")
    UserFactory(username="city_rv", city_reviewer=True, last_name="沈", first_name="佳怡")
    UserFactory(username="leader_sx", city_leader=True, last_name="蒋", first_name="卫东")
    candidate = OrganisationFactory(kind=OrganisationKind.ENTERPRISE, name="绍兴培育对象科技有限公司")
    submitted = ApplicationFactory(submitted=True, organisation__name="绍兴待推荐精工有限公司")
    add_evidence(submitted)
    add_signed_form(submitted)  # the paper is back (tests/browser/test_printed_forms.py does it in the browser)
    UserFactory(username="applicant_b", role="applicant", organisation=submitted.organisation)
    violations = {}

    # County: register a candidate and log a guidance visit.
    login(page, live_server, "county_yc")
    page.get_by_role("link", name="登记培育对象").click()
    page.get_by_label("培育对象（本辖区已确认单位）").select_option(label=candidate.name)
    page.get_by_label("拟申报基地类型").select_option(label="示范点")
    page.get_by_role("button", name="登记").click()
    assert "已登记培育对象" in page.content()
    page.get_by_label("指导内容").fill("指导建立商业秘密保护领导小组和保密员制度。")
    page.get_by_label("指导日期").fill(today.isoformat())
    page.get_by_role("button", name="保存指导记录").click()
    assert "指导建立商业秘密保护领导小组和保密员制度。" in page.locator("#guidance").inner_text()
    violations["candidate"] = axe_violations(page)

    # County: recommend the submitted application with an opinion.
    page.goto(f"{live_server.url}/applications/{submitted.pk}/")
    page.get_by_role("link", name="审核推荐…").click()
    page.get_by_label("意见").fill("材料真实完整，符合条件，同意推荐。")
    violations["recommend-form"] = axe_violations(page)
    page.get_by_role("button", name="审核推荐").click()
    assert "已推荐" in page.locator(".card dl.meta").first.inner_text()
    logout(page)

    # City: form the acceptance group and record the four checks, then pass.
    login(page, live_server, "city_rv")
    page.goto(f"{live_server.url}/applications/{submitted.pk}/")
    page.get_by_role("link", name="组织验收…").click()
    page.get_by_label("外聘专家（姓名、单位）").fill("浙江工业大学 王教授")
    page.get_by_role("button", name="组织验收").click()
    assert "验收中" in page.locator(".card dl.meta").first.inner_text()
    for kind in ("书面预审", "重点抽查", "会议验收", "实地考察"):
        form = page.locator("#acceptance form")
        form.get_by_label("验收方式").select_option(label=kind)
        form.get_by_label("日期").fill(today.isoformat())
        form.get_by_label("参加人员").fill("沈佳怡、王教授")
        form.get_by_label("发现与意见").fill(f"{kind}：符合要求。")
        form.get_by_role("button", name="保存验收记录").click()
        assert f"已记录{kind}情况" in page.content()
    violations["acceptance"] = axe_violations(page)
    page.get_by_role("link", name="验收通过…").click()
    page.get_by_label("意见").fill("经综合验收，符合建设指南规定条件，验收通过。")
    page.get_by_role("button", name="验收通过").click()
    assert "验收通过待报批" in page.locator(".card dl.meta").first.inner_text()
    logout(page)

    # 报批: the city's leader finds it on the start page, sends it back once with reasons …
    login(page, live_server, "leader_sx")
    page.get_by_role("link", name="查看 待报批").click()
    page.get_by_role("link", name=str(submitted.reference)).click()
    page.get_by_role("link", name="退回验收组…").click()
    page.get_by_label("退回理由").fill("验收意见未写明实地考察的整改情况，请补充。")
    violations["send-back"] = axe_violations(page)
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="退回验收组").click()
    assert "验收中" in page.locator(".card dl.meta").first.inner_text()
    logout(page)
    login(page, live_server, "city_rv")
    page.goto(f"{live_server.url}/applications/{submitted.pk}/")
    assert "验收意见未写明实地考察的整改情况" in page.locator(".timeline").inner_text()
    page.get_by_role("link", name="验收通过…").click()
    page.get_by_label("意见").fill("经综合验收，符合建设指南规定条件，实地考察发现的问题已整改，验收通过。")
    page.get_by_role("button", name="验收通过").click()
    logout(page)
    # … and approves the new opinion.
    login(page, live_server, "leader_sx")
    page.goto(f"{live_server.url}/applications/{submitted.pk}/")
    page.get_by_role("link", name="批准…").click()
    page.get_by_label("批准日期").fill(today.isoformat())
    page.get_by_label("审批意见").fill("同意。")
    violations["approve"] = axe_violations(page)
    page.get_by_role("button", name="批准").click()
    assert "已批准" in page.locator(".card dl.meta").first.inner_text()
    logout(page)

    # City: open a 公示 for it, register and answer an objection.
    login(page, live_server, "city_rv")
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="公示管理").click()
    page.get_by_role("link", name="发起公示").click()
    assert not page.get_by_role("checkbox").first.is_checked()  # nothing ticked in advance
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="下一步：核对公示名单").click()
    assert str(submitted.reference) in page.locator("main form").inner_text()
    violations["publicity-confirm"] = axe_violations(page)
    page.get_by_role("button", name="确认发起公示（1 份）").click()
    assert "已发起公示" in page.content()
    form = page.locator("#objections form")
    form.get_by_label("异议对象").select_option(label=str(submitted))
    form.get_by_label("异议人姓名").fill("赵明")
    form.get_by_label("联系电话").fill("13857500000")
    form.get_by_label("异议理由及证据").fill("认为培训次数统计偏高。")
    form.get_by_role("button", name="登记异议").click()
    assert "已登记异议" in page.content()
    violations["publicity"] = axe_violations(page)
    publicity_url = page.url
    logout(page)

    # The applicant reads the objection (not who made it) and answers it in writing.
    login(page, live_server, "applicant_b")
    page.goto(f"{live_server.url}/applications/{submitted.pk}/")
    objection = page.locator("#publicity .objection")
    assert "认为培训次数统计偏高" in objection.inner_text()
    assert "赵明" not in page.content() and "13857500000" not in page.content()
    objection.get_by_label("书面说明").fill("培训次数以签到表为准，附签到表。")
    objection.get_by_role("button", name="提交书面说明").click()
    assert "的书面说明" in page.content()
    assert "培训次数以签到表为准" in page.locator("#publicity .objection").inner_text()
    violations["objection-answer"] = axe_violations(page)
    logout(page)

    # The city reads the answer and replies.
    login(page, live_server, "city_rv")
    page.goto(publicity_url)
    page.get_by_role("link", name="答复处理").click()
    page.get_by_label("异议不成立").check()
    page.get_by_label("书面答复").fill("经核查培训签到表，统计属实，异议不成立。")
    page.get_by_role("button", name="保存答复").click()
    assert "已答复" in page.content()

    # Five working days pass; the city closes the 公示 and recognises with a document number.
    Publicity.objects.update(starts_on=today - datetime.timedelta(days=9), ends_on=today - datetime.timedelta(days=2))
    page.reload()
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="结束公示").click()
    assert "公示已结束" in page.content()
    page.get_by_label("认定文号").fill(f"绍市监管〔{today.year}〕12号")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="发文认定").click()
    assert "已发文认定 1 个" in page.content()
    base = Base.objects.get(application=submitted)
    assert (base.document_number, base.status) == (f"绍市监管〔{today.year}〕12号", BaseStatus.VALID)

    # Later: a notice of intended revocation on a ground of 第十五条 (撤销告知) …
    page.goto(f"{live_server.url}/applications/{submitted.pk}/")
    page.get_by_role("link", name="送达撤销告知…").click()
    page.get_by_label("（一）伪造虚假申报材料").check()
    page.get_by_label("查证的事实").fill("经查培训签到表系事后补签。")
    violations["revocation-notice"] = axe_violations(page)
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="登记撤销告知").click()
    assert "已登记撤销告知" in page.content()
    # not before the statement or the end of its period, and the page says so
    assert page.get_by_role("link", name="撤销认定…").count() == 0
    assert "撤销认定：申报单位可在" in page.locator("#actions").inner_text()
    logout(page)

    # … the organisation states its case (陈述申辩) …
    login(page, live_server, "applicant_b")
    page.goto(f"{live_server.url}/applications/{submitted.pk}/")
    assert "已认定" in page.locator(".card dl.meta").first.inner_text()  # still valid
    page.get_by_label("陈述申辩意见").fill("签到表系当日签署，附培训照片。")
    violations["statement"] = axe_violations(page)
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="提交陈述申辩").click()
    assert "已提交陈述申辩意见" in page.content()
    logout(page)

    # … and the city decides, with its reasons on the statement.
    login(page, live_server, "city_rv")
    page.goto(f"{live_server.url}/applications/{submitted.pk}/")
    page.get_by_role("link", name="撤销认定…").click()
    page.get_by_label("对陈述申辩的采纳意见及理由").fill("照片无法证明签到时间，不予采纳。")
    page.get_by_label("撤销决定文号").fill(f"绍市监管〔{today.year}〕20号")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="撤销认定").click()
    assert "已撤销" in page.locator(".card dl.meta").first.inner_text()
    violations["revoked"] = axe_violations(page)
    logout(page)

    # The organisation is refused a new application for two years, with the date it may apply again.
    Batch.objects.create(
        year=today.year + 1, name=f"{today.year + 1}年度申报", deadline=today + datetime.timedelta(days=60)
    )
    login(page, live_server, "applicant_b")
    page.get_by_role("link", name="新建申报").first.click()
    again = today.replace(year=today.year + 2)
    assert f"可于{again.year}年{again.month}月{again.day}日起重新申报" in page.content()

    submitted.refresh_from_db()
    assert submitted.state == State.REVOKED
    assert list(submitted.log.filter(action="transition").values_list("transition", flat=True)) == [
        "recommend",
        "start_acceptance",
        "pass_acceptance",
        "send_back",
        "pass_acceptance",
        "approve",
        "open_publicity",
        "recognise",
        "revoke",
    ]
    assert {k: v for k, v in violations.items() if v} == {}
