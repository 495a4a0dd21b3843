"""Tasks through the real broker: Redis and a Celery worker process (CI runs this on PostgreSQL).

The worker is a separate process, so it must see the test's rows: the test commits them
(transactional test) and the worker connects to the same test database.
"""

import datetime
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from bases.services import application_transition
from reviews import services
from reviews.choices import BundleStatus, NotificationKind
from reviews.models import FormBundle, Notification, Publicity
from shaoxing_trade_secret.celery import app as celery_app
from tests.factories import ApplicationFactory, UserFactory, add_evidence, county_clerk

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("CI_REDIS_URL", "")

pytestmark = [
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not REDIS_URL, reason="set CI_REDIS_URL (as .ci/run does) to run tasks through Redis"),
]


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it can share: run on PostgreSQL (as CI does)")
    host, port = settings.get("HOST") or "127.0.0.1", settings.get("PORT") or 5432
    return f"postgres://{settings['USER']}@{host}:{port}/{settings['NAME']}"


@pytest.fixture
def worker(private_storage):
    env = {
        **os.environ,
        "PRIVATE_MEDIA_ROOT": str(private_storage),  # the folder this test's storages use (conftest)
        "REDIS_URL": REDIS_URL,
        "DATABASE_URL": database_url(),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "worker-test",
        "DJANGO_ALLOWED_HOSTS": "localhost",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "shaoxing_trade_secret",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    previous = {k: celery_app.conf[k] for k in ("broker_url", "task_always_eager")}
    celery_app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
    reset_connection_pools()
    celery_app.connection_for_write().ensure_connection(max_retries=3)
    with celery_app.connection_for_write() as conn:  # start from an empty queue
        conn.default_channel.queue_purge("celery")
    yield process
    celery_app.conf.update(**previous)
    reset_connection_pools()
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def reset_connection_pools():
    """Forget pooled broker connections made under the previous broker_url (as Celery does after a fork).

    They are not closed: kombu's global producer registry may hand the same pool out again."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def wait_for(predicate, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        if process.poll() is not None:
            pytest.fail(f"the worker exited: {process.stdout.read()}")
        time.sleep(0.25)
    process.terminate()
    pytest.fail(f"the worker did not run the task in time: {process.communicate(timeout=15)[0]}")


def test_transition_notification_runs_in_worker_via_redis(worker, django_capture_on_commit_callbacks):
    application = ApplicationFactory(complete=True)
    add_evidence(application)
    applicant = UserFactory(role="applicant", organisation=application.organisation)
    county = UserFactory(county_staff=True, email="county@example.gov.cn")

    with django_capture_on_commit_callbacks(execute=True):
        application_transition(application=application, action="submit", user=applicant, version=application.version)

    wait_for(lambda: Notification.objects.filter(user=county, application=application).exists(), worker)
    wait_for(lambda: Notification.objects.filter(application=application).count() == 3, worker)
    # The county now has an action; every user of the organisation, the submitter too, gets the receipt.
    sent = Notification.objects.filter(application=application)
    assert set(sent.values_list("user__username", "kind")) == {
        (county.username, NotificationKind.TRANSITION),
        (application.created_by.username, NotificationKind.RECEIPT),
        (applicant.username, NotificationKind.RECEIPT),
    }


def test_daily_housekeeping_sent_by_name_closes_ended_publicity_in_worker(worker):
    today = timezone.localdate()
    opener = UserFactory(city_reviewer=True)
    ended = Publicity.objects.create(
        title="已期满公示",
        level="city",
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today - datetime.timedelta(days=3),
        opened_by=opener,
    )
    running = Publicity.objects.create(
        title="公示中", level="city", starts_on=today, ends_on=today + datetime.timedelta(days=6), opened_by=opener
    )

    celery_app.send_task("reviews.tasks.daily_housekeeping")

    wait_for(lambda: Publicity.objects.get(pk=ended.pk).closed_at is not None, worker)
    assert Publicity.objects.get(pk=running.pk).closed_at is None


def test_zip_of_printed_forms_is_built_by_the_worker(worker, private_storage):
    application = ApplicationFactory(complete=True, advanced_to="submitted")
    clerk = county_clerk(application.organisation.county)

    bundle = services.form_bundle_request(user=clerk, applications=[application])  # queued on commit

    wait_for(lambda: FormBundle.objects.get(pk=bundle.pk).is_finished, worker, seconds=90)
    bundle.refresh_from_db()
    assert bundle.error == ""
    with zipfile.ZipFile(private_storage / "documents" / bundle.file.name) as archive:
        names = archive.namelist()
    assert (bundle.status, bundle.done, names) == (
        BundleStatus.DONE,
        1,
        [f"附表3-{application.display_name}-{application.reference}.pdf"],
    )
