"""seed_demo: the accounts the checks rely on, every state of the workflow, histories that obey
the procedure's own rules (each step on or after the one before, nothing after today), idempotent,
and refused when debug is off."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Max, Min
from django.urls import reverse
from django.utils import timezone

from bases.choices import BaseType, Level, RevocationGround, Role, State
from bases.models import Application, ApplicationLog, Base, CountyRules, CountyRulesChange, Organisation, User
from bases.selectors import log_chain_check
from reviews import selectors, services
from reviews.choices import DocumentKind, ObjectionChannel, ReportStatus, RevocationStatus
from reviews.models import (
    AcceptanceRecord,
    BaseService,
    BaseSupport,
    GuidanceVisit,
    IssuedDocument,
    LiaisonDesignation,
    Notification,
    Objection,
    Publicity,
    RevocationCase,
    UpwardDocument,
    UpwardRecommendation,
    UpwardRecommendationLog,
    YearlyReport,
    YearlyReportLog,
)
from targets.models import StandardEnterprise, Target

pytestmark = pytest.mark.django_db


def test_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG 已关闭"):
        call_command("seed_demo", stdout=None)
    assert not User.objects.exists()


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    return timezone.localdate()


def test_accounts_and_every_state(seeded):
    for username in ("demo_enterprise", "demo_park", "demo_association", "city_reviewer", "admin"):
        assert User.objects.get(username=username).check_password("Shaoxing#2021")
    for username, base_type, county in (
        ("demo_enterprise", BaseType.POINT, "越城区"),
        ("demo_park", BaseType.ZONE, "柯桥区"),
        ("demo_association", BaseType.STATION, "上虞区"),
    ):
        user = User.objects.get(username=username)
        assert user.role == Role.APPLICANT and user.organisation.county.name == county
        assert user.organisation.applications.get().base_type == base_type
    for county in ("越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县"):
        assert User.objects.filter(role=Role.COUNTY, county__name=county).exists()
    assert User.objects.get(username="admin").is_superuser
    assert set(Application.objects.values_list("state", flat=True)) == set(State.values)
    assert Application.objects.filter(level=Level.COUNTY, state=State.RECOGNISED).exists()


def test_demo_accounts_sign_in_with_the_demo_password_through_the_login_page(seeded, client):
    for username in ("demo_enterprise", "county_keqiao", "admin"):
        client.logout()
        response = client.post("/accounts/login/", {"username": username, "password": "Shaoxing#2021"})
        assert (response.status_code, response["Location"]) == (302, "/"), username
        assert client.get("/").context["user"].username == username
    # Each account its own row, all with the password set today (the expiry counts from it).
    users = User.objects.filter(username__in=("demo_enterprise", "county_keqiao", "admin"))
    assert {timezone.localtime(u.password_changed_at).date() for u in users} == {timezone.localdate()}


def test_histories_follow_the_procedure(seeded):
    today = seeded
    for application in Application.objects.all():
        # In the order of the chain (the documents' PDFs are rendered aside and recorded later, before the
        # application's next entry): every entry after the one before, none after today.
        stamps = list(application.log.order_by("pk").values_list("created_at", flat=True))
        assert stamps == sorted(stamps), application
        assert timezone.localtime(stamps[-1]).date() <= today
    assert log_chain_check().first_break is None
    # Every procedural date lies on or before today …
    latest = ApplicationLog.objects.aggregate(Max("created_at"))["created_at__max"]
    assert timezone.localtime(latest).date() <= today
    assert max(GuidanceVisit.objects.values_list("visited_on", flat=True)) <= today
    assert max(AcceptanceRecord.objects.values_list("held_on", flat=True)) <= today
    # … a 公示 opened after every application in it passed acceptance, and starts on or before today
    # (this year's within the last 60 days; the bases that report on past years were recognised two years ago) …
    for publicity in Publicity.objects.all():
        recent = publicity.starts_on.year == today.year
        assert publicity.starts_on <= today < publicity.starts_on + datetime.timedelta(days=60 if recent else 800)
        passed = ApplicationLog.objects.filter(
            application__in=publicity.applications.all(), to_state=State.ACCEPTED
        ).aggregate(Max("created_at"))["created_at__max"]
        assert timezone.localtime(passed).date() <= publicity.starts_on
    running = Publicity.objects.get(ends_on__gte=today)
    assert running.starts_on == today
    ended = Publicity.objects.filter(ends_on__lt=today, starts_on__year=today.year)
    assert ended.count() == 2
    assert Publicity.objects.filter(starts_on__year=today.year - 2).count() == 1
    # … recognition after the end of its 公示, revocation after notice and statement, the ban from the decision.
    for base in Base.objects.select_related("application"):
        publicity = base.application.publicities.get()
        assert publicity.ends_on < base.recognised_on <= today
    revoked = Base.objects.get(revoked_on__isnull=False)
    case = RevocationCase.objects.get(application=revoked.application)
    assert case.status == RevocationStatus.REVOKED
    assert revoked.recognised_on < case.served_on < revoked.revoked_on < today
    assert timezone.localtime(case.statement_at).date() <= revoked.revoked_on
    assert Organisation.objects.get(pk=revoked.application.organisation_id).may_apply_again_on() == (
        revoked.revoked_on.replace(year=revoked.revoked_on.year + 2)
    )
    open_case = RevocationCase.objects.get(status=RevocationStatus.OPEN)
    assert open_case.served_on < today < open_case.statement_due
    # Objections: one answered and decided in the ended 公示; in the running one, one registered by
    # staff waiting, and one filed online that has its written reply.
    answered = Objection.objects.get(publicity__in=ended)
    assert answered.publicity.starts_on <= answered.received_on <= answered.publicity.ends_on
    assert answered.answer and answered.outcome != "pending"
    assert {(o.channel, o.outcome, bool(o.reply)) for o in Objection.objects.filter(publicity=running)} == {
        (ObjectionChannel.REGISTERED, "pending", False),
        (ObjectionChannel.ONLINE, "dismissed", True),
    }
    first = ApplicationLog.objects.aggregate(Min("created_at"))["created_at__min"]
    assert timezone.localtime(first).date() < today - datetime.timedelta(days=30)


def test_the_documents_the_histories_imply_are_issued_on_their_day(seeded):
    def day(moment):
        return timezone.localtime(moment).date()

    def issued(kind, **where):
        return IssuedDocument.objects.get(kind=kind, **where)

    submitted = Application.objects.filter(log__transition="submit").distinct()
    assert submitted.count() >= 20
    for application in submitted:
        latest = application.log.filter(transition="submit").latest("created_at")
        receipt = issued(DocumentKind.RECEIPT, key=f"receipt:{latest.pk}")
        assert day(receipt.issued_at) == day(latest.created_at) and application.lookup_code_hash
    for publicity in Publicity.objects.all():
        notice = issued(DocumentKind.PUBLICITY_NOTICE, publicity=publicity)
        assert day(notice.issued_at) == publicity.starts_on
        assert set(notice.applications.all()) == set(publicity.applications.all())
    for base in Base.objects.select_related("application"):
        assert day(issued(DocumentKind.CERTIFICATE, base=base).issued_at) == base.recognised_on
        listed = issued(DocumentKind.RECOGNITION_LIST, applications=base.application)
        assert listed.document_number == base.document_number and day(listed.issued_at) == base.recognised_on
        assert set(listed.applications.all()) == {
            b.application for b in Base.objects.filter(document_number=base.document_number)
        }
    revoked = Base.objects.get(revoked_on__isnull=False)
    assert day(issued(DocumentKind.REVOCATION_DECISION, base=revoked).issued_at) == revoked.revoked_on
    assert (
        IssuedDocument.objects.count()
        == submitted.count()
        + Publicity.objects.count()
        + Base.objects.count()
        + len(set(Base.objects.values_list("document_number", flat=True)))
        + 1
    )


def test_idempotent(seeded):
    models = (
        User,
        Organisation,
        Application,
        ApplicationLog,
        Publicity,
        Base,
        IssuedDocument,
        Target,
        StandardEnterprise,
        UpwardRecommendation,
        UpwardRecommendationLog,
        UpwardDocument,
        CountyRules,
        CountyRulesChange,
    )
    counts = [m.objects.count() for m in models]
    call_command("seed_demo", verbosity=0)
    assert [m.objects.count() for m in models] == counts


def test_targets_of_this_year_and_the_last_and_standard_enterprises_give_the_dashboard_figures(seeded, client):
    year = seeded.year
    for shown in (year, year - 1):
        assert Target.objects.filter(year=shown).count() == 6 * 4
    assert StandardEnterprise.objects.filter(year=year).count() >= 6
    assert StandardEnterprise.objects.filter(year=year - 1).count() >= 6
    # some of the demo's own enterprises are 贯标企业 too
    assert StandardEnterprise.objects.filter(credit_code__in=Organisation.objects.values("credit_code")).exists()
    client.force_login(User.objects.get(username="city_reviewer"))
    # The histories lie up to 70 days back: early in a year, in the year before.
    recognised_in = Base.objects.filter(level="county").get().recognised_on.year

    board = client.get(f"/statistics/?year={recognised_in}").context["board"]

    done = {cell.kind: cell.done for cell in board.total.cells}
    assert done["city"] >= 2 and done["county"] >= 1 and done["enterprises"] >= 6
    assert sum(cell.revoked for cell in board.total.cells) == 1  # the demo's revoked base, apart
    if recognised_in == year:
        assert any((cell.percent or 0) > 100 for row in board.rows for cell in row.cells)
    this_batch = client.get(f"/statistics/?year={year}").context["board"].funnel
    # the demo batch is this year's (the bases that report on past years came from the batch of two years ago)
    assert sum(step.count for step in this_batch) == Application.objects.filter(batch__year=year).count()
    assert (
        sum(row.visits for row in board.guidance)
        == GuidanceVisit.objects.filter(visited_on__year=recognised_in).count()
    )


def test_the_public_can_object_to_the_running_publicity_and_read_the_online_objections_reply(settings, client):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    reference, code = re.search(r"异议编号 (YY\d+)，查询码 ([0-9A-Z]{12})", out.getvalue()).groups()
    running = Publicity.objects.get(ends_on__gte=timezone.localdate())

    page = client.get(f"/public/publicities/{running.pk}/").content.decode()
    reply = client.post("/public/objections/", {"reference": reference, "code": code}).content.decode()

    assert "提交异议" in page and "公示中" in page
    assert "会员培训覆盖率统计属实，异议不成立" in reply


def test_support_records_of_article_16_for_every_valid_base_once(seeded, settings):
    valid = set(Base.objects.filter(status="valid").values_list("pk", flat=True))
    assert valid
    assert set(BaseService.objects.values_list("base", flat=True)) == valid
    assert set(BaseService.objects.values_list("kind", flat=True)) == {"guidance", "rights", "emergency"}
    assert set(BaseSupport.objects.values_list("kind", flat=True)) <= {"funding", "award"}
    assert LiaisonDesignation.objects.filter(ended_on__isnull=False).count() == 1
    assert set(LiaisonDesignation.objects.filter(ended_on__isnull=True).values_list("base", flat=True)) == valid
    counts = (BaseService.objects.count(), BaseSupport.objects.count(), LiaisonDesignation.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (BaseService.objects.count(), BaseSupport.objects.count(), LiaisonDesignation.objects.count()) == counts


def test_upward_recommendations_at_each_stage_each_step_after_the_one_before(seeded):
    """第三条（四）: one recommendation at each stage, each step of the county's staff or the city's, on
    or after the step before and the base's recognition, none after today."""
    items = list(UpwardRecommendation.objects.select_related("base__organisation__county"))
    assert {item.status for item in items} == {
        "county_recommended",
        "city_recommended",
        "city_declined",
        "recognised",
        "not_recognised",
    }
    for item in items:
        entries = list(item.log.select_related("actor"))
        days = [entry.step_on for entry in entries]
        assert days == sorted(days) and days[0] >= item.base.recognised_on and days[-1] <= seeded
        assert entries[0].actor.county_id == item.base.organisation.county_id  # the county's 初审推荐
        assert all(entry.actor.role == Role.CITY_REVIEWER for entry in entries[1:])
        assert entries[-1].to_status == item.status
    assert UpwardDocument.objects.filter(entry__to_status="county_recommended").count() == len(items)


def test_shengzhou_has_its_own_rules_an_administrator_and_a_county_level_draft_that_fails_them(seeded):
    rules = CountyRules.objects.get()
    admin = User.objects.get(username="county_shengzhou")
    draft = Application.objects.get(applicant_name="嵊州市甘霖精密制造有限公司")

    assert (rules.county.name, rules.version, rules.publicity_working_days) == ("嵊州市", 2, 7)
    assert (
        rules.thresholds["point-1.secrecy_officers"] == 2 and rules.titles["point"] == "嵊州市商业秘密保护示范点申报表"
    )
    assert admin.has_perm("bases.manage_county_rules")
    assert not User.objects.get(username="county_keqiao").has_perm("bases.manage_county_rules")
    assert (draft.level, draft.state, draft.rules().source) == (
        Level.COUNTY,
        State.DRAFT,
        "嵊州市县级基地规则（第2版）",
    )
    assert [p for p in draft.submission_problems() if "保密员" in p] == [
        "第十条（一）组织架构完整：不具备该条件（专（兼）职保密员人数 1，未达到 2）"
    ]
    # The county-level applications submitted before the county made its rules keep the city's.
    earlier = Application.objects.filter(level=Level.COUNTY).exclude(pk=draft.pk)
    assert earlier and all(a.rules().source.startswith("市级标准") for a in earlier)


def test_approval_by_the_leaders_one_waiting_one_sent_back_once_then_approved(seeded, client):
    """报批: the city's and 嵊州's 分管领导; every application past acceptance was approved by the leader of
    its level, one waits for the city leader, one was sent back to its group once and then approved."""
    leaders = {u.username: u for u in User.objects.filter(role=Role.LEADER).select_related("county")}
    assert {name: (u.county.name if u.county else None) for name, u in leaders.items()} == {
        "leader_city": None,
        "leader_shengzhou": "嵊州市",
    }
    past_approval = Application.objects.filter(
        state__in=[State.ACCEPTED, State.IN_PUBLICITY, State.RECOGNISED, State.REVOKED]
    )
    for application in past_approval:
        approvals = ApplicationLog.objects.filter(application=application, transition="approve")
        expected = "leader_city" if application.level == Level.CITY else "leader_shengzhou"
        assert [e.actor.username for e in approvals] == [expected], application.display_name
        assert application.approved_on == timezone.localdate(approvals.get().created_at)
    waiting = Application.objects.get(state=State.PENDING_APPROVAL)
    assert waiting.level == Level.CITY
    sent_back = ApplicationLog.objects.get(transition="send_back")
    history = [
        e.transition
        for e in ApplicationLog.objects.filter(application=sent_back.application, action="transition").order_by("pk")
    ]
    assert history[-4:] == ["pass_acceptance", "send_back", "pass_acceptance", "approve"]
    assert sent_back.actor.username == "leader_city" and sent_back.comment

    client.post("/accounts/login/", {"username": "leader_city", "password": "Shaoxing#2021"})
    home = client.get("/").content.decode()
    listed = client.get(f"/applications/?state={State.PENDING_APPROVAL}").content.decode()
    assert "待报批" in home and waiting.reference in listed


def test_yearly_reports_in_every_state_filed_by_the_bases_and_reviewed_by_their_county(seeded, client):
    today = seeded
    reports = YearlyReport.objects.select_related("base__organisation__county", "submitted_by", "reviewed_by")
    assert set(reports.values_list("status", flat=True)) == set(ReportStatus.values)
    assert {r.year for r in reports} == {today.year - 2, today.year - 1}
    for report in reports:
        assert report.base.recognised_on.year == today.year - 2
        entries = list(report.log.select_related("actor"))
        stamps = [e.created_at for e in entries]
        assert stamps == sorted(stamps) and timezone.localtime(stamps[-1]).date() <= today
        assert entries[0].actor.organisation_id == report.base.organisation_id  # opened by the base's own user
        if report.submitted_by:
            assert report.submitted_by.organisation_id == report.base.organisation_id
        if report.reviewed_by:
            assert report.reviewed_by.role == Role.COUNTY
            assert report.reviewed_by.county_id == report.base.organisation.county_id
        if report.status == ReportStatus.RECTIFY:
            assert report.rectify_due > today and report.fix_items
    # A report filed late says so; a resubmission in time does not.
    assert YearlyReportLog.objects.filter(to_status=ReportStatus.SUBMITTED, reason="逾期提交").exists()
    assert not YearlyReportLog.objects.filter(to_status=ReportStatus.RESUBMITTED, reason="逾期提交").exists()
    # One base failed after a year it never reported on: the city finds both flagged, and the
    # revocation procedure due (not opened: the demo's only revocation cases are the other two).
    city = User.objects.get(username="city_reviewer")
    flags = selectors.yearly_report_flags(city, today=today)
    failed = reports.get(status=ReportStatus.FAILED)
    assert {(f.base, f.year, f.reason) for f in flags} == {
        (failed.base, today.year - 1, "审核不合格"),
        (failed.base, today.year - 2, "逾期未报送"),
    }
    assert services.yearly_report_revocation_ground(failed) == RevocationGround.OTHER
    assert RevocationCase.objects.count() == 2 and not RevocationCase.objects.filter(
        application=failed.base.application
    )
    # The organisation that files (demo_base) and the county that reviews see them on their pages.
    client.force_login(User.objects.get(username="demo_base"))
    page = client.get(reverse("reviews:yearly-report-list")).content.decode()
    assert "绍兴鉴湖精密仪器有限公司" in page and "已提交，待县局审核" in page
    client.force_login(User.objects.get(username="demo_enterprise"))  # applying, no base yet
    assert "本单位暂无需要报送的年度报告" in client.get(reverse("reviews:yearly-report-list")).content.decode()
    client.force_login(User.objects.get(username="county_yuecheng"))
    page = client.get(reverse("reviews:yearly-report-list")).content.decode()
    assert "绍兴鉴湖黄酒酿造有限公司" in page and "不合格" in page
    counts = (YearlyReport.objects.count(), YearlyReportLog.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (YearlyReport.objects.count(), YearlyReportLog.objects.count()) == counts


def test_seeding_costs_a_bounded_number_of_queries_and_moves_the_cache_generation_once(settings):
    """seed_demo must stay fast (README: under 10 s on two cores): it makes the counts kept in the cache
    stale once for all its saves (bases.cached.bulk_changes), not with several cache queries per save,
    twice, and its services make no savepoints inside its one transaction. Measured at about 8,400
    queries, its steps' notifications included; a demo that needs many more should first look for a
    query in a loop (raise the ceiling only for new demo content)."""
    settings.DEBUG = True
    queries = []

    def counted(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        call_command("seed_demo", verbosity=0)
    cache_queries = [sql for sql in queries if "django_cache" in sql]
    assert len(cache_queries) < 30, cache_queries[:10]
    assert len(queries) < 9_500
    savepoints = [sql for sql in queries if sql.startswith("SAVEPOINT")]
    # the seeding's own block (inside the test's transaction) and the cache's, made before it
    assert len(savepoints) <= 3, savepoints[:5]
    assert Notification.objects.exists()  # the steps' tasks ran within the seeding
