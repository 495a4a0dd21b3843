"""A transition never fails because mail does: e-mails go out after the commit from a task, each
failure is recorded on its notification for the city admin, tried again later, and given up after
MAIL_ATTEMPTS; a line break that reached a name (old data) never breaks a mail header."""

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from bases.choices import State
from bases.models import Application, Organisation
from reviews import services
from reviews.choices import MAIL_ATTEMPTS, EmailStatus
from reviews.models import Notification
from tests.bases.test_registration import REGISTER, registration
from tests.factories import ApplicationFactory, UserFactory, add_evidence

pytestmark = pytest.mark.django_db


class BrokenMailServer(BaseEmailBackend):
    """The mail server hangs up on every message."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


BROKEN = "tests.reviews.test_mail_delivery.BrokenMailServer"


@pytest.fixture
def submitted_with_broken_mail(client, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = BROKEN
    application = ApplicationFactory(complete=True)
    add_evidence(application)
    UserFactory(county_staff=True, email="county@example.gov.cn")
    client.force_login(application.created_by)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reviews:application-transition", args=[application.pk, "submit"]),
            {"version": application.version},
        )
    return application, response


def test_a_broken_mail_server_does_not_break_the_submission(submitted_with_broken_mail):
    application, response = submitted_with_broken_mail

    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).state == State.SUBMITTED
    mailed = Notification.objects.exclude(email_status=EmailStatus.NONE)
    assert list(mailed.values_list("user__email", flat=True)) == ["county@example.gov.cn"]
    for notification in mailed:
        assert (notification.email_status, notification.email_attempts) == (EmailStatus.FAILED, 1)
        assert notification.email_error == "SMTPServerDisconnected: Connection unexpectedly closed"


def test_failed_mail_is_tried_again_by_the_daily_job_until_it_gives_up(
    submitted_with_broken_mail, settings, django_capture_on_commit_callbacks
):
    def daily():
        with django_capture_on_commit_callbacks(execute=True):
            return services.daily_housekeeping_run()["emails_retried"]

    for attempt in range(2, MAIL_ATTEMPTS + 1):
        assert daily() == 1
        assert set(Notification.objects.exclude(email_status="").values_list("email_attempts", flat=True)) == {attempt}
    assert daily() == 0  # given up: the admin sees it

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notification = Notification.objects.exclude(email_status="").first()
    Notification.objects.filter(pk=notification.pk).update(email_attempts=1)
    daily()
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_error) == (EmailStatus.SENT, "")
    assert len(mail.outbox) == 1


def test_the_city_admin_sees_which_mail_failed_and_why(submitted_with_broken_mail, client):
    admin = UserFactory(city_admin=True)
    client.force_login(admin)

    response = client.get("/admin/reviews/notification/?email_status__exact=failed")

    assert response.status_code == 200
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in response.content.decode()


def test_a_line_break_in_old_data_never_reaches_a_mail_header(django_capture_on_commit_callbacks):
    application = ApplicationFactory(complete=True)
    add_evidence(application)
    county = UserFactory(county_staff=True, email="county@example.gov.cn")
    Organisation.objects.filter(pk=application.organisation_id).update(name="某公司\r\nBcc: x@example.com")
    Application.objects.filter(pk=application.pk).update(applicant_name="某公司\r\nBcc: x@example.com")
    application.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            users=[county], application=application, kind="transition", key="k", message=application.display_name
        )

    assert len(mail.outbox) == 1
    assert "\n" not in mail.outbox[0].subject and "\r" not in mail.outbox[0].subject
    assert mail.outbox[0].to == ["county@example.gov.cn"] and not mail.outbox[0].bcc


def test_registration_with_a_broken_mail_server_still_registers_and_the_county_is_told_in_the_app(
    client, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = BROKEN
    UserFactory(county_staff=True, email="yc@example.gov.cn")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REGISTER, registration())

    assert response.status_code == 302
    told = Notification.objects.get()
    assert (told.email_status, told.email_attempts) == (EmailStatus.FAILED, 1)
