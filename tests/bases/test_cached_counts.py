"""Counts kept in the cache (bases.cached): read again only while the counted data is unchanged."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bases import cached, selectors
from bases.choices import State
from bases.models import Application
from tests.factories import ApplicationFactory, UserFactory, county

pytestmark = pytest.mark.django_db


def application_scans(function):
    with CaptureQueriesContext(connection) as captured:
        value = function()
    return value, sum("bases_application" in query["sql"] for query in captured.captured_queries)


def test_a_count_is_computed_once_and_again_after_an_application_changes(django_capture_on_commit_callbacks):
    clerk = UserFactory(county_staff=True, county=county("越城区"))
    ApplicationFactory(organisation__county=county("越城区"))
    scope = selectors.applications_for_user(clerk)

    assert application_scans(lambda: cached.count(scope)) == (1, 1)
    assert application_scans(lambda: cached.count(scope)) == (1, 0)

    with django_capture_on_commit_callbacks(execute=True):
        ApplicationFactory(organisation__county=county("越城区"))
    assert application_scans(lambda: cached.count(scope)) == (2, 1)

    application = Application.objects.filter(county=county("越城区")).first()
    application.delete()
    assert application_scans(lambda: cached.count(scope)) == (1, 1)


def test_each_scope_and_filter_has_its_own_count():
    ApplicationFactory(organisation__county=county("越城区"))
    ApplicationFactory(organisation__county=county("柯桥区"))
    yuecheng = UserFactory(county_staff=True, county=county("越城区"))
    city = UserFactory(city_reviewer=True)

    assert cached.count(selectors.applications_for_user(yuecheng)) == 1
    assert cached.count(selectors.applications_for_user(city)) == 2
    assert cached.count(selectors.applications_for_user(city).filter(county=county("柯桥区"))) == 1


def test_the_start_page_queues_follow_the_applications():
    city = UserFactory(city_reviewer=True)
    application = ApplicationFactory(organisation__county=county("越城区"))
    Application.objects.filter(pk=application.pk).update(state=State.RECOMMENDED)
    cached.changed()  # a queryset update sends no signal: who writes so says so

    before = {queue["state"]: queue["count"] for queue in selectors.work_queues(city)}
    application.delete()
    ApplicationFactory(in_acceptance=True)
    after = {queue["state"]: queue["count"] for queue in selectors.work_queues(city)}

    assert (before[State.RECOMMENDED], before[State.IN_ACCEPTANCE]) == (1, 0)
    assert (after[State.RECOMMENDED], after[State.IN_ACCEPTANCE]) == (0, 1)


def test_an_unreachable_cache_costs_speed_not_the_page(monkeypatch, client):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    ApplicationFactory()
    user = UserFactory(city_reviewer=True)
    client.force_login(user)
    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    monkeypatch.setattr(cache, "incr", down)

    assert cached.count(Application.objects.all()) == 1
    assert client.get(reverse("bases:application-list")).status_code == 200
    assert client.get("/").status_code == 200


def test_the_filter_bar_is_kept_per_query_but_never_with_its_errors(client):
    client.force_login(UserFactory(city_reviewer=True))
    url = reverse("bases:application-list")

    first = client.get(url, {"state": State.SUBMITTED})
    again = client.get(url, {"state": State.SUBMITTED})
    other = client.get(url, {"state": State.ACCEPTED})
    wrong = client.get(url, {"state": "no-such-state"})

    selected = '<option value="submitted" selected>'
    assert selected in first.text and selected in again.text and selected not in other.text
    assert '<option value="accepted" selected>' in other.text
    assert "no-such-state" not in first.text
    assert wrong.status_code == 200 and "选择一个有效的选项" in wrong.text


def test_an_organisation_that_moves_county_takes_its_applications_and_their_counts_along():
    """Application.county copies the organisation's county (the indexed scope of a county's staff)."""
    application = ApplicationFactory(organisation__county=county("越城区"))
    keqiao = UserFactory(county_staff=True, county=county("柯桥区"))
    assert cached.count(selectors.applications_for_user(keqiao)) == 0

    organisation = application.organisation
    organisation.refresh_from_db()
    organisation.county = county("柯桥区")
    organisation.save()

    assert set(Application.objects.values_list("county__name", flat=True)) == {"柯桥区"}
    assert cached.count(selectors.applications_for_user(keqiao)) == 1
    assert list(selectors.applications_for_user(keqiao).values_list("pk", flat=True)) == [application.pk]


def test_bulk_changes_move_the_generation_once_and_keep_nothing_while_they_last(django_capture_on_commit_callbacks):
    clerk = UserFactory(county_staff=True, county=county("越城区"))
    scope = selectors.applications_for_user(clerk)
    assert cached.count(scope) == 0
    before = cached.generation()
    with django_capture_on_commit_callbacks(execute=True), cached.bulk_changes():
        during = cached.generation()
        assert during != before  # nothing kept before the changes is read during them
        for _ in range(3):
            ApplicationFactory(organisation__county=county("越城区"))
        assert cached.generation() == during  # the saves did not touch the cache one by one
        # Computed, never kept, while the data is still changing:
        assert application_scans(lambda: cached.count(scope)) == (3, 1)
        assert application_scans(lambda: cached.count(scope)) == (3, 1)
    assert cached.generation() not in (before, during)
    assert application_scans(lambda: cached.count(scope)) == (3, 1)
    assert application_scans(lambda: cached.count(scope)) == (3, 0)
    # Outside the block, each save moves the generation again.
    with django_capture_on_commit_callbacks(execute=True):
        ApplicationFactory(organisation__county=county("越城区"))
    assert application_scans(lambda: cached.count(scope)) == (4, 1)
