"""What counts as done (targets.selectors.actuals, defined once and shown on the page), the dashboard
a county's staff and the city read, its charts (SVG images within the Content-Security-Policy, each
with its table) and its cost (a constant number of queries)."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bases import states
from reviews import services as review_services
from reviews.models import GuidanceVisit
from targets import selectors, services
from targets.selectors import Cell, Tally
from tests.factories import (
    ApplicationFactory,
    BatchFactory,
    OrganisationFactory,
    UserFactory,
    county,
    recognised_base,
    standard_enterprise,
    upward_outcome,
)

pytestmark = pytest.mark.django_db

D = datetime.date
YEAR = 2024


def ids(*names):
    return [county(name).pk for name in names]


# --- What counts ----------------------------------------------------------------------------------


def test_city_and_county_level_bases_count_in_the_year_of_their_recognition():
    yc, kq = county("越城区").pk, county("柯桥区").pk
    recognised_base("越城区", recognised_on=D(YEAR - 1, 12, 31))
    recognised_base("越城区", recognised_on=D(YEAR, 1, 1))
    recognised_base("越城区", recognised_on=D(YEAR, 12, 31))
    recognised_base("越城区", level="county", recognised_on=D(YEAR, 6, 1))
    recognised_base("柯桥区", recognised_on=D(YEAR, 6, 1))
    recognised_base("上虞区", recognised_on=D(YEAR, 6, 1))  # outside the counties asked about

    found = selectors.actuals(ids("越城区", "柯桥区"), YEAR, YEAR)

    assert found == {
        (YEAR, yc, "city"): Tally(done=2),
        (YEAR, yc, "county"): Tally(done=1),
        (YEAR, kq, "city"): Tally(done=1),
    }


def test_a_base_revoked_since_is_counted_apart_not_as_done():
    yc = county("越城区").pk
    recognised_base("越城区", recognised_on=D(YEAR, 3, 1))
    recognised_base("越城区", recognised_on=D(YEAR, 3, 1), revoked_on=D(YEAR + 1, 2, 1))

    assert selectors.actuals([yc], YEAR, YEAR) == {(YEAR, yc, "city"): Tally(done=1, revoked=1)}


def test_provincial_ones_count_by_an_approved_upward_outcome_in_the_year_once_per_base():
    yc = county("越城区").pk
    counted = recognised_base("越城区", recognised_on=D(YEAR - 1, 5, 1))
    # recommended the year before, recognised by the province this year: this year
    upward_outcome(counted, recommended_on=D(YEAR - 1, 9, 1), outcome_on=D(YEAR, 3, 1))
    twice = recognised_base("越城区", recognised_on=D(YEAR - 1, 5, 1))
    upward_outcome(twice, recommended_on=D(YEAR, 1, 1), outcome_on=D(YEAR, 2, 1))
    upward_outcome(twice, recommended_on=D(YEAR, 3, 1), outcome_on=D(YEAR, 4, 1))
    pending = recognised_base("越城区", recognised_on=D(YEAR - 1, 5, 1))
    upward_outcome(pending, recommended_on=D(YEAR, 1, 1), outcome="pending")
    refused = recognised_base("越城区", recognised_on=D(YEAR - 1, 5, 1))
    upward_outcome(refused, recommended_on=D(YEAR, 1, 1), outcome="not_recognised", outcome_on=D(YEAR, 2, 1))
    national = recognised_base("越城区", recognised_on=D(YEAR - 1, 5, 1))
    upward_outcome(national, level="national", recommended_on=D(YEAR, 1, 1), outcome_on=D(YEAR, 2, 1))
    later = recognised_base("越城区", recognised_on=D(YEAR - 1, 5, 1))
    upward_outcome(later, recommended_on=D(YEAR, 11, 1), outcome_on=D(YEAR + 1, 1, 5))
    revoked = recognised_base("越城区", recognised_on=D(YEAR - 1, 5, 1), revoked_on=D(YEAR, 8, 1))
    upward_outcome(revoked, recommended_on=D(YEAR - 1, 6, 1), outcome_on=D(YEAR, 2, 1))

    found = selectors.actuals([yc], YEAR, YEAR)

    assert found[(YEAR, yc, "provincial")] == Tally(done=2, revoked=1)


def test_standard_enterprises_count_in_the_year_they_are_entered():
    yc, kq = county("越城区").pk, county("柯桥区").pk
    for _ in range(3):
        standard_enterprise("越城区", year=YEAR)
    standard_enterprise("越城区", year=YEAR - 1)
    standard_enterprise("柯桥区", year=YEAR)

    found = selectors.actuals([yc, kq], YEAR, YEAR)

    assert found == {(YEAR, yc, "enterprises"): Tally(done=3), (YEAR, kq, "enterprises"): Tally(done=1)}


def test_an_enterprise_is_counted_once_whoever_enters_it_again():
    clerk = UserFactory(county_staff=True, county=county("柯桥区"))
    first = standard_enterprise("越城区", year=YEAR)

    with pytest.raises(ValidationError, match=f"已于{YEAR}年登记为越城区的贯标企业"):
        services.standard_enterprise_add(
            user=clerk,
            credit_code=first.credit_code.lower(),
            name="另一个名称",
            county=county("柯桥区"),
            year=YEAR + 1,
            practice="own",
        )


def test_percentages_are_shown_as_they_are_above_100_and_not_without_a_target():
    assert Cell("city", target=5, done=7).percent == 140.0
    assert Cell("city", target=3, done=1).percent == 33.3
    assert Cell("city", target=0, done=2).percent is None
    assert Cell("city", target=None, done=2).percent is None


# --- The page -------------------------------------------------------------------------------------


def set_targets(year, counts=(1, 5, 10, 20)):
    admin = UserFactory(city_admin=True)
    figures = {
        (c.pk, kind): n
        for c in selectors.counties()
        for kind, n in zip(("provincial", "city", "county", "enterprises"), counts, strict=True)
    }
    services.targets_set(year=year, figures=figures, user=admin)


@pytest.fixture
def year_of_figures():
    """越城区: 7 city-level bases against 5 (one more revoked), 3 贯标企业 against 20; 柯桥区: 1 base."""
    set_targets(YEAR)
    for _ in range(7):
        recognised_base("越城区", recognised_on=D(YEAR, 5, 1))
    recognised_base("越城区", recognised_on=D(YEAR, 5, 1), revoked_on=D(YEAR, 9, 1))
    recognised_base("柯桥区", recognised_on=D(YEAR, 5, 1))
    for _ in range(3):
        standard_enterprise("越城区", year=YEAR)
    return YEAR


def row_texts(html: str, caption: str) -> list[list[str]]:
    """The cells of the table with that caption, row by row, tags stripped."""
    table = html.split(caption, 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in rows
    ]


def test_the_city_reads_every_county_with_the_total_and_the_definition_of_done(client, year_of_figures):
    client.force_login(UserFactory(city_reviewer=True))

    response = client.get(reverse("targets:dashboard") + f"?year={YEAR}")

    assert response.status_code == 200
    html = response.content.decode()
    rows = row_texts(html, f"{YEAR}年各区、县（市）商业秘密保护基地建设任务完成情况")
    # heading rows, then one row per county (name, then per kind: target, done, %, revoked), then 合计
    assert rows[2] == [
        "越城区",
        "1",
        "0",
        "0%",
        "0",
        "5",
        "7",
        "140%",
        "1",
        "10",
        "0",
        "0%",
        "0",
        "20",
        "3",
        "15%",
        "下载越城区2024年工作汇总（Excel）",
    ]
    assert rows[3][:9] == ["柯桥区", "1", "0", "0%", "0", "5", "1", "20%", "0"]
    assert rows[-1] == [
        "合计",
        "6",
        "0",
        "0%",
        "0",
        "30",
        "8",
        "26.7%",
        "1",
        "60",
        "0",
        "0%",
        "0",
        "120",
        "3",
        "2.5%",
        "",
    ]
    assert [r[0] for r in rows[2:-1]] == ["越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县"]
    for rule in selectors.ACTUAL_RULES.values():
        assert rule in html
    assert selectors.REVOKED_RULE in html


def test_a_county_s_staff_reads_its_own_county_only(client, year_of_figures):
    client.force_login(UserFactory(county_staff=True, county=county("柯桥区")))

    response = client.get(reverse("targets:dashboard") + f"?year={YEAR}")

    board = response.context["board"]
    assert [row.label for row in board.rows] == ["柯桥区"] and board.total is None
    assert [g.county.name for g in board.guidance] == ["柯桥区"]
    html = response.content.decode()
    assert "越城区" not in html.split("<main", 1)[1]
    assert "140%" not in html
    assert board.goals.whole_city is False and "目标为全市目标" in html
    chart = client.get(reverse("targets:chart", args=["completion"]) + f"?year={YEAR}").content.decode()
    assert "柯桥区" in chart and "越城区" not in chart and "合计" not in chart


def test_an_applicant_gets_no_figures(client):
    client.force_login(ApplicationFactory().created_by)

    assert client.get(reverse("targets:dashboard")).status_code == 403
    assert client.get(reverse("targets:chart", args=["funnel"])).status_code == 403
    assert list(selectors.counties_for_user(ApplicationFactory().created_by)) == []


@pytest.mark.parametrize("year", ["abc", "1999", "99999", "2020", ""])
def test_a_year_out_of_range_is_a_400_saying_which_years(client, year):
    client.force_login(UserFactory(city_reviewer=True))

    response = client.get(reverse("targets:dashboard") + f"?year={year}")

    assert response.status_code == 400
    html = response.content.decode()
    assert ("无效：请选择2021年至" in html) or ("请选择年度。" in html)
    assert response.context["board"] is None
    assert client.get(reverse("targets:chart", args=["goals"]) + f"?year={year}").status_code == 400
    assert client.get(reverse("targets:annex-export") + f"?year={year}").status_code == 400


def test_the_funnel_follows_the_state_table_and_counts_the_year_s_batch(client):
    this_year = BatchFactory().year
    older = BatchFactory(year=this_year - 1)
    ApplicationFactory(submitted=True)
    ApplicationFactory(submitted=True)
    ApplicationFactory()
    ApplicationFactory(batch=older, submitted=True)
    client.force_login(UserFactory(city_reviewer=True))

    board = client.get(reverse("targets:dashboard") + f"?year={this_year}").context["board"]

    assert [step.label for step in board.funnel] == [states.label(state) for state in states.STATES]
    assert {step.state: step.count for step in board.funnel if step.count} == {"submitted": 2, "draft": 1}


def test_guidance_visits_are_counted_per_county(client):
    candidate = ApplicationFactory(cultivation=True, organisation=OrganisationFactory(county=county("新昌县")))
    clerk = UserFactory(county_staff=True, county=county("新昌县"))
    today = timezone.localdate()
    for _ in range(2):
        review_services.guidance_add(
            application=candidate, user=clerk, visited_on=today, officer="俞国平", content="指导"
        )
    client.force_login(UserFactory(city_reviewer=True))

    board = client.get(reverse("targets:dashboard") + f"?year={today.year}").context["board"]

    assert {(g.county.name, g.visits, g.candidates) for g in board.guidance if g.visits} == {("新昌县", 2, 1)}
    assert GuidanceVisit.objects.count() == 2


def test_the_goals_of_the_period_count_from_its_first_year_to_the_year_shown(client):
    recognised_base("越城区", recognised_on=D(2021, 5, 1))
    recognised_base("越城区", recognised_on=D(2023, 5, 1))
    recognised_base("越城区", recognised_on=D(2025, 5, 1))
    recognised_base("越城区", recognised_on=D(2026, 5, 1))  # after 十四五
    client.force_login(UserFactory(city_reviewer=True))

    goals = client.get(reverse("targets:dashboard") + "?year=2023").context["board"].goals
    assert (goals.name, goals.first_year, goals.through) == ("十四五", 2021, 2023)
    assert {cell.kind: (cell.target, cell.done) for cell in goals.cells}["city"] == (150, 2)
    after = client.get(reverse("targets:dashboard") + "?year=2026").context["board"].goals
    assert after.through == 2025
    assert {cell.kind: (cell.target, cell.done) for cell in after.cells}["city"] == (150, 3)


# --- Charts ------------------------------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("name", ["completion", "goals", "funnel", "guidance"])
def test_each_chart_is_an_svg_image_without_script_or_style(client, year_of_figures, name):
    client.force_login(UserFactory(city_reviewer=True))

    response = client.get(reverse("targets:chart", args=[name]) + f"?year={YEAR}")

    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{SVG}svg"
    elements = list(root.iter())
    assert not [e for e in elements if e.tag in (f"{SVG}script", f"{SVG}style", f"{SVG}foreignObject")]
    assert not [e for e in elements if "style" in e.attrib or any(a.startswith("on") for a in e.attrib)]
    assert root.find(f"{SVG}title").text.startswith(f"{YEAR}年")
    texts = [e.text for e in elements if e.tag == f"{SVG}text"]
    if name == "completion":
        assert "7 / 5（140%）" in texts and "越城区" in texts and "合计" in texts
    page = client.get(reverse("targets:dashboard") + f"?year={YEAR}").content.decode()
    assert f'<img src="/statistics/charts/{name}.svg?year={YEAR}" alt="条形图：' in page


def test_an_unknown_chart_is_not_found(client):
    client.force_login(UserFactory(city_reviewer=True))
    assert client.get(reverse("targets:chart", args=["pie"])).status_code == 404


# --- Cost --------------------------------------------------------------------------------------------


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("viewer", ["city", "county"])
def test_the_dashboard_runs_a_constant_number_of_queries(client, django_assert_max_num_queries, viewer):
    user = UserFactory(city_reviewer=True) if viewer == "city" else UserFactory(county_staff=True, county=county())
    client.force_login(user)
    url = reverse("targets:dashboard") + f"?year={YEAR}"
    client.get(url)  # the session
    set_targets(YEAR)
    recognised_base("越城区", recognised_on=D(YEAR, 5, 1))
    standard_enterprise("越城区", year=YEAR)
    with django_assert_max_num_queries(20):
        few = queries(client, url)
    for name in ("越城区", "柯桥区", "上虞区", "新昌县") * 5:
        base = recognised_base(name, recognised_on=D(YEAR, 6, 1))
        upward_outcome(base, recommended_on=D(YEAR, 7, 1), outcome_on=D(YEAR, 8, 1))
        standard_enterprise(name, year=YEAR)
        ApplicationFactory(organisation=OrganisationFactory(county=county(name)))

    with django_assert_max_num_queries(few):
        many = queries(client, url)

    assert many == few
    # Asked again before anything changes: the figures come from the cache.
    with django_assert_max_num_queries(few - 8):
        queries(client, url)
