"""第十四条 and 第十六条: the yearly report of a recognised base (deadline, the 轮训 rule of a 示范点,
the county's review, the one resubmission, the two-year rule and a 第十五条 ground opening the
revocation procedure, reminders, scoping) and the incentives and services recorded per base."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from bases.choices import BaseType, State
from bases.models import AppendOnlyError, Base
from reviews import selectors, services
from reviews.choices import NotificationKind, ReportStatus, RevocationStatus, ServiceKind, SupportKind
from reviews.models import LiaisonDesignation, Notification, YearlyReport, YearlyReportDeadline, YearlyReportLog
from targets.selectors import county_summary
from tests.factories import (
    ApplicationFactory,
    OrganisationFactory,
    UserFactory,
    applicant_of,
    county,
    county_clerk,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_YEAR = TODAY.year - 1
FILLED = {
    "work_plan": "完成年度计划。",
    "trainings": "举办培训两次。",
    "all_staff_trainings": 1,
    "services": "为会员企业提供咨询。",
    "infringements": "无",
    "changes": "",
}


def recognised_base(county_name="越城区", base_type=BaseType.POINT, recognised_on=None) -> Base:
    city = UserFactory(city_reviewer=True)
    application = ApplicationFactory(
        complete=True,
        base_type=base_type,
        organisation=OrganisationFactory(county=county(county_name)),
        advanced_to=State.RECOGNISED,
        advance_with={"city_user": city},
    )
    base = application.base
    # Recognised two years before last year, so that it reports on two past years.
    Base.objects.filter(pk=base.pk).update(recognised_on=recognised_on or datetime.date(LAST_YEAR - 1, 5, 1))
    base.refresh_from_db()
    base.city = city
    return base


@pytest.fixture
def base():
    return recognised_base()


def submitted(base, year=LAST_YEAR, **changes) -> YearlyReport:
    user = applicant_of(base.application)
    report = services.yearly_report_start(base=base, user=user, year=year)
    return services.yearly_report_save(
        report=report, user=user, version=report.version, data={**FILLED, **changes}, submit=True
    )


def review(report, outcome, **kwargs) -> YearlyReport:
    return services.yearly_report_review(
        report=report,
        user=county_clerk(report.base.organisation.county),
        version=report.version,
        outcome=outcome,
        **kwargs,
    )


def rectify(report) -> YearlyReport:
    return review(
        report,
        "rectify",
        reasons="培训记录不全。",
        fix_items=["补充培训签到表", "补充服务台账"],
        rectify_due=TODAY + datetime.timedelta(days=30),
    )


def test_deadline_is_31_january_of_the_next_year_unless_the_city_sets_another():
    assert selectors.yearly_report_deadline(2024) == datetime.date(2025, 1, 31)
    YearlyReportDeadline.objects.create(year=2024, deadline=datetime.date(2025, 2, 28))
    assert selectors.yearly_report_deadline(2024) == datetime.date(2025, 2, 28)


def test_deadline_in_its_own_year_is_refused():
    row = YearlyReportDeadline(year=2024, deadline=datetime.date(2024, 12, 31))
    with pytest.raises(ValidationError):
        row.full_clean()


def test_report_on_a_year_before_recognition_or_this_year_is_refused(base):
    user = applicant_of(base.application)
    for year in (LAST_YEAR - 2, TODAY.year):
        with pytest.raises(ValidationError):
            services.yearly_report_start(base=base, user=user, year=year)


def test_point_without_all_staff_training_cannot_submit(base):
    with pytest.raises(ValidationError) as error:
        submitted(base, all_staff_trainings=0)
    assert "第十条（三）" in str(error.value.message_dict["all_staff_trainings"])
    assert YearlyReport.objects.get(base=base).status == ReportStatus.DRAFT


def test_station_without_all_staff_training_may_submit():
    station = recognised_base(base_type=BaseType.STATION)
    assert submitted(station, all_staff_trainings=0).status == ReportStatus.SUBMITTED


def test_submit_then_pass_is_logged_with_who_and_the_county_is_told(base):
    report = submitted(base)
    clerk = county_clerk(base.organisation.county)
    assert Notification.objects.filter(user=clerk, kind=NotificationKind.YEARLY_REPORT).count() == 1
    report = review(report, "passed")
    assert report.status == ReportStatus.PASSED
    log = list(YearlyReportLog.objects.filter(report=report).values_list("from_status", "to_status", "actor"))
    assert log == [
        ("", ReportStatus.DRAFT, applicant_of(base.application).pk),
        (ReportStatus.DRAFT, ReportStatus.SUBMITTED, applicant_of(base.application).pk),
        (ReportStatus.SUBMITTED, ReportStatus.PASSED, clerk.pk),
    ]


def test_report_log_is_append_only(base):
    entry = YearlyReportLog.objects.filter(report=submitted(base)).first()
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        YearlyReportLog.objects.all().delete()


def test_double_submit_changes_nothing_and_a_stale_version_is_refused(base):
    user = applicant_of(base.application)
    report = services.yearly_report_start(base=base, user=user, year=LAST_YEAR)
    first = services.yearly_report_save(report=report, user=user, version=1, data=FILLED, submit=True)
    again = services.yearly_report_save(report=report, user=user, version=1, data=FILLED, submit=True)
    assert (again.version, again.status) == (first.version, ReportStatus.SUBMITTED)
    assert YearlyReportLog.objects.filter(report=report).count() == 2
    draft = services.yearly_report_start(base=base, user=user, year=LAST_YEAR - 1)
    services.yearly_report_save(report=draft, user=user, version=1, data={"work_plan": "甲"})
    with pytest.raises(ValidationError):
        services.yearly_report_save(report=draft, user=user, version=1, data={"work_plan": "乙"})
    draft.refresh_from_db()
    assert draft.work_plan == "甲"


def test_rectify_needs_reasons_and_a_list_of_what_to_fix(base):
    report = submitted(base)
    with pytest.raises(ValidationError) as error:
        review(report, "rectify", reasons="不全。", rectify_due=TODAY + datetime.timedelta(days=10))
    assert "fix_items" in error.value.message_dict
    with pytest.raises(ValidationError):
        review(
            report, "rectify", reasons="不全。", fix_items=["补充"], rectify_due=TODAY + datetime.timedelta(days=365)
        )


def test_rectified_report_resubmits_once_then_passes_or_fails_only(base):
    report = rectify(submitted(base))
    assert report.status == ReportStatus.RECTIFY
    assert report.fix_items == ["补充培训签到表", "补充服务台账"]
    user = applicant_of(base.application)
    report = services.yearly_report_save(
        report=report, user=user, version=report.version, data={"trainings": "补充了签到表。"}, submit=True
    )
    assert (report.status, report.resubmitted) == (ReportStatus.RESUBMITTED, True)
    with pytest.raises(ValidationError) as error:
        rectify(report)
    assert "outcome" in error.value.message_dict
    report = review(report, "failed", reasons="仍未补齐。")
    assert report.status == ReportStatus.FAILED
    with pytest.raises(ValidationError):
        services.yearly_report_save(report=report, user=user, version=report.version, data=FILLED, submit=True)


def test_a_resubmission_is_late_only_after_its_rectify_due_date_not_the_years_deadline(base):
    report = rectify(submitted(base))  # last year's report: its deadline (31 January) has passed
    user = applicant_of(base.application)
    report = services.yearly_report_save(
        report=report, user=user, version=report.version, data={"trainings": "补充了签到表。"}, submit=True
    )
    assert report.log.last().reason == ""
    other = rectify(submitted(recognised_base(county_name="柯桥区")))
    with time_machine.travel(other.rectify_due + datetime.timedelta(days=1)):
        other = services.yearly_report_save(
            report=other, user=applicant_of(other.base.application), version=other.version, data={}, submit=True
        )
    assert other.log.last().reason == "逾期提交"


def test_first_submission_cannot_be_failed_outright(base):
    with pytest.raises(ValidationError):
        review(submitted(base), "failed", reasons="差。")


def test_rectify_not_resubmitted_by_its_due_date_fails_by_the_daily_job(base):
    report = rectify(submitted(base))
    assert services.yearly_reports_rectify_expire(today=report.rectify_due) == 0
    assert services.yearly_reports_rectify_expire(today=report.rectify_due + datetime.timedelta(days=1)) == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert YearlyReportLog.objects.filter(report=report).last().reason == "整改期限届满未重新提交"


def fail(report):
    report = rectify(report)
    user = applicant_of(report.base.application)
    report = services.yearly_report_save(report=report, user=user, version=report.version, data={}, submit=True)
    return review(report, "failed", reasons="仍不合格。")


def test_second_failed_year_in_a_row_is_flagged_and_the_city_opens_revocation_with_the_report(base):
    # The year before last was never reported on (overdue): failing last year makes two in a row.
    report = fail(submitted(base))
    flags = selectors.yearly_report_flags(base.city, today=TODAY)
    assert {(f.base.pk, f.year, f.reason) for f in flags} == {
        (base.pk, LAST_YEAR - 1, "逾期未报送"),
        (base.pk, LAST_YEAR, "审核不合格"),
    }
    assert Notification.objects.filter(user=base.city, key=f"yearly-revocation-due:{report.pk}").exists()
    with pytest.raises(PermissionDenied):  # a city-level base: the county is not the authority
        services.yearly_report_revocation_open(
            report=report, user=county_clerk(base.organisation.county), served_on=TODAY
        )
    case = services.yearly_report_revocation_open(report=report, user=base.city, served_on=TODAY)
    assert (case.status, case.ground, case.application) == (RevocationStatus.OPEN, "other", base.application)
    assert f"编号{report.pk}" in case.facts
    report.refresh_from_db()
    assert report.revocation_case == case
    assert services.yearly_report_revocation_ground(report) == ""


def test_one_failed_year_after_a_passed_one_opens_nothing(base):
    review(submitted(base, year=LAST_YEAR - 1), "passed")
    report = fail(submitted(base))
    assert services.yearly_report_revocation_ground(report) == ""
    with pytest.raises(ValidationError):
        services.yearly_report_revocation_open(report=report, user=base.city, served_on=TODAY)


def test_a_ground_of_article_15_found_in_a_passed_report_makes_revocation_due(base):
    report = review(submitted(base), "passed", revocation_ground="infringement", reasons="侵权未维权。")
    assert services.yearly_report_revocation_ground(report) == "infringement"
    case = services.yearly_report_revocation_open(report=report, user=base.city, served_on=TODAY)
    assert case.ground == "infringement"


def test_reminders_30_and_7_days_before_the_deadline_once_each(base):
    other = recognised_base()
    submitted(other)
    deadline = TODAY + datetime.timedelta(days=30)
    YearlyReportDeadline.objects.create(year=LAST_YEAR, deadline=deadline)
    user = applicant_of(base.application)

    def keys():
        return set(Notification.objects.filter(kind=NotificationKind.DEADLINE).values_list("user", "key"))

    assert services.yearly_report_reminders_send(today=TODAY - datetime.timedelta(days=1)) == 0
    assert services.yearly_report_reminders_send(today=TODAY) == 1
    assert services.yearly_report_reminders_send(today=TODAY + datetime.timedelta(days=1)) == 0
    assert services.yearly_report_reminders_send(today=deadline - datetime.timedelta(days=7)) == 1
    assert services.yearly_report_reminders_send(today=deadline - datetime.timedelta(days=6)) == 0
    assert keys() == {
        (user.pk, f"yearly-remind:{base.pk}:{LAST_YEAR}:30"),
        (user.pk, f"yearly-remind:{base.pk}:{LAST_YEAR}:7"),
    }


def test_the_daily_job_sends_the_yearly_reminders_once(base):
    YearlyReportDeadline.objects.create(year=LAST_YEAR, deadline=TODAY + datetime.timedelta(days=7))
    assert services.daily_housekeeping_run(today=TODAY)["yearly_report_reminders"] == 1
    assert services.daily_housekeeping_run(today=TODAY)["yearly_report_reminders"] == 0
    assert Notification.objects.filter(key=f"yearly-remind:{base.pk}:{LAST_YEAR}:7").count() == 1


def test_revoked_bases_are_neither_reminded_nor_flagged(base):
    Base.objects.filter(pk=base.pk).update(status="revoked")
    YearlyReportDeadline.objects.create(year=LAST_YEAR, deadline=TODAY + datetime.timedelta(days=7))
    assert services.yearly_report_reminders_send(today=TODAY) == 0
    assert selectors.yearly_report_flags(UserFactory(city_reviewer=True), today=TODAY) == []


def test_reports_are_scoped_to_the_county_and_the_organisation(base, client):
    report = submitted(base)
    elsewhere = submitted(recognised_base("柯桥区"))
    clerk = county_clerk(base.organisation.county)
    assert set(selectors.yearly_reports_for_user(clerk)) == {report}
    assert set(selectors.yearly_reports_for_user(applicant_of(base.application))) == {report}
    assert set(selectors.yearly_reports_for_user(base.city)) == {report, elsewhere}
    client.force_login(county_clerk(county("柯桥区")))
    assert client.get(reverse("reviews:yearly-report", args=[base.pk, LAST_YEAR])).status_code == 404
    assert client.post(reverse("reviews:yearly-report-review", args=[report.pk]), {}).status_code == 404
    client.force_login(UserFactory(role="applicant", organisation=OrganisationFactory(county=base.organisation.county)))
    assert client.get(reverse("reviews:yearly-report", args=[base.pk, LAST_YEAR])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.yearly_report_review(report=elsewhere, user=clerk, version=elsewhere.version, outcome="passed")


def test_filing_and_reviewing_through_the_pages_keeps_input_on_errors(base, client):
    client.force_login(applicant_of(base.application))
    url = reverse("reviews:yearly-report", args=[base.pk, LAST_YEAR])
    response = client.post(url, {**FILLED, "all_staff_trainings": 0, "version": 0, "submit": "1"})
    assert response.status_code == 400
    assert "未开展的不能提交" in response.content.decode() and "完成年度计划。" in response.content.decode()
    assert not YearlyReport.objects.filter(base=base).exists()  # a refused first save keeps nothing
    response = client.post(url, {**FILLED, "version": 0, "submit": "1"})
    assert response.status_code == 302
    report = YearlyReport.objects.get(base=base, year=LAST_YEAR)
    assert report.status == ReportStatus.SUBMITTED
    client.force_login(county_clerk(base.organisation.county))
    review_url = reverse("reviews:yearly-report-review", args=[report.pk])
    response = client.post(review_url, {"outcome": "rectify", "reasons": "缺签到表。", "version": report.version})
    assert response.status_code == 400 and "缺签到表。" in response.content.decode()
    due = (TODAY + datetime.timedelta(days=20)).isoformat()
    response = client.post(
        review_url,
        {
            "outcome": "rectify",
            "reasons": "缺签到表。",
            "fix_items": "补签到表\n补台账",
            "rectify_due": due,
            "version": report.version,
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.fix_items) == (ReportStatus.RECTIFY, ["补签到表", "补台账"])
    page = client.get(reverse("reviews:base-detail", args=[base.pk])).content.decode()
    assert f"{LAST_YEAR}年度" in page and "限期整改" in page


# --- 第十六条 ------------------------------------------------------------------------------------------


def test_support_amount_must_not_be_negative_and_dates_not_in_the_future(base):
    clerk = county_clerk(base.organisation.county)
    with pytest.raises(ValidationError):
        services.base_support_add(
            base=base, user=clerk, kind=SupportKind.FUNDING, year=LAST_YEAR, amount=Decimal("-1"), document="文"
        )
    with pytest.raises(ValidationError):
        services.base_service_add(
            base=base,
            user=clerk,
            kind=ServiceKind.GUIDANCE,
            served_on=TODAY + datetime.timedelta(days=1),
            provider="张",
            content="指导",
        )


def test_support_is_entered_by_the_county_of_the_base_or_the_city_only(base):
    for user in (county_clerk(county("柯桥区")), applicant_of(base.application)):
        with pytest.raises(PermissionDenied):
            services.base_service_add(
                base=base, user=user, kind=ServiceKind.RIGHTS, served_on=TODAY, provider="张", content="维权"
            )
    assert services.base_service_add(
        base=base, user=base.city, kind=ServiceKind.RIGHTS, served_on=TODAY, provider="张", content="维权"
    ).pk


def test_one_current_liaison_per_base_and_ending_keeps_history(base):
    clerk = county_clerk(base.organisation.county)
    first = services.liaison_designate(
        base=base, user=clerk, officer_name="王明", officer_phone="13800000001", since=base.recognised_on
    )
    with pytest.raises(ValidationError):
        services.liaison_designate(base=base, user=clerk, officer_name="李", officer_phone="13800000002", since=TODAY)
    services.liaison_end(item=first, user=clerk, ended_on=TODAY)
    services.liaison_designate(base=base, user=clerk, officer_name="李", officer_phone="13800000002", since=TODAY)
    assert set(LiaisonDesignation.objects.filter(base=base).values_list("officer_name", "ended_on")) == {
        ("王明", TODAY),
        ("李", None),
    }


def test_county_summary_counts_support_and_services_of_its_own_bases(base):
    clerk = county_clerk(base.organisation.county)
    other = recognised_base("柯桥区")
    services.base_support_add(
        base=base,
        user=clerk,
        kind=SupportKind.FUNDING,
        year=TODAY.year,
        amount=Decimal("12.50"),
        document="绍市监〔2026〕1号",
    )
    services.base_support_add(
        base=other, user=other.city, kind=SupportKind.FUNDING, year=TODAY.year, amount=Decimal("9"), document="文"
    )
    services.base_service_add(
        base=base, user=clerk, kind=ServiceKind.EMERGENCY, served_on=TODAY, provider="张", content="应急"
    )
    services.liaison_designate(base=base, user=clerk, officer_name="王", officer_phone="13800000001", since=TODAY)
    lines = {line[0]: line[1:] for line in county_summary(base.city, base.organisation.county, TODAY.year)}
    assert lines["资金扶持（第十六条）"] == (1, f"{TODAY.year}年登记的资金扶持，合计12.50万元")
    assert lines["奖励（第十六条）"][0] == 0
    assert lines["重点企业联系单位"][0] == 1
    assert (lines["服务：应急服务"][0], lines["服务：精准指导"][0], lines["服务：快速维权"][0]) == (1, 0, 0)


def test_support_forms_on_the_base_page_keep_input_on_errors_and_record_on_success(base, client):
    client.force_login(county_clerk(base.organisation.county))
    url = reverse("reviews:base-support-add", args=[base.pk])
    data = {"support-kind": "award", "support-year": LAST_YEAR, "support-amount": "-3", "support-document": "表彰文件"}
    response = client.post(url, data)
    assert response.status_code == 400 and "表彰文件" in response.content.decode()
    response = client.post(url, {**data, "support-amount": "8.5"})
    assert response.status_code == 302
    response = client.post(
        reverse("reviews:base-service-add", args=[base.pk]),
        {
            "service-kind": "guidance",
            "service-served_on": (TODAY + datetime.timedelta(days=1)).isoformat(),
            "service-provider": "县局张三",
            "service-content": "上门指导",
        },
    )
    assert response.status_code == 400 and "县局张三" in response.content.decode()
    page = client.get(reverse("reviews:base-detail", args=[base.pk])).content.decode()
    assert "表彰文件" in page and "8.50" in page


def test_the_bureaus_list_submitted_reports_not_a_bases_draft(base, client):
    """A draft is the base's own until submitted: the county's list shows the submitted report only,
    named with the reviewer's name in Chinese order on the report's history."""
    report = submitted(base)
    other = recognised_base()
    user = applicant_of(other.application)
    services.yearly_report_save(
        report=services.yearly_report_start(base=other, user=user, year=LAST_YEAR),
        user=user,
        version=1,
        data=FILLED,
        submit=False,
    )
    client.force_login(county_clerk(base.organisation.county))
    page = client.get(reverse("reviews:yearly-report-list")).content.decode()
    assert report.base.name in page and other.name not in page and "填报中" not in page
    filer = report.submitted_by
    filer.last_name, filer.first_name = "周", "文涛"
    filer.save()
    history = client.get(reverse("reviews:yearly-report", args=[base.pk, LAST_YEAR])).content.decode()
    assert "周文涛" in history and "文涛 周" not in history


def test_the_citys_flags_come_in_pages_each_read_with_the_same_queries(base, client, monkeypatch):
    """Thousands of bases may be overdue in a year: the list shows a page of them, made from keys
    (two queries for the page's rows), whatever the number flagged; the other table keeps its page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reviews import views

    monkeypatch.setattr(views, "REPORTS_PER_PAGE", 2)
    client.force_login(base.city)
    url = reverse("reviews:yearly-report-list")

    def shown(query=""):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"{url}?{query}").content.decode()
        return page, len(queries)

    shown()  # the session's first request writes it
    first, few = shown()
    flags = selectors.yearly_report_flags(base.city, today=TODAY)
    more = [recognised_base() for _ in range(2)]
    shown()  # the flags found again (they are kept until a base or a report changes)
    _, many = shown()
    everything = selectors.yearly_report_flags(base.city, today=TODAY)
    assert len(everything) == len(flags) * 3 and many == few
    second, _ = shown("fpage=2&rpage=1")
    names = lambda page: {b.name for b in (base, *more) if b.name in page}  # noqa: E731
    assert "第 2 / " in second and "fpage=1&amp;rpage=1" not in second and "rpage=1&amp;fpage=1" in second
    assert [f.base.name for f in everything[2:4]] == [f.base.name for f in list(everything)[2:4]]
    assert names(first) and names(second)


def test_the_citys_flags_are_kept_until_a_base_or_a_report_changes(base):
    """make bench's volume flags about 29,000 reports (100 ms to find): they are found once and kept
    until a base or a yearly report changes, and any such change shows at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def flags():
        with CaptureQueriesContext(connection) as queries:
            found = selectors.yearly_report_flags(base.city, today=TODAY)
            keys = {(f.base.pk, f.year, f.reason) for f in found}
        return keys, [q["sql"] for q in queries if "reviews_yearlyreport" in q["sql"] or "bases_base" in q["sql"]]

    keys, first = flags()
    assert keys == {(base.pk, LAST_YEAR - 1, "逾期未报送"), (base.pk, LAST_YEAR, "逾期未报送")}
    kept, again = flags()
    assert kept == keys and len(again) < len(first)  # only the rows of what is read, not the search
    report = fail(submitted(base))
    assert flags()[0] == {(base.pk, LAST_YEAR - 1, "逾期未报送"), (base.pk, LAST_YEAR, "审核不合格")}
    report.base.name = "改名后的基地"
    report.base.save()
    assert {f.base.name for f in selectors.yearly_report_flags(base.city, today=TODAY)} == {"改名后的基地"}
