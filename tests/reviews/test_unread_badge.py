"""The unread badge in every page's header: counted up to 100 ("99+" beyond), and on PostgreSQL read
from the partial index of unread rows, so it costs the same at 3 unread notifications as at 30,000."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reviews import selectors
from reviews.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def notify(user, n, *, read=False, prefix="k"):
    Notification.objects.bulk_create(
        Notification(
            user=user, kind="transition", key=f"{prefix}{i}", message="消息", read_at=timezone.now() if read else None
        )
        for i in range(n)
    )


def test_unread_count_stops_at_the_cap():
    me, other = UserFactory(applicant=True), UserFactory(applicant=True)
    notify(me, 150)
    notify(me, 20, read=True, prefix="r")
    notify(other, 5)

    assert selectors.unread_notifications_count(me) == 100
    assert selectors.unread_notifications_count(me, cap=1000) == 150
    assert selectors.unread_notifications_count(other) == 5


@pytest.mark.parametrize(
    ("unread", "shown"), [(3, "（3条未读）"), (99, "（99条未读）"), (100, "（99+条未读）"), (250, "（99+条未读）")]
)
def test_header_badge_shows_the_count_or_99_plus(client, unread, shown):
    me = UserFactory(applicant=True)
    notify(me, unread)
    notify(me, 7, read=True, prefix="r")
    client.force_login(me)

    page = client.get("/").content.decode()

    assert shown in page
    assert page.count("条未读") == 1


def test_header_badge_absent_without_unread(client):
    me = UserFactory(applicant=True)
    notify(me, 4, read=True)
    client.force_login(me)

    assert "条未读" not in client.get("/").content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's choice is PostgreSQL's")
def test_badge_query_reads_the_partial_index_of_unread_rows():
    admin, others = UserFactory(city_admin=True), [UserFactory(applicant=True) for _ in range(20)]
    notify(admin, 3000, read=True, prefix="r")
    notify(admin, 300)
    for user in others:
        notify(user, 100, read=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reviews_notification")
    with CaptureQueriesContext(connection) as queries:
        selectors.unread_notifications_count(admin)
    (query,) = queries.captured_queries

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + query["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "notification_unread_by_user" in plan, plan
    assert "Seq Scan" not in plan, plan
    assert "LIMIT 100" in query["sql"].upper()
