"""Open data: GET /api/v1/bases/ (shape, filters, pages), its OpenAPI schema and documentation page,
and schemathesis fuzzing the API against its own schema."""

import datetime
import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bases.public_fields import PUBLIC_BASE_FIELDS

from .conftest import make_base

pytestmark = pytest.mark.django_db

API = reverse("portal:api-bases")
FIELDS = [field.name for field in PUBLIC_BASE_FIELDS]


def test_api_answers_count_next_previous_results_with_the_public_fields(client):
    base = make_base(1, recognised_on=datetime.date(2026, 5, 8), industry_name="黄酒")

    response = client.get(API)

    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "name": base.name,
                "base_type": "point",
                "level": "city",
                "county": "越城区",
                "industry": "黄酒",
                "recognised_on": "2026-05-08",
                "document_number": base.document_number,
                "status": "valid",
                "revoked_on": None,
            }
        ],
    }
    assert list(response.json()["results"][0]) == FIELDS


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"base_type": "zone"}, {2}),
        ({"level": "county"}, {3}),
        ({"county": "柯桥区"}, {2}),
        ({"industry": "纺织"}, {2}),
        ({"year": "2024"}, {4}),
        ({"status": "revoked"}, {3}),
        ({"name": "单位2有限"}, {2}),
        ({"q": "〔2024〕5号"}, {4}),
        ({"recognised_on": "2024-06-01"}, {4}),
        ({"document_number": "绍市监管〔2024〕5号"}, {4}),
        ({"base_type": "point", "status": "valid"}, {1, 4}),
        ({}, {1, 2, 3, 4}),
    ],
)
def test_api_filters_by_each_public_field(client, query, expected):
    bases = {
        1: make_base(1),
        2: make_base(2, base_type="zone", county_name="柯桥区", industry_name="纺织"),
        3: make_base(3, level="county", revoked_on=timezone.localdate()),
        4: make_base(4, recognised_on=datetime.date(2024, 6, 1)),
    }

    results = client.get(API, query).json()["results"]

    assert {i for i, base in bases.items() if base.name in {r["name"] for r in results}} == expected


@pytest.mark.parametrize(
    "query", [{"base_type": "castle"}, {"year": "1e309"}, {"year": "2020"}, {"recognised_on": "2026-13-40"}]
)
def test_api_refuses_a_wrong_filter_with_400(client, query):
    response = client.get(API, query)

    assert response.status_code == 400
    assert list(response.json()) == list(query)


def test_a_county_or_industry_no_base_has_finds_nothing(client):
    make_base(1)

    assert client.get(API, {"county": "火星区"}).json()["count"] == 0
    assert client.get(API, {"industry": "航天"}).json()["count"] == 0


def test_api_pages_with_links_to_the_next_and_previous(client):
    for i in range(25):
        make_base(i)

    first = client.get(API).json()
    second = client.get(API, {"page": 2}).json()
    small = client.get(API, {"page_size": 10, "page": 3}).json()

    assert (first["count"], len(first["results"]), first["previous"]) == (25, 20, None)
    assert first["next"] == "http://testserver/api/v1/bases/?page=2"
    assert (len(second["results"]), second["next"]) == (5, None)
    assert second["previous"] == "http://testserver/api/v1/bases/"
    assert len(small["results"]) == 5
    assert client.get(API, {"page": 9}).status_code == 404


def test_schema_documents_the_endpoint_its_filters_and_fields(client):
    schema = client.get(reverse("portal:api-schema"), {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/bases/"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {
        "q",
        "name",
        "base_type",
        "level",
        "county",
        "industry",
        "year",
        "recognised_on",
        "document_number",
        "status",
        "page",
        "page_size",
    }
    page = schema["components"]["schemas"]["PaginatedPublicBaseList"]
    assert set(page["properties"]) == {"count", "next", "previous", "results"}
    assert list(schema["components"]["schemas"]["PublicBase"]["properties"]) == FIELDS
    assert list(schema["paths"]) == ["/api/v1/bases/"]


def test_documentation_page_is_served_from_this_site_without_inline_script_or_style(client):
    response = client.get(reverse("portal:api-docs"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<style" not in html and " style=" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert all(src.startswith("/") for src in re.findall(r'(?:src|href)="([^"]+)"', html) if "://" in src or src)
    script = re.findall(r'<script src="([^"]+)"', html)[-1]
    init = client.get(script.replace("&amp;", "&"))
    assert init.status_code == 200 and "SwaggerUIBundle" in init.content.decode()


# --- schemathesis: the API against its own schema --------------------------------------------------------


@pytest.fixture
def connection_kept():
    """schemathesis calls the WSGI application itself, whose end of request would close the test's
    database connection (with the test's transaction): kept open as Django's own test client does."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def test_generated_requests_against_the_schema_never_get_a_server_error_and_conform_to_it(connection_kept):
    for i in range(6):
        make_base(i, revoked_on=timezone.localdate() if i == 3 else None)
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
    operation = schema["/api/v1/bases/"]["GET"]

    @settings(
        max_examples=150,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), positive=st.booleans())
    def call(case, positive):
        response = case.call()
        assert response.status_code < 500, (case.query, response.status_code)
        case.validate_response(response)

    call()
