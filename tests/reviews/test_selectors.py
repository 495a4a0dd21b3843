"""The reads of reviews/selectors.py: the review on the application page, the 公示 and objections a
user may see, the recognised bases with their search, and notifications. Every test creates rows the
reader must not return."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from bases.choices import AcceptanceKind, Level, State
from bases.models import Application
from reviews import selectors, services
from reviews.models import Notification, Publicity
from tests.factories import ApplicationFactory, UserFactory, advance, county

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def pks(rows) -> set:
    return {row.pk for row in rows}


def test_acceptance_group_members_by_name_or_nobody_without_a_group():
    leader = UserFactory(city_reviewer=True, last_name="张", username="zhang")
    member = UserFactory(city_reviewer=True, last_name="李", username="li")
    application = ApplicationFactory(in_acceptance=True, advance_with={"leader": leader, "members": [member]})

    assert selectors.acceptance_group_members(application.acceptance_group) == [leader, member]  # 张 < 李 by code point
    assert selectors.acceptance_group_members(None) == []


def test_review_context_in_acceptance_for_a_member_and_for_the_applicant():
    leader = UserFactory(city_reviewer=True)
    application = ApplicationFactory(in_acceptance=True, advance_with={"leader": leader})
    services.acceptance_record_add(
        application=application,
        user=leader,
        kind=AcceptanceKind.WRITTEN_REVIEW,
        held_on=TODAY,
        members="验收组",
        findings="符合。",
    )
    ApplicationFactory(in_acceptance=True, advance_with={"leader": leader})  # another application's records

    for_leader = selectors.review_context(application, leader)
    for_applicant = selectors.review_context(application, application.created_by)

    assert for_leader["acceptance_group"] == application.acceptance_group
    assert for_leader["acceptance_members"] == [leader]
    assert [r.kind for r in for_leader["acceptance_records"]] == [AcceptanceKind.WRITTEN_REVIEW]
    assert (for_leader["may_record_acceptance"], for_applicant["may_record_acceptance"]) == (True, False)
    assert (for_leader["may_log_guidance"], for_leader["guidance_visits"]) == (False, [])
    assert (for_leader["objections"], for_leader["publicities"], for_leader["base"]) == ([], [], None)


def test_review_context_may_record_only_while_in_acceptance():
    leader = UserFactory(city_reviewer=True)
    application = ApplicationFactory(accepted=True, advance_with={"leader": leader})

    assert selectors.review_context(application, leader)["may_record_acceptance"] is False


def test_review_context_recognised_shows_publicity_and_base():
    application = ApplicationFactory(recognised=True)

    context = selectors.review_context(application, application.created_by)

    assert context["base"] == application.base
    assert context["publicities"] == list(application.publicities.all()) != []
    assert context["acceptance_group"] is not None


def test_review_context_candidate_the_county_may_log_guidance():
    clerk = UserFactory(county_staff=True, county=county("越城区"))
    candidate = ApplicationFactory(cultivation=True, organisation__county=county("越城区"))

    assert selectors.review_context(candidate, clerk)["may_log_guidance"] is True
    assert selectors.review_context(candidate, candidate.created_by)["may_log_guidance"] is False


@pytest.fixture
def publicities():
    city = UserFactory(city_reviewer=True)
    city_level = advance(ApplicationFactory(complete=True), State.IN_PUBLICITY, city_user=city)
    yuecheng = advance(
        ApplicationFactory(complete=True, level=Level.COUNTY, organisation__county=county("越城区")), State.IN_PUBLICITY
    )
    keqiao = advance(
        ApplicationFactory(complete=True, level=Level.COUNTY, organisation__county=county("柯桥区")), State.IN_PUBLICITY
    )
    return {
        "city": city_level.publicities.get(),
        "yuecheng": yuecheng.publicities.get(),
        "keqiao": keqiao.publicities.get(),
    }


@pytest.mark.parametrize(
    "who, visible",
    [
        ("city_reviewer", {"city", "yuecheng", "keqiao"}),
        ("county_yuecheng", {"yuecheng"}),
        ("applicant", set()),
        ("anonymous", set()),
    ],
)
def test_publicities_and_objections_for_user(publicities, who, visible):
    user = {
        "city_reviewer": lambda: UserFactory(city_reviewer=True),
        "county_yuecheng": lambda: UserFactory(county_staff=True, county=county("越城区")),
        "applicant": lambda: publicities["yuecheng"].applications.get().created_by,
        "anonymous": AnonymousUser,
    }[who]()
    objections = {
        name: Publicity.objects.get(pk=p.pk).objections.create(
            reference=f"YYT{i}",
            application=p.applications.get(),
            name="张三",
            phone="13900000000",
            reasons="理由",
            received_on=p.starts_on,
        )
        for i, (name, p) in enumerate(publicities.items())
    }

    assert pks(selectors.publicities_for_user(user)) == {publicities[name].pk for name in visible}
    assert pks(selectors.objections_for_user(user)) == {objections[name].pk for name in visible}


def test_applications_in_publicity_only_those_still_waiting():
    city = UserFactory(city_reviewer=True)
    waiting = ApplicationFactory(accepted=True, advance_with={"city_user": city})
    done = ApplicationFactory(accepted=True, advance_with={"city_user": city})
    publicity = services.publicity_open(
        applications=[(waiting, waiting.version), (done, done.version)],
        user=city,
        title="公示",
        starts_on=TODAY - datetime.timedelta(days=10),
        ends_on=TODAY - datetime.timedelta(days=3),
    )
    Application.objects.filter(pk=done.pk).update(state=State.RECOGNISED)

    assert list(selectors.applications_in_publicity(publicity)) == [waiting]


def test_recognised_bases_search_by_name_or_document_number():
    named = ApplicationFactory(recognised=True, organisation__name="绍兴黄酒酿造有限公司")
    other = ApplicationFactory(recognised=True, organisation__name="绍兴纺织有限公司")
    city = UserFactory(city_reviewer=True)
    other.base.document_number = "绍市监管〔2026〕77号"
    other.base.save()

    assert pks(selectors.recognised_bases(city)) == {named.base.pk, other.base.pk}
    assert pks(selectors.recognised_bases(city, q="黄酒")) == {named.base.pk}
    assert pks(selectors.recognised_bases(city, q="〔2026〕77")) == {other.base.pk}
    assert pks(selectors.recognised_bases(named.created_by)) == {named.base.pk}


def test_notifications_own_and_the_unread_count():
    me, other = UserFactory(applicant=True), UserFactory(applicant=True)
    read = Notification.objects.create(user=me, kind="transition", key="a", message="一", read_at=timezone.now())
    unread = Notification.objects.create(user=me, kind="transition", key="b", message="二")
    Notification.objects.create(user=other, kind="transition", key="c", message="三")

    assert pks(selectors.notifications_for_user(me)) == {read.pk, unread.pk}
    assert selectors.unread_notifications_count(me) == 1
    assert list(selectors.notifications_for_user(AnonymousUser())) == []
