"""Celery tasks: ids in, call a service. Scheduled in settings.CELERY_BEAT_SCHEDULE; queued by name
from the services (bases.services.queue_task)."""

from celery import shared_task

from . import services


@shared_task
def notify_transition(log_id: int) -> int:
    """Tell the applicant and the office that has the application now about one transition."""
    return services.transition_notify(log_id=log_id)


@shared_task
def daily_housekeeping() -> dict:
    """Once a day: close ended 公示 periods, remind applicants of the deadline and
    county bureaus of applications waiting for them."""
    return services.daily_housekeeping_run()
