"""Who is told about a transition (the applicant's users and the staff who now have something to do,
never the actor), and the daily job: closing ended 公示, deadline and waiting reminders."""

import datetime

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.utils import timezone

from bases import services as base_services
from bases.choices import State
from bases.models import Application, User
from bases.services import application_transition
from reviews import services, tasks
from reviews.choices import NotificationKind
from reviews.models import Notification, Publicity
from shaoxing_trade_secret.celery import app as celery_app
from tests.factories import (
    ApplicationFactory,
    BatchFactory,
    OrganisationFactory,
    UserFactory,
    add_evidence,
    add_signed_form,
    advance,
    county,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def staff(**kwargs):
    user = UserFactory(**kwargs)
    user.email = f"{user.username}@example.gov.cn"
    user.save()
    return user


def notified(kind=NotificationKind.TRANSITION) -> set[User]:
    return {n.user for n in Notification.objects.filter(kind=kind).select_related("user")}


def mailed() -> set[str]:
    return {address for message in mail.outbox for address in message.to}


@pytest.fixture
def office():
    """Everyone who might be told: two clerks of the application's county, one of another, the city."""
    return {
        "chen": staff(county_staff=True, county=county("越城区")),
        "wang": staff(county_staff=True, county=county("越城区")),
        "keqiao": staff(county_staff=True, county=county("柯桥区")),
        "city": staff(city_reviewer=True),
        "city_admin": staff(city_admin=True),
        "other_applicant": staff(applicant=True),
    }


@pytest.fixture
def application(office):
    """A complete, evidenced draft whose organisation has two users with e-mail addresses."""
    application = ApplicationFactory(complete=True)
    add_evidence(application)
    for user in (application.created_by, staff(role="applicant", organisation=application.organisation)):
        user.email = f"{user.username}@example.com"
        user.save()
    return application


def run(application, action, user, **kwargs):
    current = Application.objects.get(pk=application.pk)
    return application_transition(application=current, action=action, user=user, version=current.version, **kwargs)


def test_notify_after_submit_applicant_colleague_and_county_clerks_not_actor(
    application, office, django_capture_on_commit_callbacks
):
    colleague = application.organisation.users.exclude(pk=application.created_by_id).get()

    with django_capture_on_commit_callbacks(execute=True):
        run(application, "submit", application.created_by)

    application.refresh_from_db()
    submitted = timezone.localtime(application.submitted_at).date()
    assert notified() == {office["chen"], office["wang"]}
    assert notified(NotificationKind.RECEIPT) == {colleague, application.created_by}
    assert set(Notification.objects.filter(kind=NotificationKind.RECEIPT).values_list("message", flat=True)) == {
        f"申报回执：贵单位的市级示范点申报（编号 {application.reference}）已于"
        f"{submitted.year}年{submitted.month}月{submitted.day}日提交。下一步：等待县局审核推荐（越城区市场监督管理局）。"
        "申报回执（含查询码）请在申报页面的“文书”中下载并妥善保存，凭申报编号和查询码可查询办理进度。"
    }
    # The receipt itself (with the 查询码, whose digest alone is kept) was issued beside the notification.
    assert list(application.documents.values_list("kind", flat=True)) == ["receipt"]
    assert len(application.lookup_code_hash) == 64
    assert mailed() == {colleague.email, application.created_by.email, office["chen"].email, office["wang"].email}


def test_tasks_held_run_when_the_block_ends_in_order_with_the_tasks_they_queue_and_none_at_commit(
    application, office, django_capture_on_commit_callbacks
):
    """seed_demo's way (bases.services.tasks_run_at_end): the submission's tasks (its documents, its
    notifications, and the e-mails the notifications queue in turn) run when the block ends, inside the
    caller's transaction; nothing is left for the commit."""
    with django_capture_on_commit_callbacks(execute=True):
        with base_services.tasks_run_at_end():
            run(application, "submit", application.created_by)
            assert not Notification.objects.exists() and not application.documents.exists() and not mail.outbox
        assert notified() == {office["chen"], office["wang"]}
        assert list(application.documents.values_list("kind", flat=True)) == ["receipt"]
        assert mailed() == {office["chen"].email, office["wang"].email} | {
            u.email for u in application.organisation.users.all()
        }
        done = (Notification.objects.count(), len(mail.outbox), application.documents.count())
    assert (Notification.objects.count(), len(mail.outbox), application.documents.count()) == done


def test_tasks_held_in_a_block_that_raises_are_not_run(application, office, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        base_services.tasks_run_at_end(),
    ):
        run(application, "submit", application.created_by)
        raise RuntimeError("the job failed")
    assert not Notification.objects.exists() and not application.documents.exists() and not mail.outbox


def test_notify_after_recommend_applicants_and_city_not_county_not_actor(
    application, office, django_capture_on_commit_callbacks
):
    run(application, "submit", application.created_by)  # its notifications are not captured
    add_signed_form(application)

    with django_capture_on_commit_callbacks(execute=True):
        run(
            application,
            "recommend",
            office["chen"],
            method_kwargs={"opinion": "同意推荐。", "signer": "陈", "signed_on": TODAY},
        )

    applicants = set(application.organisation.users.all())
    assert notified() == applicants | {office["city"], office["city_admin"]}
    assert mailed() == {u.email for u in applicants | {office["city"], office["city_admin"]}}
    assert set(Notification.objects.values_list("message", flat=True)) == {
        f"申报 {application.reference}（{application.display_name}）：审核推荐，状态变为“已推荐”。"
    }
    assert {n.application_id for n in Notification.objects.all()} == {application.pk}


def test_notify_late_task_tells_the_office_the_transition_handed_it_to(application, office):
    """A worker that runs the submit notification after the county has already recommended still
    tells the county (who had it after the submission), not the city."""
    run(application, "submit", application.created_by)
    add_signed_form(application)
    run(
        application,
        "recommend",
        office["chen"],
        method_kwargs={"opinion": "同意。", "signer": "陈", "signed_on": TODAY},
    )
    submitted = application.log.get(transition="submit")
    Notification.objects.all().delete()

    services.transition_notify(log_id=submitted.pk)

    assert notified() == {office["chen"], office["wang"]}


def test_notify_twice_same_key_one_row_one_mail(office, django_capture_on_commit_callbacks):
    user = office["chen"]

    with django_capture_on_commit_callbacks(execute=True):
        first = services.notify(
            users=[user], application=None, kind=NotificationKind.WAITING, key="k:1", message="待办提醒"
        )
        second = services.notify(
            users=[user], application=None, kind=NotificationKind.WAITING, key="k:1", message="待办提醒"
        )

    assert (first, second) == (1, 0)
    assert list(Notification.objects.values_list("user", "key")) == [(user.pk, "k:1")]
    assert len(mail.outbox) == 1


# --- daily_housekeeping ----------------------------------------------------------------------------


def publicity(ends_on, *, closed=False):
    opener = UserFactory(city_reviewer=True)
    return Publicity.objects.create(
        title=f"公示至{ends_on}",
        level="city",
        starts_on=ends_on - datetime.timedelta(days=6),
        ends_on=ends_on,
        opened_by=opener,
        closed_at=timezone.now() - datetime.timedelta(days=1) if closed else None,
    )


def test_housekeeping_closes_only_publicities_ended_before_today():
    ended = publicity(TODAY - datetime.timedelta(days=1))
    last_day = publicity(TODAY)
    running = publicity(TODAY + datetime.timedelta(days=3))
    already = publicity(TODAY - datetime.timedelta(days=5), closed=True)
    already_closed_at = already.closed_at

    result = tasks.daily_housekeeping()

    assert result["closed_publicities"] == 1
    assert {p.pk for p in Publicity.objects.filter(closed_at__isnull=False)} == {ended.pk, already.pk}
    assert Publicity.objects.get(pk=already.pk).closed_at == already_closed_at
    assert Publicity.objects.get(pk=last_day.pk).closed_at is None
    assert Publicity.objects.get(pk=running.pk).closed_at is None


def mailable_application(batch, **kwargs):
    application = ApplicationFactory(batch=batch, **kwargs)
    application.created_by.email = f"{application.created_by.username}@example.com"
    application.created_by.save()
    return application


@pytest.mark.parametrize("days_left, reminded", [(7, True), (1, True), (6, False), (8, False), (0, False)])
def test_housekeeping_deadline_reminder_7_and_1_days_before_to_unsubmitted_only(
    days_left, reminded, django_capture_on_commit_callbacks
):
    batch = BatchFactory(deadline=TODAY + datetime.timedelta(days=days_left))
    open_ones = [
        mailable_application(batch, cultivation=True),
        mailable_application(batch),
        mailable_application(batch, returned=True),
    ]
    done = [
        mailable_application(batch, complete=True, advanced_to=State.SUBMITTED),
        mailable_application(batch, advanced_to=State.WITHDRAWN),
    ]

    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.daily_housekeeping()

    expected = {(a.created_by, f"deadline:{a.pk}:{days_left}") for a in open_ones} if reminded else set()
    assert {(n.user, n.key) for n in Notification.objects.filter(kind=NotificationKind.DEADLINE)} == expected
    assert result["deadline_reminders"] == len(expected)
    assert mailed() == {user.email for user, _ in expected}
    assert not {a.created_by for a in done} & notified(NotificationKind.DEADLINE)


def test_housekeeping_waiting_reminder_to_county_clerks_after_10_days(office):
    waiting = ApplicationFactory(complete=True, advanced_to=State.SUBMITTED)
    recent = ApplicationFactory(complete=True, advanced_to=State.SUBMITTED)
    elsewhere = ApplicationFactory(
        complete=True, advanced_to=State.SUBMITTED, organisation=OrganisationFactory(county=county("柯桥区"))
    )
    now = timezone.now()
    Application.objects.filter(pk__in=[waiting.pk, elsewhere.pk]).update(submitted_at=now - datetime.timedelta(days=11))
    Application.objects.filter(pk=recent.pk).update(submitted_at=now - datetime.timedelta(days=9))
    clerks = set(User.objects.filter(role="county", is_active=True))

    tasks.daily_housekeeping()

    assert {(n.user, n.application_id) for n in Notification.objects.filter(kind=NotificationKind.WAITING)} == (
        {(u, waiting.pk) for u in clerks if u.county == county("越城区")}
        | {(u, elsewhere.pk) for u in clerks if u.county == county("柯桥区")}
    )
    assert {office["chen"], office["wang"], office["keqiao"]} <= notified(NotificationKind.WAITING)
    assert not notified(NotificationKind.WAITING) & {office["city"], office["city_admin"]}


def test_housekeeping_twice_same_day_idempotent(office, django_capture_on_commit_callbacks):
    batch = BatchFactory(deadline=TODAY + datetime.timedelta(days=7))
    mailable_application(batch)
    old = ApplicationFactory(complete=True, batch=BatchFactory(year=TODAY.year + 1), advanced_to=State.SUBMITTED)
    Application.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=12))
    publicity(TODAY - datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.daily_housekeeping()
    rows, mails = Notification.objects.count(), len(mail.outbox)

    with django_capture_on_commit_callbacks(execute=True):
        second = tasks.daily_housekeeping()

    assert first["closed_publicities"] == 1 and first["deadline_reminders"] == 1 and first["waiting_reminders"] >= 2
    assert second == {
        "closed_publicities": 0,
        "deadline_reminders": 0,
        "waiting_reminders": 0,
        "emails_retried": 0,
        "form_bundles": 0,
        "yearly_report_reminders": 0,
        "yearly_reports_failed": 0,
        "objector_contacts": 0,
        "notifications": 0,
        "security_events": 0,
    }
    assert (Notification.objects.count(), len(mail.outbox)) == (rows, mails)


def test_beat_schedule_runs_daily_housekeeping_task_registered_in_celery_app():
    entry = settings.CELERY_BEAT_SCHEDULE["daily-housekeeping"]
    celery_app.loader.import_default_modules()  # what a worker does at start

    assert entry["task"] == "reviews.tasks.daily_housekeeping"
    assert entry["task"] in celery_app.tasks
    assert celery_app.tasks[entry["task"]].run is tasks.daily_housekeeping.run
    assert isinstance(entry["schedule"], crontab)
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({7}, {30})


# --- What a notification says ---------------------------------------------------------------------------


def test_transition_message_names_its_comment_and_cuts_with_an_ellipsis(application, office):
    run(application, "submit", application.created_by)
    long_reason = "材料不全。" * 60
    run(application, "return_for_changes", office["chen"], comment=long_reason)
    entry = application.log.get(transition="return_for_changes")

    message = services.transition_message(entry, for_applicant=True)

    assert message.startswith(
        f"申报 {application.reference}（{application.display_name}）：退回修改，状态变为“退回修改”。退回理由："
    )
    assert message.endswith("…") and len(message) <= services.MESSAGE_LENGTH
    assert "意见：" not in message


def test_recognition_message_labels_the_document_number_with_a_chinese_date(application, office):
    city = office["city"]
    recognised = advance(application, State.RECOGNISED, county_user=office["chen"], city_user=city)
    entry = recognised.log.get(transition="recognise")

    assert services.transition_message(entry, for_applicant=True).endswith(
        f"认定文号：绍市监管〔{TODAY.year}〕12号，{TODAY.year}年{TODAY.month}月{TODAY.day}日"
    )


def test_registration_decision_tells_the_organisation_s_users(django_capture_on_commit_callbacks):
    clerk = UserFactory(county_staff=True, county=county("越城区"))
    organisation = OrganisationFactory(county=county("越城区"), status="pending")
    user = UserFactory(role="applicant", organisation=organisation)

    base_services.organisation_confirm(organisation=organisation, user=clerk, approve=True)

    [message] = Notification.objects.filter(user=user).values_list("message", flat=True)
    assert message.startswith(f"{organisation.name}（统一社会信用代码 {organisation.credit_code}）的注册已于")
    assert message.endswith("经越城区市场监督管理局确认。下一步：登录平台“新建申报”，选择基地类型并填写申报表。")
