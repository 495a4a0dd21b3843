"""Celery tasks: ids in, call a service. Scheduled in settings.CELERY_BEAT_SCHEDULE; queued by name
from the services (bases.services.queue_task)."""

import logging

from celery import shared_task

from . import services
from .choices import MAIL_ATTEMPTS

logger = logging.getLogger(__name__)
DOCUMENT_ATTEMPTS = 5


@shared_task
def notify_transition(log_id: int) -> int:
    """Tell the applicant and the office that has the application now about one transition."""
    return services.transition_notify(log_id=log_id)


@shared_task
def daily_housekeeping() -> dict:
    """Once a day: close ended 公示 periods, remind applicants of the deadline and
    county bureaus of applications waiting for them, remind bases of their yearly report
    (30 and 7 days before its deadline) and fail the reports whose 整改期限 has passed."""
    return services.daily_housekeeping_run()


@shared_task(bind=True, max_retries=MAIL_ATTEMPTS - 1)
def send_notification_emails(self, ids: list[int]) -> list[int]:
    """Send the e-mails of these notifications; those that fail are tried again after 1, 2, 4, 8
    minutes by the worker (and once a day by the daily job), each failure recorded for the admin."""
    failed = services.notification_emails_send(ids=ids)
    if failed and not self.request.is_eager:
        raise self.retry(args=[failed], countdown=60 * 2**self.request.retries)
    return failed


@shared_task(bind=True, max_retries=DOCUMENT_ATTEMPTS - 1)
def issue_documents(self, log_id: int) -> list[str]:
    """Issue the documents a step calls for (申报回执, 公示公告, 认定名单 and 认定证书, 撤销决定书) once it
    has committed; tried again after 1, 2, 4, 8 minutes by the worker. Run in the web process (no
    Redis), a failure is logged and does not turn the step the user has just done into an error page:
    the step stands, and `manage.py issue_documents` issues what is missing."""
    try:
        return [document.reference for document in services.documents_issue_for_step(log_id=log_id)]
    except Exception as error:
        if self.request.is_eager:
            logger.exception("documents of log entry %s not issued", log_id)
            return []
        raise self.retry(exc=error, countdown=60 * 2**self.request.retries) from error


@shared_task
def build_form_bundle(bundle_id: int) -> int:
    """Build the zip of printed forms a FormBundle asks for; returns how many forms went in."""
    return services.form_bundle_build(bundle_id=bundle_id).done
