"""The entries the review records write in the application log (guidance, acceptance records,
objections, upward recommendations), and the timeline on the application page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from bases.choices import LogAction, ObjectionOutcome, State
from bases.dates import cn_date
from reviews import services
from tests.factories import ApplicationFactory, UserFactory, advance, applicant_of, county, county_clerk
from tests.helpers import list_items

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def new_entries(application, before):
    return [(e.action, e.label, e.actor_id) for e in application.log.all()[before:]]


def test_log_guidance_visit_one_entry():
    clerk = UserFactory(county_staff=True, county=county("越城区"))
    application = ApplicationFactory(cultivation=True)

    services.guidance_add(
        application=application, user=clerk, visited_on=TODAY, officer="陈志明", content="指导建立保密员制度。"
    )

    assert [(e.action, e.label, e.actor, e.comment) for e in application.log.all()] == [
        (LogAction.GUIDANCE, "培育指导", clerk, f"{cn_date(TODAY)} 陈志明：指导建立保密员制度。")
    ]


def test_log_acceptance_record_one_entry():
    member = UserFactory(city_reviewer=True)
    application = ApplicationFactory(complete=True, advanced_to=State.IN_ACCEPTANCE, advance_with={"leader": member})
    before = application.log.count()

    services.acceptance_record_add(
        application=application,
        user=member,
        kind="site_visit",
        held_on=TODAY,
        members="周明",
        findings="现场核实保密措施。",
    )

    assert new_entries(application, before) == [(LogAction.ACCEPTANCE_RECORD, "实地考察", member.pk)]


def test_log_objection_registered_and_answered_one_entry_each():
    city = UserFactory(city_reviewer=True)
    application = ApplicationFactory(in_publicity=True, advance_with={"city_user": city})
    publicity = application.publicities.get()
    before = application.log.count()

    raised = services.objection_add(
        publicity=publicity,
        application=application,
        user=city,
        name="赵明",
        phone="13857500000",
        reasons="统计偏高。",
        received_on=TODAY,
    )
    after_add = new_entries(application, before)
    services.objection_reply(objection=raised, user=city, outcome=ObjectionOutcome.DISMISSED, reply="统计属实。")

    assert after_add == [(LogAction.OBJECTION, "登记公示异议", city.pk)]
    assert new_entries(application, before) == [
        (LogAction.OBJECTION, "登记公示异议", city.pk),
        (LogAction.OBJECTION, "答复公示异议", city.pk),
    ]


def test_log_upward_recommendation_one_entry_per_step():
    city = UserFactory(city_admin=True)
    application = ApplicationFactory(recognised=True)
    clerk = county_clerk(application.organisation.county)
    before = application.log.count()

    item = services.upward_recommendation_open(
        base=application.base, user=clerk, level="provincial", county_on=TODAY, opinion="同意推荐。"
    )
    item = services.upward_recommendation_decide(
        item=item, user=city, version=item.version, decision="recommend", city_on=TODAY, opinion="推荐上报。"
    )
    services.upward_recommendation_outcome(
        item=item,
        user=city,
        version=item.version,
        outcome="recognised",
        outcome_on=TODAY,
        document_number="浙市监竞争〔2026〕3号",
    )

    assert new_entries(application, before) == [
        (LogAction.UPWARD, "向上推荐：县局初审推荐", clerk.pk),
        (LogAction.UPWARD, "向上推荐：市局推荐上报", city.pk),
        (LogAction.UPWARD, "向上推荐：评审结果", city.pk),
    ]


# --- The timeline on the application page ----------------------------------------------------------


def test_application_page_timeline_lists_entries_in_order_with_actor_and_role(client):
    county_clerk = UserFactory(county_staff=True, county=county("越城区"), last_name="陈", first_name="志明")
    city = UserFactory(city_reviewer=True, last_name="沈", first_name="佳怡")
    application = ApplicationFactory(complete=True)
    applicant = applicant_of(application)
    applicant.last_name, applicant.first_name = "李", "小红"
    applicant.save()
    advance(application, State.IN_ACCEPTANCE, county_user=county_clerk, city_user=city)
    page = reverse("reviews:application-detail", args=[application.pk])
    client.force_login(applicant)
    as_applicant = list_items(client.get(page), "timeline")
    client.force_login(county_clerk)
    as_county = list_items(client.get(page), "timeline")

    opinion = f"经审核，材料真实完整，符合条件。（负责人：负责人，{cn_date(TODAY)}）"
    # the applicant reads which bureau made each step, not who (its reviewers are the bureaus' to know)
    assert ["".join(item.split()) for item in as_applicant] == [  # whitespace aside
        f"提交申报（草稿→已申报）{_when(application, 0)}·李小红（申报单位）",
        f"审核推荐（已申报→已推荐）{_when(application, 1)}·越城区市场监督管理局{opinion}",
        f"组织验收（已推荐→验收中）{_when(application, 2)}·绍兴市市场监督管理局",
    ]
    assert ["".join(item.split()) for item in as_county] == [
        f"提交申报（草稿→已申报）{_when(application, 0)}·李小红（申报单位）",
        f"审核推荐（已申报→已推荐）{_when(application, 1)}·陈志明（县局工作人员）{opinion}",
        f"组织验收（已推荐→验收中）{_when(application, 2)}·沈佳怡（市局验收人员）验收组：沈佳怡",
    ]


def _when(application, index):
    created = timezone.localtime(application.log.all()[index].created_at)
    return f"{created.year}年{created.month}月{created.day}日{created:%H:%M}"
