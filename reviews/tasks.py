"""Celery tasks: ids in, load objects, call a service. Scheduled in settings.CELERY_BEAT_SCHEDULE."""

import datetime

from celery import shared_task
from django.utils import timezone

from bases.choices import Role
from bases.dates import cn_date
from bases.models import Application, Batch, User

from . import notifications, services
from .choices import NotificationKind, State
from .models import ApplicationLog, Publicity

REMIND_DAYS_BEFORE_DEADLINE = (7, 1)
WAITING_DAYS = 10


@shared_task
def notify_transition(log_id: int) -> int:
    """Tell the applicant and whoever must act next about one transition."""
    entry = ApplicationLog.objects.select_related("application__organisation").get(pk=log_id)
    return notifications.notify_log_entry(entry)


@shared_task
def daily_housekeeping() -> dict:
    """Once a day: close ended 公示 periods, remind applicants of the deadline and
    county bureaus of applications waiting for them."""
    return {
        "closed_publicities": close_ended_publicities(),
        "deadline_reminders": remind_deadline(),
        "waiting_reminders": remind_waiting(),
    }


def close_ended_publicities(today=None) -> int:
    today = today or timezone.localdate()
    ended = Publicity.objects.filter(closed_at__isnull=True, ends_on__lt=today)
    for publicity in ended:
        services.publicity_close(publicity=publicity)
    return len(ended)


def remind_deadline(today=None) -> int:
    today = today or timezone.localdate()
    sent = 0
    for days in REMIND_DAYS_BEFORE_DEADLINE:
        for batch in Batch.objects.filter(deadline=today + datetime.timedelta(days=days)):
            open_apps = Application.objects.filter(
                batch=batch, state__in=[State.CULTIVATION, State.DRAFT, State.RETURNED]
            ).select_related("organisation")
            for application in open_apps:
                sent += notifications.notify(
                    users=notifications.applicant_users(application),
                    application=application,
                    kind=NotificationKind.DEADLINE,
                    key=f"deadline:{application.pk}:{days}",
                    message=f"{batch.name}将于{cn_date(batch.deadline)}截止（还有{days}天），"
                    f"申报 {application.reference} 尚未提交，请抓紧完成。",
                )
    return sent


def remind_waiting(today=None) -> int:
    """County bureaus: submitted applications waiting over 10 days for their recommendation."""
    now = timezone.now() if today is None else timezone.make_aware(datetime.datetime.combine(today, datetime.time(8)))
    limit = now - datetime.timedelta(days=WAITING_DAYS)
    waiting = Application.objects.filter(state=State.SUBMITTED, submitted_at__lt=limit).select_related("organisation")
    sent = 0
    for application in waiting:
        staff = User.objects.filter(is_active=True, role=Role.COUNTY, county_id=application.organisation.county_id)
        days = (now - application.submitted_at).days
        sent += notifications.notify(
            users=staff,
            application=application,
            kind=NotificationKind.WAITING,
            key=f"waiting:{application.pk}:{now:%Y%m%d}",
            message=f"申报 {application.reference}（{application.display_name}）已提交{days}天，等待县局审核推荐。",
        )
    return sent
