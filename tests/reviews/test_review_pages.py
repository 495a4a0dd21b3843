"""The review pages as each role sees them: work queues, the application list (filters, search,
pagination), 公示, bases and notifications scoped to the user, and constant query counts.

States here are arranged directly (ApplicationFactory(state=…)): these tests read pages, they do not
exercise the transitions."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bases.choices import OrganisationKind, State
from bases.models import Base
from reviews.choices import NotificationKind
from reviews.models import Notification, Objection, Publicity
from tests.factories import (
    ApplicationFactory,
    BatchFactory,
    OrganisationFactory,
    UserFactory,
    county,
    industry,
)
from tests.helpers import link_texts

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
APPLICATION_LINK = r"/applications/\d+/"


def app_in(county_name="越城区", *, level="city", state=State.DRAFT, base_type="point", **kwargs):
    kind = {
        "point": OrganisationKind.ENTERPRISE,
        "zone": OrganisationKind.PARK,
        "station": OrganisationKind.ASSOCIATION,
    }[base_type]
    organisation = OrganisationFactory(county=county(county_name), kind=kind, **kwargs.pop("organisation", {}))
    return ApplicationFactory(organisation=organisation, level=level, state=state, base_type=base_type, **kwargs)


def stat_cards(response) -> dict[str, int]:
    """The home page's cards that show a number: title → number."""
    return {
        title: int(n)
        for title, n in re.findall(r'<h2>([^<]+)</h2><p class="stat">(\d+)</p>', response.content.decode())
    }


# --- Work queues ------------------------------------------------------------------------------------


@pytest.fixture
def desk():
    """Applications in 越城区 and 柯桥区 at both levels in the states the queues count."""
    for state, level, n in [
        (State.SUBMITTED, "city", 2),
        (State.CULTIVATION, "city", 1),
        (State.RECOMMENDED, "city", 1),
        (State.IN_ACCEPTANCE, "city", 1),
        (State.PENDING_APPROVAL, "city", 1),
        (State.ACCEPTED, "city", 1),
        (State.IN_PUBLICITY, "city", 1),
        (State.SUBMITTED, "county", 1),
        (State.IN_ACCEPTANCE, "county", 1),
        (State.PENDING_APPROVAL, "county", 1),
    ]:
        for _ in range(n):
            app_in("越城区", level=level, state=state)
    for state, level in [
        (State.SUBMITTED, "city"),
        (State.IN_ACCEPTANCE, "county"),
        (State.RECOMMENDED, "city"),
        (State.CULTIVATION, "city"),
        (State.PENDING_APPROVAL, "county"),
    ]:
        app_in("柯桥区", level=level, state=state)


@pytest.mark.parametrize(
    "make_user, cards",
    [
        (
            lambda: UserFactory(county_staff=True, county=county("越城区")),
            {
                "辖区申报": 11,
                "已申报待审核推荐": 3,
                "培育中的对象": 1,
                "县级验收中": 1,
                "县级已批准待公示": 0,
                "县级公示中": 0,
                "待确认单位": 0,
            },
        ),
        (
            lambda: UserFactory(county_staff=True, county=county("柯桥区")),
            {
                "辖区申报": 5,
                "已申报待审核推荐": 1,
                "培育中的对象": 1,
                "县级验收中": 1,
                "县级已批准待公示": 0,
                "县级公示中": 0,
                "待确认单位": 0,
            },
        ),
        (
            lambda: UserFactory(city_reviewer=True),
            {
                "辖区申报": 16,
                "已推荐待组织验收": 2,
                "验收中": 1,
                "已批准待公示": 1,
                "公示中": 1,
                "向上推荐待市局审核": 0,
            },
        ),
        (
            lambda: UserFactory(city_admin=True),
            {
                "辖区申报": 16,
                "已推荐待组织验收": 2,
                "验收中": 1,
                "已批准待公示": 1,
                "公示中": 1,
                "向上推荐待市局审核": 0,
                "待确认单位": 0,
            },
        ),
        # 报批: a leader's desk holds what waits for its approval, nothing of the staff's.
        (lambda: UserFactory(city_leader=True), {"辖区申报": 16, "待报批": 1}),
        (lambda: UserFactory(county_leader=True, county=county("越城区")), {"辖区申报": 11, "县级待报批": 1}),
        (lambda: UserFactory(county_leader=True, county=county("柯桥区")), {"辖区申报": 5, "县级待报批": 1}),
    ],
    ids=[
        "county_yuecheng",
        "county_keqiao",
        "city_reviewer",
        "city_admin",
        "city_leader",
        "county_leader_yuecheng",
        "county_leader_keqiao",
    ],
)
def test_home_work_queues_per_role_show_counts(client, desk, make_user, cards):
    client.force_login(make_user())

    response = client.get(reverse("home"))

    assert stat_cards(response) == cards


def test_home_applicant_sees_own_applications_only_no_queues(client, desk):
    mine = app_in("越城区", state=State.SUBMITTED)
    client.force_login(mine.created_by)

    response = client.get(reverse("home"))

    assert stat_cards(response) == {"我的申报": 1}
    assert link_texts(response, APPLICATION_LINK) == {mine.reference}


def test_home_queue_link_lists_exactly_the_counted_applications(client, desk):
    client.force_login(UserFactory(county_staff=True, county=county("越城区")))

    listed = link_texts(client.get(reverse("bases:application-list"), {"state": State.SUBMITTED}), APPLICATION_LINK)

    assert len(listed) == 3


# --- The application list -----------------------------------------------------------------------


@pytest.fixture
def catalogue():
    """Six applications that differ in one attribute each from `plain`."""
    other_batch = BatchFactory(year=TODAY.year - 1)
    return {
        "plain": app_in("越城区", organisation={"name": "绍兴越城精工有限公司"}),
        "keqiao": app_in("柯桥区"),
        "zone": app_in("越城区", base_type="zone"),
        "submitted": app_in("越城区", state=State.SUBMITTED),
        "textile": app_in("越城区", organisation={"industry": industry("纺织")}, industry=industry("纺织")),
        "last_year": app_in("越城区", batch=other_batch),
    }


def listed(client, **params) -> set[str]:
    return link_texts(client.get(reverse("bases:application-list"), params), APPLICATION_LINK)


def refs(catalogue, *names) -> set[str]:
    return {catalogue[n].reference for n in names}


def test_application_list_filters_each_narrow_to_matching_rows(client, catalogue):
    client.force_login(UserFactory(city_reviewer=True))
    this_year = catalogue["plain"].batch

    results = {
        "all": listed(client),
        "batch": listed(client, batch=catalogue["last_year"].batch_id),
        "county": listed(client, county=county("柯桥区").pk),
        "type": listed(client, base_type="zone"),
        "state": listed(client, state=State.SUBMITTED),
        "industry": listed(client, industry=industry("纺织").pk),
        "combined": listed(
            client, batch=this_year.pk, county=county("越城区").pk, base_type="point", state=State.DRAFT
        ),
    }

    assert results == {
        "all": refs(catalogue, "plain", "keqiao", "zone", "submitted", "textile", "last_year"),
        "batch": refs(catalogue, "last_year"),
        "county": refs(catalogue, "keqiao"),
        "type": refs(catalogue, "zone"),
        "state": refs(catalogue, "submitted"),
        "industry": refs(catalogue, "textile"),
        "combined": refs(catalogue, "plain", "textile"),
    }


def test_application_list_search_by_reference_name_or_credit_code(client, catalogue):
    client.force_login(UserFactory(city_admin=True))
    plain = catalogue["plain"]

    found = [listed(client, q=q) for q in (plain.reference, "越城精工", plain.organisation.credit_code.lower())]

    assert found == [{plain.reference}] * 3


def test_application_list_county_staff_filter_cannot_reach_other_county(client, catalogue):
    client.force_login(UserFactory(county_staff=True, county=county("越城区")))

    assert listed(client, county=county("柯桥区").pk) == set()
    assert catalogue["keqiao"].reference not in listed(client)


def test_application_list_paginates_20_and_keeps_filters_in_page_links(client):
    apps = [app_in("越城区", state=State.SUBMITTED) for _ in range(23)]
    app_in("越城区", state=State.DRAFT)
    client.force_login(UserFactory(city_reviewer=True))

    first = client.get(reverse("bases:application-list"), {"state": State.SUBMITTED})
    second = client.get(reverse("bases:application-list"), {"state": State.SUBMITTED, "page": 2})

    on_first, on_second = link_texts(first, APPLICATION_LINK), link_texts(second, APPLICATION_LINK)
    assert (len(on_first), len(on_second)) == (20, 3)
    assert on_first | on_second == {a.reference for a in apps}
    assert "第 1 / 2 页，共 23 条" in first.content.decode()
    assert link_texts(first, r"\?state=submitted&page=2") == {"下一页", "末页"}


# --- Scoped 公示, bases and notifications ---------------------------------------------------------------


@pytest.fixture
def county_publicity():
    """A county-level 公示 of 越城区, through the services."""
    application = ApplicationFactory(level="county", in_publicity=True)
    return application.publicities.get()


@pytest.mark.parametrize(
    "make_user, status",
    [
        (lambda: UserFactory(county_staff=True, county=county("越城区")), 200),
        (lambda: UserFactory(city_reviewer=True), 200),
        (lambda: UserFactory(county_staff=True, county=county("柯桥区")), 404),
        (lambda: UserFactory(applicant=True), 404),
    ],
    ids=["own_county", "city", "other_county", "applicant"],
)
def test_publicity_detail_scoped(client, county_publicity, make_user, status):
    client.force_login(make_user())

    response = client.get(reverse("reviews:publicity-detail", args=[county_publicity.pk]))

    assert response.status_code == status
    assert (county_publicity.title in response.content.decode()) == (status == 200)


def test_publicity_list_other_county_does_not_list_it_applicant_forbidden(client, county_publicity):
    keqiao = UserFactory(county_staff=True, county=county("柯桥区"))
    yuecheng = UserFactory(county_staff=True, county=county("越城区"))
    detail = rf"/publicities/{county_publicity.pk}/"

    client.force_login(keqiao)
    other = link_texts(client.get(reverse("reviews:publicity-list")), detail)
    client.force_login(yuecheng)
    own = link_texts(client.get(reverse("reviews:publicity-list")), detail)
    client.force_login(county_publicity.applications.get().created_by)
    applicant = client.get(reverse("reviews:publicity-list"))

    assert (other, own) == (set(), {county_publicity.title})
    assert applicant.status_code == 403


@pytest.fixture
def bases():
    """One recognised base in 越城区, one in 柯桥区."""
    yuecheng = ApplicationFactory(recognised=True)
    keqiao = ApplicationFactory(recognised=True, organisation=OrganisationFactory(county=county("柯桥区")))
    return yuecheng.base, keqiao.base


@pytest.mark.parametrize(
    "who, visible",
    [
        ("county_yuecheng", {0}),
        ("county_keqiao", {1}),
        ("city", {0, 1}),
        ("applicant_yuecheng", {0}),
        ("other_applicant", set()),
    ],
)
def test_base_list_and_detail_scoped(client, bases, who, visible):
    user = {
        "county_yuecheng": lambda: UserFactory(county_staff=True, county=county("越城区")),
        "county_keqiao": lambda: UserFactory(county_staff=True, county=county("柯桥区")),
        "city": lambda: UserFactory(city_admin=True),
        "applicant_yuecheng": lambda: bases[0].application.created_by,
        "other_applicant": lambda: UserFactory(applicant=True),
    }[who]()
    client.force_login(user)

    names = link_texts(client.get(reverse("reviews:base-list")), r"/bases/\d+/")
    statuses = [client.get(reverse("reviews:base-detail", args=[b.pk])).status_code for b in bases]

    assert names == {bases[i].name for i in visible}
    assert statuses == [200 if i in visible else 404 for i in range(2)]


def test_notification_list_shows_only_own_notifications(client):
    me, someone = UserFactory(county_staff=True), UserFactory(county_staff=True)
    application = app_in("越城区", state=State.SUBMITTED)
    for user, text in ((me, "给我的提醒"), (someone, "给别人的提醒")):
        Notification.objects.create(
            user=user, application=application, kind=NotificationKind.WAITING, key=f"k:{user.pk}", message=text
        )
    client.force_login(me)

    page = client.get(reverse("reviews:notification-list")).content.decode()

    assert "给我的提醒" in page and "给别人的提醒" not in page


def test_notification_list_mark_all_read_touches_only_own(client):
    me, someone = UserFactory(county_staff=True), UserFactory(county_staff=True)
    for user in (me, someone):
        Notification.objects.create(user=user, kind=NotificationKind.WAITING, key="k", message="提醒")
    client.force_login(me)

    client.post(reverse("reviews:notification-list"))

    assert set(Notification.objects.filter(read_at__isnull=True).values_list("user", flat=True)) == {someone.pk}


# --- Query counts do not grow with rows -------------------------------------------------------------


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def add_to_publicity(publicity, n):
    for _ in range(n):
        application = app_in("越城区", state=State.IN_PUBLICITY, complete=True)
        publicity.applications.add(application)
        Objection.objects.create(
            reference=f"YY{Objection.objects.count() + 1:06d}",
            publicity=publicity,
            application=application,
            name="赵明",
            phone="13857500000",
            reasons="统计偏高。",
            received_on=publicity.starts_on,
        )


def test_publicity_detail_queries_constant_for_2_and_8_applications(client, django_assert_num_queries):
    city = UserFactory(city_reviewer=True)
    publicity = Publicity.objects.create(
        title="拟认定名单公示", level="city", starts_on=TODAY, ends_on=TODAY, opened_by=city
    )
    client.force_login(city)
    url = reverse("reviews:publicity-detail", args=[publicity.pk])
    add_to_publicity(publicity, 2)
    client.get(url)
    few = queries(client, url)
    add_to_publicity(publicity, 6)

    with django_assert_num_queries(few):
        response = client.get(url)

    assert len(link_texts(response, APPLICATION_LINK)) == 8


def add_bases(n):
    for _ in range(n):
        application = app_in("越城区", state=State.RECOGNISED, complete=True)
        Base.objects.create(
            application=application,
            organisation=application.organisation,
            name=application.display_name,
            base_type="point",
            level="city",
            year=TODAY.year,
            document_number=f"绍市监管〔{TODAY.year}〕12号",
            recognised_on=TODAY,
        )


@pytest.mark.parametrize(
    "make_user",
    [lambda: UserFactory(city_admin=True), lambda: UserFactory(county_staff=True, county=county("越城区"))],
    ids=["city_admin", "county_staff"],
)
def test_base_list_queries_constant_for_2_and_8_bases(client, django_assert_num_queries, make_user):
    client.force_login(make_user())
    url = reverse("reviews:base-list")
    add_bases(2)
    client.get(url)
    few = queries(client, url)
    add_bases(6)
    client.get(url)  # the count is kept in the cache until the bases change: warm it

    with django_assert_num_queries(few):
        response = client.get(url)

    assert len(link_texts(response, r"/bases/\d+/")) == 8
