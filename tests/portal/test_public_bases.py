"""The public list of recognised bases and a base's page (第十四条): no sign-in, filters, search,
pages, revoked bases findable as 已撤销, only the public fields, a constant number of queries, and
the cache moved on by a recognition or a revocation."""

import datetime
import io
import json
import uuid

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bases import selectors
from bases.choices import BaseStatus
from bases.models import Base
from bases.public_fields import PUBLIC_BASE_FIELDS
from bases.services import application_transition
from reviews import services
from tests.factories import ApplicationFactory, add_evidence, applicant_of

from .conftest import make_base, mark_private_fields, markers_of

pytestmark = pytest.mark.django_db

LIST = reverse("portal:base-list")


def names_listed(response) -> list[str]:
    html = response.content.decode()
    return [base.name for base in Base.objects.order_by("pk") if base.name in html]


def test_list_shows_valid_and_revoked_bases_to_anonymous_visitors(client):
    valid = make_base(1)
    revoked = make_base(2, revoked_on=timezone.localdate())

    response = client.get(LIST)

    assert response.status_code == 200
    assert names_listed(response) == [valid.name, revoked.name]
    html = response.content.decode()
    assert "已撤销" in html
    assert reverse("portal:base-detail", args=[revoked.public_id]) in html


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"base_type": "zone"}, {2}),
        ({"level": "county"}, {3}),
        ({"county": "柯桥区"}, {2}),
        ({"industry": "纺织"}, {2}),
        ({"year": "2024"}, {4}),
        ({"status": "revoked"}, {3}),
        ({"q": "单位2有限"}, {2}),
        ({"q": "〔2024〕5号"}, {4}),
        ({}, {1, 2, 3, 4}),
    ],
)
def test_list_filters_by_type_level_county_industry_year_status_and_search(client, query, expected):
    bases = {
        1: make_base(1),
        2: make_base(2, base_type="zone", county_name="柯桥区", industry_name="纺织"),
        3: make_base(3, level="county", revoked_on=timezone.localdate()),
        4: make_base(4, recognised_on=datetime.date(2024, 6, 1)),
    }

    response = client.get(LIST, query)

    html = response.content.decode()
    assert {i for i, base in bases.items() if f">{base.name}<" in html} == expected


def test_a_wrong_filter_says_so_and_lists_nothing(client):
    make_base(1)

    response = client.get(LIST, {"county": "火星区", "year": "abc"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "筛选条件有误" in html and "公开名录测试单位1有限公司" not in html


def test_list_pages_twenty_bases_a_page(client):
    for i in range(23):
        make_base(i)

    first, second = client.get(LIST), client.get(LIST, {"page": 2})

    assert len(names_listed(first)) == 20 and len(names_listed(second)) == 3
    assert "第 1 / 2 页，共 23 条" in first.content.decode()


def test_base_page_shows_the_public_fields_by_public_id(client):
    base = make_base(1, industry_name="黄酒")

    response = client.get(reverse("portal:base-detail", args=[base.public_id]))

    html = response.content.decode()
    assert response.status_code == 200
    for shown in (base.name, "示范点", "市级", "越城区", "黄酒", base.document_number, "有效"):
        assert shown in html
    assert "撤销日期" not in html


def test_revoked_base_page_gives_the_revocation_date(client):
    day = timezone.localdate() - datetime.timedelta(days=3)
    base = make_base(1, revoked_on=day)

    html = client.get(reverse("portal:base-detail", args=[base.public_id])).content.decode()

    assert "已撤销" in html and f"撤销日期</dt><dd>{day.year}年{day.month}月{day.day}日" in html


def test_base_page_is_not_found_by_database_id_nor_unknown_public_id(client):
    base = make_base(1)

    assert client.get(f"/public/bases/{base.pk}/").status_code == 404
    assert client.get(reverse("portal:base-detail", args=[uuid.uuid4()])).status_code == 404


# --- Nothing private ------------------------------------------------------------------------------------


def xlsx_text(content: bytes) -> str:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(str(cell) for row in workbook.active.iter_rows(values_only=True) for cell in row)


def test_no_public_response_holds_a_private_field(client, city):
    recognised = ApplicationFactory(recognised=True, advance_with={"city_user": city})
    revoked = ApplicationFactory(revoked=True, advance_with={"city_user": city})
    in_publicity = ApplicationFactory(in_publicity=True, advance_with={"city_user": city})
    for application in (recognised, revoked, in_publicity):
        add_evidence(application)
        mark_private_fields(application)
    publicity = in_publicity.publicities.get()
    services.objection_add(
        publicity=publicity,
        application=in_publicity,
        user=city,
        name="异议人卯标记",
        phone="13511112222",
        reasons="异议理由辰标记",
        received_on=publicity.starts_on,
    )
    services.objection_answer(
        objection=in_publicity.objections.get(), user=applicant_of(in_publicity), answer="说明巳标记"
    )
    markers = [
        marker
        for application in (recognised, revoked, in_publicity)
        for marker in markers_of(application)
        if marker  # the base's own name is public
    ] + ["异议人卯标记", "13511112222", "异议理由辰标记", "说明巳标记"]
    bases = [recognised.base, revoked.base]

    bodies = {
        "list": client.get(LIST).content.decode(),
        "list, revoked": client.get(LIST, {"status": "revoked"}).content.decode(),
        **{
            f"base {b.pk}": client.get(reverse("portal:base-detail", args=[b.public_id])).content.decode()
            for b in bases
        },
        "publicities": client.get(reverse("portal:publicity-list")).content.decode(),
        "publicity": client.get(reverse("portal:publicity-detail", args=[publicity.pk])).content.decode(),
        "api": client.get(reverse("portal:api-bases")).content.decode(),
        "csv": client.get(reverse("portal:base-download", args=["csv"])).content.decode("utf-8-sig"),
        "xlsx": xlsx_text(client.get(reverse("portal:base-download", args=["xlsx"])).content),
    }

    leaks = {name: [m for m in markers if m in body] for name, body in bodies.items()}
    assert leaks == {name: [] for name in bodies}
    # and the public fields are there
    assert all(recognised.base.name in bodies[name] for name in ("list", "api", "csv", "xlsx"))
    assert json.loads(bodies["api"])["count"] == 2


def test_the_public_selector_reads_only_the_public_columns():
    make_base(1)

    with CaptureQueriesContext(connection) as captured:
        rows = list(selectors.public_bases())

    assert set(rows[0]) == {"public_id", *(f.name for f in PUBLIC_BASE_FIELDS)}
    selected = captured[0]["sql"].split(" FROM ")[0]
    for private in ("contact", "narrative", "credit_code", "revocation_details", '"bases_base"."id"', "address"):
        assert private not in selected


# --- Downloads ---------------------------------------------------------------------------------------------


def test_csv_and_xlsx_hold_the_filtered_list_with_chinese_headers_and_dates_as_dates(client):
    make_base(1, recognised_on=datetime.date(2026, 5, 8))
    make_base(2, base_type="zone", county_name="柯桥区")
    headers = [f.label for f in PUBLIC_BASE_FIELDS]

    csv_response = client.get(reverse("portal:base-download", args=["csv"]), {"base_type": "point"})
    xlsx_response = client.get(reverse("portal:base-download", args=["xlsx"]), {"base_type": "point"})

    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert lines == [
        ",".join(headers),
        "公开名录测试单位1有限公司,示范点,市级,越城区,高端装备,2026-05-08,绍市监管〔2026〕2号,有效,",
    ]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == headers
    assert rows[1][:6] == (
        "公开名录测试单位1有限公司",
        "示范点",
        "市级",
        "越城区",
        "高端装备",
        datetime.datetime(2026, 5, 8),
    )
    assert len(rows) == 2 and sheet.freeze_panes == "A2"


# --- Queries and the cache ------------------------------------------------------------------------------


@pytest.fixture
def memory_cache(settings):
    """The cache in this process's memory, so that only the database's own queries are counted."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"}}
    cache.clear()


def first_visit(client, url, query, limit, django_assert_max_num_queries) -> int:
    cache.clear()  # nothing kept yet
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url, query, limit",
    [
        # count, page, and the filter bar's years, counties and industries
        (LIST, {}, 5),
        # the same, and the county and industry named in the query looked up
        (LIST, {"county": "越城区", "industry": "纺织", "year": "2026", "q": "单位"}, 7),
        (reverse("portal:api-bases"), {}, 2),
        (reverse("portal:api-bases"), {"county": "越城区", "base_type": "point", "page_size": "50"}, 3),
        (reverse("portal:base-download", args=["xlsx"]), {}, 1),
    ],
)
def test_public_list_api_and_download_make_as_many_queries_for_40_bases_as_for_4(
    client, url, query, limit, memory_cache, django_assert_max_num_queries
):
    for i in range(4):
        make_base(i, industry_name="纺织" if i % 2 else "高端装备")
    few = first_visit(client, url, query, limit, django_assert_max_num_queries)
    for i in range(4, 40):
        make_base(i, industry_name="纺织" if i % 2 else "高端装备")

    many = first_visit(client, url, query, limit, django_assert_max_num_queries)

    assert many == few


@pytest.mark.parametrize("url", [LIST, reverse("portal:api-bases"), reverse("portal:base-download", args=["csv"])])
def test_a_kept_page_reads_nothing_from_the_database(client, url, memory_cache, django_assert_num_queries):
    make_base(1)
    client.get(url)

    with django_assert_num_queries(0):
        response = client.get(url)

    assert response.status_code == 200


def test_a_recognition_and_a_revocation_show_at_once_on_the_kept_pages(client, city):
    application = ApplicationFactory(in_publicity=True, advance_with={"city_user": city, "publicity_ended": True})
    assert client.get(LIST).content.decode().count("<tbody>") == 1
    api = reverse("portal:api-bases")
    assert client.get(api).json()["count"] == 0

    services.publicity_recognise(
        publicity=application.publicities.get(),
        user=city,
        document_number=f"绍市监管〔{timezone.localdate().year}〕30号",
        recognised_on=timezone.localdate(),
    )
    base = Base.objects.get(application=application)

    assert base.name in client.get(LIST).content.decode()
    assert client.get(api).json()["results"][0]["status"] == "valid"
    detail = reverse("portal:base-detail", args=[base.public_id])
    assert "有效" in client.get(detail).content.decode()

    case = services.revocation_notice_serve(
        application=application, user=city, ground="other", facts="经查。", served_on=timezone.localdate()
    )
    services.revocation_statement_submit(case=case, user=applicant_of(application), statement="无异议。")
    application.refresh_from_db()
    application_transition(
        application=application,
        action="revoke",
        user=city,
        version=application.version,
        effect_kwargs={
            "reasons": "陈述申辩不能成立。",
            "document_number": f"绍市监管〔{timezone.localdate().year}〕31号",
            "revoked_on": timezone.localdate(),
        },
    )
    assert Base.objects.get(pk=base.pk).status == BaseStatus.REVOKED

    assert client.get(api).json()["results"][0]["status"] == "revoked"
    assert "已撤销" in client.get(detail).content.decode()
    assert "已撤销" in client.get(LIST).content.decode()


def test_home_and_navigation_lead_anonymous_visitors_to_the_public_pages(client):
    html = client.get(reverse("home")).content.decode()

    for url in (LIST, reverse("portal:publicity-list"), reverse("portal:progress-lookup")):
        assert f'href="{url}"' in html


@pytest.mark.parametrize("name", ["home", "conditions"])
def test_the_public_home_and_the_conditions_are_kept_for_visitors_and_rendered_for_a_signed_in_user(
    client, city, memory_cache, name
):
    first, again = client.get(reverse(name)), client.get(reverse(name))

    assert first.status_code == again.status_code == 200
    assert first.templates and not again.templates and again.content == first.content
    client.force_login(city)
    signed_in = client.get(reverse(name))
    assert signed_in.templates and city.display_name in signed_in.content.decode()


def test_a_signed_in_user_gets_the_public_list_with_their_own_header_not_the_visitors_copy(client, city):
    make_base(1)
    visitor = client.get(LIST).content.decode()
    client.force_login(city)

    signed_in = client.get(LIST).content.decode()

    header = f"{city.display_name} · {city.get_role_display()}"
    assert "单位注册" in visitor and header not in visitor
    assert header in signed_in and "公开名录测试单位1有限公司" in signed_in


def test_a_visitor_with_a_message_waiting_sees_it_on_a_kept_page(client, running_publicity):
    publicity, application = running_publicity
    make_base(1)
    client.get(LIST)  # kept for visitors
    client.post(
        reverse("portal:objection-file", args=[publicity.pk]),
        {"application": application.pk, "name": "钱多多", "phone": "13812345678", "reasons": "理由。"},
    )

    html = client.get(LIST).content.decode()

    assert "您的异议已收到" in html
    assert "您的异议已收到" not in client.get(LIST).content.decode()  # shown once, then the kept page


@pytest.mark.parametrize("count", [1, 6])
def test_the_publicity_list_makes_as_many_queries_for_six_publicities_as_for_one(
    client, city, count, django_assert_max_num_queries
):
    for _ in range(count):
        ApplicationFactory(in_publicity=True, advance_with={"city_user": city})

    with django_assert_max_num_queries(3):  # count, page, the listed applications of the page
        response = client.get(reverse("portal:publicity-list"))

    assert len(response.context["rows"]) == count
