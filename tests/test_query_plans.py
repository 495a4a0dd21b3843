"""On PostgreSQL, with a few thousand applications, the staff pages' queries reach the applications
through indexes: no sequential scan of the application table in any of their plans (free-text search
aside). Skipped on SQLite, whose planner is not the one production runs."""

import datetime

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bases import selectors
from bases.choices import Level, OrganisationKind, OrganisationStatus, State
from bases.models import Application, Base, Organisation
from tests.factories import BatchFactory, UserFactory, county

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the query plans are PostgreSQL's"),
]

COUNTIES = ["越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县"]
STATES = [State.DRAFT, State.SUBMITTED, State.RECOMMENDED, State.IN_ACCEPTANCE, State.ACCEPTED, State.RECOGNISED]
N = 3000
TRADES = ["纺织", "印染", "化工", "机械", "电子", "黄酒"]


def seed(n: int) -> None:
    """n applications in bulk, spread over the counties, states and levels, then VACUUM ANALYZE (as
    autovacuum keeps a live database)."""
    author = UserFactory(city_admin=True)
    batch = BatchFactory()
    counties = [county(name) for name in COUNTIES]
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"绍兴{TRADES[i % len(TRADES)]}测试企业{i}有限公司",
            kind=OrganisationKind.ENTERPRISE,
            credit_code=f"91330600{i:09d}X",
            county=counties[i % len(counties)],
            address="绍兴市",
            postcode="312000",
            legal_representative="张三",
            contact_name="李四",
            contact_phone="13800000000",
            status=OrganisationStatus.CONFIRMED,
        )
        for i in range(n)
    )
    Application.objects.bulk_create(
        Application(
            reference=f"SX{batch.year}P{i:05d}",
            organisation=organisation,
            county_id=organisation.county_id,
            batch=batch,
            base_type="point",
            level=(Level.CITY, Level.COUNTY)[i % 2],
            state=STATES[i // len(COUNTIES) % len(STATES)],
            applicant_name=organisation.name,
            narrative="商业秘密保护工作开展情况。" * 100,
            created_by=author,
        )
        for i, organisation in enumerate(organisations)
    )
    Base.objects.bulk_create(
        Base(
            application=application,
            organisation_id=application.organisation_id,
            name=f"{application.applicant_name}商业秘密保护示范点",
            base_type="point",
            level=application.level,
            year=batch.year,
            document_number=f"绍市监〔{batch.year}〕{application.pk}号",
            recognised_on=datetime.date(batch.year, 12, 1),
        )
        for application in Application.objects.filter(state=State.RECOGNISED)
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def application_plans(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    plans = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if sql.startswith("SELECT") and "bases_application" in sql:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN {sql}")
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


@pytest.mark.parametrize("viewer", ["city", "county"])
@pytest.mark.parametrize("url", ["home", "bases:application-list", "reviews:publicity-list", "reviews:base-list"])
def test_staff_pages_at_3000_applications_never_scan_the_application_table(client, viewer, url):
    seed(N)
    user = UserFactory(city_reviewer=True) if viewer == "city" else UserFactory(county_staff=True, county=county())
    client.force_login(user)

    plans = application_plans(client, reverse(url))

    assert plans, "the page reads applications"
    assert [plan for plan in plans if "Seq Scan on bases_application" in plan] == []


def test_a_two_character_name_search_reads_the_name_indexes_not_every_name(client):
    """The names are found through their GIN indexes, the credit code beside them: no sequential scan
    of the applications or the organisations, whose every name's pieces would be computed again."""
    seed(N)
    client.force_login(UserFactory(city_reviewer=True))

    plans = application_plans(client, reverse("bases:application-list") + "?q=纺织")

    assert plans
    assert [p for p in plans if "Seq Scan on bases_application" in p or "Seq Scan on bases_organisation" in p] == []


def test_the_indexed_name_search_finds_what_a_contains_match_finds():
    """The GIN pieces only narrow the rows; the contains-match decides: one, two, three and more
    characters, a reference prefix and a credit code give the same rows as the plain filter."""
    seed(300)
    every = Application.objects.all()
    first = Application.objects.order_by("pk").first()
    queries = ["织", "纺织", "绍兴纺", "测试企业1", "企业12有限", "无此"]
    queries += [first.reference[:6].lower(), "91330600000000007x"]
    for q in queries:
        code = q.upper()
        expected = every.filter(
            Q(reference__startswith=code)
            | Q(applicant_name__icontains=q)
            | Q(organisation__name__icontains=q)
            | Q(organisation__credit_code=code)
        )
        found = set(selectors.applications_search(every, q).values_list("pk", flat=True))
        assert found == set(expected.values_list("pk", flat=True)), q
