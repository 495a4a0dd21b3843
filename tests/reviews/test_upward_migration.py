"""The rows recorded before the county's 初审推荐 existed (the city recorded a recommendation and its
outcome directly) are kept by the migration: recommended on by the city on their date, with their
note, recorder and outcome, each with the log entries of the steps it went through."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from reviews.choices import UpwardStatus
from tests.factories import ApplicationFactory, UserFactory

BEFORE = [("reviews", "0012_yearly_reports_and_support")]


@pytest.mark.django_db(transaction=True)
def test_rows_recorded_by_the_city_become_recommendations_it_recommended_on():
    base = ApplicationFactory(recognised=True).base
    city = UserFactory(city_reviewer=True)
    executor = MigrationExecutor(connection)
    after = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("reviews", "UpwardRecommendation")
    day = datetime.date(2025, 3, 1)
    pending = old.objects.create(
        base_id=base.pk, level="provincial", recommended_on=day, note="推荐申报省级", recorded_by_id=city.pk
    )
    refused = old.objects.create(
        base_id=base.pk,
        level="national",
        recommended_on=day,
        outcome="not_recognised",
        outcome_on=day + datetime.timedelta(days=60),
        recorded_by_id=city.pk,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(after)

    from reviews.models import UpwardRecommendation

    now = {item.pk: item for item in UpwardRecommendation.objects.all()}
    assert (now[pending.pk].status, now[pending.pk].city_on, now[pending.pk].city_opinion) == (
        UpwardStatus.CITY_RECOMMENDED,
        day,
        "推荐申报省级",
    )
    assert (now[pending.pk].county_on, now[pending.pk].opened_by_id) == (None, city.pk)
    assert (now[refused.pk].status, now[refused.pk].outcome_on) == (
        UpwardStatus.NOT_RECOGNISED,
        day + datetime.timedelta(days=60),
    )
    assert [(e.from_status, e.to_status, e.step_on, e.actor_id) for e in now[pending.pk].log.all()] == [
        ("", UpwardStatus.CITY_RECOMMENDED, day, city.pk)
    ]
    assert [(e.from_status, e.to_status) for e in now[refused.pk].log.all()] == [
        ("", UpwardStatus.CITY_RECOMMENDED),
        (UpwardStatus.CITY_RECOMMENDED, UpwardStatus.NOT_RECOGNISED),
    ]
