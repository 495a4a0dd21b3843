"""Pages run a constant number of queries, whatever the number of rows they list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bases import services
from bases.choices import LogAction, OrganisationKind
from bases.services import log_write
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory, county, upload

pytestmark = pytest.mark.django_db

COUNTIES = ["越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县"]
KINDS = {"point": OrganisationKind.ENTERPRISE, "zone": OrganisationKind.PARK, "station": OrganisationKind.ASSOCIATION}


def add_applications(n: int, start: int = 0) -> None:
    """n applications of every type, spread over the counties, each by its own organisation."""
    for i in range(start, start + n):
        base_type = ("point", "zone", "station")[i % 3]
        organisation = OrganisationFactory(county=county(COUNTIES[i % len(COUNTIES)]), kind=KINDS[base_type])
        ApplicationFactory(organisation=organisation, base_type=base_type, complete=bool(i % 2))


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "make_viewer",
    [
        lambda: UserFactory(city_admin=True),
        lambda: UserFactory(city_reviewer=True),
        lambda: UserFactory(county_staff=True, county=county("越城区")),
        lambda: UserFactory(city_leader=True),
        lambda: UserFactory(county_leader=True, county=county("越城区")),
    ],
    ids=["city_admin", "city_reviewer", "county_staff", "city_leader", "county_leader"],
)
def test_application_list_queries_constant_for_5_and_25_applications(
    client, django_assert_num_queries, django_assert_max_num_queries, make_viewer
):
    client.force_login(make_viewer())
    url = reverse("bases:application-list")
    add_applications(5)
    client.get(url)  # warm the session
    with django_assert_max_num_queries(20):
        few = queries(client, url)
    add_applications(20, start=5)
    client.get(url)  # the count and the filter bar are kept in the cache until the data changes: warm it

    with django_assert_num_queries(few):
        response = client.get(url)

    assert response.status_code == 200


def add_evidence_and_log(application, n: int) -> None:
    user = application.created_by
    conditions = [c.code for c in application.spec.conditions]
    for i in range(n):
        services.attachment_add(
            application=application,
            user=user,
            uploaded=upload(f"证明{i}.pdf"),
            condition_code=conditions[i % len(conditions)],
        )
        log_write(
            application=application,
            user=UserFactory(city_reviewer=True),
            action=LogAction.EDIT,
            label="保存申报表",
            comment=f"第{i}条",
        )


@pytest.mark.parametrize("viewer", ["applicant", "county_staff", "city_admin", "city_leader"])
def test_application_detail_queries_constant_for_1_and_6_attachments_and_log_entries(
    client, django_assert_num_queries, django_assert_max_num_queries, viewer
):
    application = ApplicationFactory(complete=True)
    client.force_login(
        {
            "applicant": lambda: application.created_by,
            "county_staff": lambda: UserFactory(county_staff=True, county=application.organisation.county),
            "city_admin": lambda: UserFactory(city_admin=True),
            "city_leader": lambda: UserFactory(city_leader=True),
        }[viewer]()
    )
    url = reverse("reviews:application-detail", args=[application.pk])
    add_evidence_and_log(application, 1)
    client.get(url)
    with django_assert_max_num_queries(25):
        few = queries(client, url)
    add_evidence_and_log(application, 5)

    with django_assert_num_queries(few):
        response = client.get(url)

    assert response.content.decode().count("/attachments/") >= 6
    assert (application.attachments.count(), application.log.count()) == (6, 12)
