"""The spreadsheets the bureaus download, read back with openpyxl: Chinese headers in a frozen row,
column widths, dates as dates, 合计; the application list equal to the list page for the same query;
each scoped as the pages are; named in Chinese (RFC 5987); a download holding personal data recorded
as a security event (who, when, what, how many rows), the others not."""

import datetime
import io
import re
from urllib.parse import quote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from bases.choices import SecurityEventKind
from bases.models import County, SecurityEvent
from bases.spreadsheets import Column, Sheet, xlsx
from targets import services
from tests.factories import (
    ApplicationFactory,
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


def workbook_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def values(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_every_sheet_has_a_frozen_bold_header_widths_dates_as_dates_and_bold_totals():
    book = xlsx(
        Sheet(
            "名单:2024/1",
            [Column("名称", 30), Column("日期", 12), Column("完成率", 9, "0%"), Column("联系人", 10, personal=True)],
            iter([("甲", D(2024, 5, 1), 1.4, "张三"), ("乙", None, None, "")]),
            totals=[("合计", None, 0.75, "")],
        )
    )

    assert (book.rows, book.personal) == (2, True)
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).active
    assert sheet.title == "名单_2024_1"
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == ["名称", "日期", "完成率", "联系人"]
    assert all(c.font.b for c in sheet[1])
    assert sheet.column_dimensions["A"].width == 30
    assert sheet["B2"].is_date and sheet["B2"].value == datetime.datetime(2024, 5, 1)
    assert (sheet["C2"].value, sheet["C2"].number_format) == (1.4, "0%")
    assert [c.value for c in sheet[4]] == ["合计", None, 0.75, None] and sheet["A4"].font.b
    assert sheet.auto_filter.ref == "A1:D3"


# --- 附件1 with what was done -------------------------------------------------------------------------


@pytest.fixture
def figures():
    admin = UserFactory(city_admin=True)
    services.targets_set(
        year=YEAR,
        figures={(c.pk, k): n for c in County.objects.all() for k, n in zip(KINDS, (1, 5, 10, 20), strict=True)},
        user=admin,
    )
    for _ in range(7):
        recognised_base("越城区", recognised_on=D(YEAR, 5, 1))
    recognised_base("越城区", recognised_on=D(YEAR, 5, 1), revoked_on=D(YEAR, 9, 1))
    provincial = recognised_base("柯桥区", recognised_on=D(YEAR - 1, 5, 1))
    upward_outcome(provincial, recommended_on=D(YEAR, 1, 1), outcome_on=D(YEAR, 3, 1))
    recognised_base("柯桥区", level="county", recognised_on=D(YEAR, 2, 1))
    standard_enterprise("越城区", year=YEAR)


KINDS = ("provincial", "city", "county", "enterprises")
ANNEX_HEADER = [
    "区、县（市）",
    *("省级任务数", "省级完成数", "省级完成率", "省级已撤销（不计入）"),
    *("市级任务数", "市级完成数", "市级完成率", "市级已撤销（不计入）"),
    *("县级任务数", "县级完成数", "县级完成率", "县级已撤销（不计入）"),
    *("贯标企业任务数", "贯标企业完成数", "贯标企业完成率"),
]


def test_the_annex_1_table_has_the_counties_as_rows_and_a_total(client, figures):
    client.force_login(UserFactory(city_reviewer=True))

    response = client.get(reverse("targets:annex-export") + f"?year={YEAR}")

    sheet = workbook_of(response).active
    rows = values(sheet)
    assert sheet.title == f"{YEAR}年建设任务完成情况" and sheet.freeze_panes == "A2"
    assert rows[0] == ANNEX_HEADER
    assert rows[1] == ["越城区", 1, 0, 0, 0, 5, 7, 1.4, 1, 10, 0, 0, 0, 20, 1, 0.05]
    assert rows[2] == ["柯桥区", 1, 1, 1, 0, 5, 0, 0, 0, 10, 1, 0.1, 0, 20, 0, 0]
    assert [row[0] for row in rows[1:7]] == ["越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县"]
    assert rows[7][0] == "合计"
    assert rows[7][1:] == pytest.approx([6, 1, 1 / 6, 0, 30, 7, 7 / 30, 1, 60, 1, 1 / 60, 0, 120, 1, 1 / 120])
    assert sheet["H2"].number_format == "0%" and sheet["A8"].font.b
    assert (
        "filename*=UTF-8''" + quote(f"{YEAR}年各区、县（市）商业秘密保护基地建设任务完成情况.xlsx")
        in (response["Content-Disposition"])
    )
    assert response["Content-Disposition"].startswith(f'attachment; filename="annex1-{YEAR}.xlsx"; ')
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.PERSONAL_DATA_EXPORTED).exists()


def test_a_county_s_staff_downloads_its_own_row_without_a_total(client, figures):
    client.force_login(UserFactory(county_staff=True, county=county("柯桥区")))

    rows = values(workbook_of(client.get(reverse("targets:annex-export") + f"?year={YEAR}")).active)

    assert rows == [ANNEX_HEADER, ["柯桥区", 1, 1, 1, 0, 5, 0, 0, 0, 10, 1, 0.1, 0, 20, 0, 0]]


def test_a_county_s_yearly_summary_has_its_figures_and_its_bases_with_dates(client, figures):
    client.force_login(UserFactory(county_staff=True, county=county("越城区")))

    response = client.get(reverse("targets:county-summary-export", args=[county("越城区").pk]) + f"?year={YEAR}")

    book = workbook_of(response)
    assert book.sheetnames == ["年度汇总", "认定与撤销的基地"]
    summary = {row[0]: row[1] for row in values(book["年度汇总"])[1:]}
    assert summary["市级基地：任务数"] == 5
    assert summary["市级基地：完成数"] == 7
    assert summary["贯标企业：完成数"] == 1
    assert summary["撤销认定"] == 1
    assert {name for name in summary if name.startswith("申报：")} >= {"申报：草稿", "申报：已认定", "申报：已撤销"}
    bases = book["认定与撤销的基地"]
    assert bases.freeze_panes == "A2" and len(values(bases)) == 1 + 8
    revoked = next(row for row in bases.iter_rows(min_row=2) if row[6].value is not None)
    assert revoked[4].is_date and revoked[6].is_date
    assert revoked[6].value == datetime.datetime(YEAR, 9, 1)
    assert response["Content-Disposition"].startswith(f'attachment; filename="summary-330602-{YEAR}.xlsx"; ')
    # another county's summary is out of scope, as any object
    other = client.get(reverse("targets:county-summary-export", args=[county("柯桥区").pk]) + f"?year={YEAR}")
    assert other.status_code == 404


# --- The application list, as on screen ---------------------------------------------------------------


def listed_references(client, query: str) -> list[str]:
    """The references the list page shows for the query, every page of it, in order."""
    found, page = [], 1
    while True:
        html = client.get(reverse("bases:application-list") + f"?{query}&page={page}").content.decode()
        found += re.findall(r'<td><a href="/applications/\d+/">([^<]+)</a></td>', html)
        if 'rel="next"' not in html:
            return found
        page += 1


@pytest.mark.parametrize(
    "query",
    ["", "state=submitted", "county={yc}", "q=越城", "level=city&base_type=point&state=draft", "state=nonsense"],
)
def test_the_export_holds_exactly_the_applications_the_list_shows(client, query):
    yc, kq = county("越城区"), county("柯桥区")
    for i in range(13):
        ApplicationFactory(organisation=OrganisationFactory(county=yc, name=f"绍兴越城测试{i}有限公司"))
        ApplicationFactory(organisation=OrganisationFactory(county=kq), submitted=bool(i % 2))
    query = query.format(yc=yc.pk)
    client.force_login(UserFactory(city_reviewer=True))

    sheet = workbook_of(client.get(reverse("bases:application-export") + f"?{query}")).active

    exported = [row[0] for row in values(sheet)[1:]]
    assert exported == listed_references(client, query)
    assert exported


def test_the_application_export_has_its_columns_dates_as_dates_and_current_states(client):
    application = ApplicationFactory(submitted=True, contact_name="李小红", contact_phone="13905751234")
    client.force_login(UserFactory(city_reviewer=True))

    sheet = workbook_of(client.get(reverse("bases:application-export"))).active

    header, row = values(sheet)
    assert header == [
        "申报编号",
        "单位名称",
        "统一社会信用代码",
        "基地类型",
        "申报级别",
        "所在区、县（市）",
        "所属行业",
        "批次年度",
        "当前状态",
        "当前办理",
        "提交日期",
        "更新时间",
        "联系人",
        "联系电话",
    ]
    organisation = application.organisation
    today = timezone.localdate()
    assert row[:10] == [
        application.reference,
        organisation.name,
        organisation.credit_code,
        "示范点",
        "市级",
        "越城区",
        "高端装备",
        application.batch.year,
        "已申报",
        "所在地县局",
    ]
    assert sheet["K2"].is_date and row[10] == datetime.datetime(today.year, today.month, today.day)
    assert sheet["L2"].is_date and row[11].date() == timezone.localtime(application.updated_at).date()
    assert row[12:] == ["李小红", "13905751234"]
    assert sheet.freeze_panes == "A2"


def test_a_county_s_staff_exports_only_its_county(client):
    mine = ApplicationFactory(organisation=OrganisationFactory(county=county("越城区")))
    ApplicationFactory(organisation=OrganisationFactory(county=county("柯桥区")))
    client.force_login(UserFactory(county_staff=True, county=county("越城区")))

    everything = workbook_of(client.get(reverse("bases:application-export")))
    asked_for_another = workbook_of(client.get(reverse("bases:application-export") + f"?county={county('柯桥区').pk}"))

    assert [row[0] for row in values(everything.active)[1:]] == [mine.reference]
    assert values(asked_for_another.active)[1:] == []


def test_an_export_holding_personal_data_is_recorded_with_who_what_and_how_many_rows(client):
    for _ in range(3):
        ApplicationFactory(submitted=True)
    ApplicationFactory()
    clerk = UserFactory(city_reviewer=True, username="export_clerk")
    client.force_login(clerk)

    client.get(reverse("bases:application-export") + "?state=submitted", REMOTE_ADDR="10.1.2.3")

    event = SecurityEvent.objects.get(kind=SecurityEventKind.PERSONAL_DATA_EXPORTED)
    assert (event.username, event.actor, event.ip_address) == ("export_clerk", clerk, "10.1.2.3")
    assert event.detail == "申报列表（状态：已申报），共3行"
    assert timezone.now() - event.created_at < datetime.timedelta(minutes=1)


def test_downloads_without_personal_data_are_not_recorded(client, figures):
    client.force_login(UserFactory(city_reviewer=True))

    client.get(reverse("targets:annex-export") + f"?year={YEAR}")
    client.get(reverse("targets:county-summary-export", args=[county().pk]) + f"?year={YEAR}")
    client.get(reverse("reviews:base-export"))

    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.PERSONAL_DATA_EXPORTED).exists()


def test_applicants_export_nothing(client):
    application = ApplicationFactory()
    client.force_login(application.created_by)

    assert client.get(reverse("bases:application-export")).status_code == 403
    assert client.get(reverse("reviews:base-export")).status_code == 403


# --- The register of recognised bases --------------------------------------------------------------------


def test_the_base_register_has_revoked_bases_with_their_dates_and_upward_outcomes(client):
    valid = recognised_base("越城区", recognised_on=D(YEAR, 5, 1))
    upward_outcome(valid, recommended_on=D(YEAR, 6, 1), outcome_on=D(YEAR, 9, 1))
    recognised_base("越城区", recognised_on=D(YEAR, 4, 1), revoked_on=D(YEAR, 10, 8))
    recognised_base("柯桥区", recognised_on=D(YEAR, 3, 1))
    client.force_login(UserFactory(county_staff=True, county=county("越城区")))

    response = client.get(reverse("reviews:base-export"))

    sheet = workbook_of(response).active
    rows = values(sheet)
    assert rows[0][:10] == [
        "基地名称",
        "统一社会信用代码",
        "基地类型",
        "级别",
        "所在区、县（市）",
        "所属行业",
        "认定年度",
        "认定文号",
        "认定日期",
        "状态",
    ]
    assert [row[4] for row in rows[1:]] == ["越城区", "越城区"]
    first, second = rows[1:]
    assert first[8] == datetime.datetime(YEAR, 5, 1) and first[9] == "有效" and first[10] is None
    assert first[12] == f"省级：已获评（{YEAR}年9月1日）"
    assert second[9] == "已撤销" and second[10] == datetime.datetime(YEAR, 10, 8) and sheet["K3"].is_date
    assert "filename*=UTF-8''" + quote("商业秘密保护基地名册-") in response["Content-Disposition"]
