"""The reads of reviews/selectors.py: the review on the application page, the 公示 and objections a
user may see, the recognised bases with their search, and notifications. Every test creates rows the
reader must not return."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from bases.choices import AcceptanceKind, Level, State
from bases.models import Application
from reviews import selectors, services
from reviews.models import GuidanceVisit, Notification, Publicity
from tests.factories import ApplicationFactory, UserFactory, advance, county, county_clerk

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def pks(rows) -> set:
    return {row.pk for row in rows}


def test_acceptance_group_members_by_name_then_username_or_nobody_without_a_group():
    leader = UserFactory(city_reviewer=True, last_name="张", username="zhang_b")
    member = UserFactory(city_reviewer=True, last_name="李", username="li")
    namesake = UserFactory(city_reviewer=True, last_name="张", username="zhang_a")
    application = ApplicationFactory(in_acceptance=True, advance_with={"leader": leader, "members": [member, namesake]})

    # 张 sorts before 李 by code point
    assert selectors.acceptance_group_members(application.acceptance_group) == [namesake, leader, member]
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
    for_staff = selectors.review_context(application, UserFactory(city_reviewer=True))

    assert context["base"] == application.base
    assert context["publicities"] == list(application.publicities.all()) != []
    # who reviewed is the bureaus' to know (disclosure.py)
    assert (context["acceptance_group"], context["acceptance_members"], context["internal"]) == (None, [], False)
    assert (for_staff["acceptance_group"] is not None, for_staff["internal"]) == (True, True)


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
        applications=[(waiting, waiting.version), (done, done.version)], user=city, title="公示", starts_on=TODAY
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
    unread = [Notification.objects.create(user=me, kind="transition", key=k, message="二") for k in "bc"]
    Notification.objects.create(user=other, kind="transition", key="d", message="三")

    assert pks(selectors.notifications_for_user(me)) == {read.pk, *pks(unread)}
    assert selectors.unread_notifications_count(me) == 2
    assert list(selectors.notifications_for_user(AnonymousUser())) == []


def test_publicities_for_user_county_never_sees_a_city_level_publicity_whatever_its_county():
    city = UserFactory(city_reviewer=True)
    application = advance(ApplicationFactory(complete=True), State.IN_PUBLICITY, city_user=city)
    Publicity.objects.filter(pk=application.publicities.get().pk).update(county=county("越城区"))

    assert list(selectors.publicities_for_user(UserFactory(county_staff=True, county=county("越城区")))) == []


# --- Query shapes -----------------------------------------------------------------------------------------


def test_publicities_and_objections_bring_what_pages_read(publicities, django_assert_num_queries):
    for publicity in publicities.values():
        publicity.objections.create(
            reference=f"YYQ{publicity.pk}",
            application=publicity.applications.get(),
            name="张三",
            phone="13900000000",
            reasons="理由",
            received_on=publicity.starts_on,
        )
    city = UserFactory(city_reviewer=True)

    with django_assert_num_queries(3):  # the 公示, then their applications, then their objections
        rows = [
            (
                p.county and p.county.name,
                p.opened_by.username,
                [a.organisation.county.name for a in p.applications.all()],
                [o.application.reference for o in p.objections.all()],
            )
            for p in selectors.publicities_for_user(city)
        ]
    with django_assert_num_queries(1):
        objections = [(o.publicity.title, o.application.reference) for o in selectors.objections_for_user(city)]

    assert (len(rows), len(objections)) == (3, 3)


def test_recognised_bases_bring_their_upward_recommendations(django_assert_num_queries):
    for _ in range(2):
        application = ApplicationFactory(recognised=True)
        services.upward_recommendation_open(
            base=application.base,
            user=county_clerk(application.organisation.county),
            level="provincial",
            county_on=TODAY,
            opinion="同意推荐。",
        )
    city = UserFactory(city_reviewer=True)

    with django_assert_num_queries(2):
        assert [len(b.upward_recommendations.all()) for b in selectors.recognised_bases(city)] == [1, 1]


def test_review_context_reads_each_record_kind_once(django_assert_num_queries):
    leader = UserFactory(city_reviewer=True)
    application = advance(ApplicationFactory(complete=True), State.IN_PUBLICITY, city_user=leader, leader=leader)
    publicity = application.publicities.get()
    for i in range(2):
        publicity.objections.create(
            reference=f"YYR{i}",
            application=application,
            name="张三",
            phone="13900000000",
            reasons="理由",
            received_on=publicity.starts_on,
        )
    for day in range(2):
        GuidanceVisit.objects.create(
            application=application, visited_on=TODAY, officer="陈", content=f"第{day + 1}次指导", recorded_by=leader
        )
    application = Application.objects.select_related("organisation__county", "batch").get(pk=application.pk)

    # visits, group, its members, records, objections, 公示, base, revocation procedures: one query each
    with django_assert_num_queries(8):
        context = selectors.review_context(application, leader)
        [record.recorded_by.username for record in context["acceptance_records"]]
        [visit.recorded_by.username for visit in context["guidance_visits"]]
        [objection.publicity.title for objection in context["objections"]]

    assert (len(context["acceptance_records"]), len(context["objections"]), len(context["guidance_visits"])) == (
        2,
        2,
        2,
    )


def test_notifications_bring_their_application(django_assert_num_queries):
    me = UserFactory(applicant=True)
    for key in "ab":
        Notification.objects.create(user=me, application=ApplicationFactory(), kind="transition", key=key, message="一")

    with django_assert_num_queries(1):
        assert len([n.application.reference for n in selectors.notifications_for_user(me)]) == 2
