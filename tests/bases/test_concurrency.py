"""Two people acting on the same application at once: only the first action counts.

(a) Two pages rendered from the same version: the second POST is stale and changes nothing.
(b) Two threads running application_transition at the same moment: the row lock (PostgreSQL)
    or the conditional UPDATE of ConcurrentTransitionMixin lets exactly one through.
"""

import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bases.choices import LogAction, State
from bases.models import Application, ApplicationLog
from bases.services import StaleApplication, application_transition
from tests.factories import ApplicationFactory, UserFactory, county
from tests.helpers import messages_shown

STALE = (
    "该申报已在其他页面或由他人更新（当前为第{current}版，您的页面为第{yours}版），本次操作未执行。"
    "请刷新页面核对后再操作。"
)


def snapshot(application):
    row = Application.objects.filter(pk=application.pk).values("state", "version").get()
    return row["state"], row["version"], ApplicationLog.objects.filter(application=application).count()


def rendered_version(response) -> int:
    return int(re.search(r'name="version" value="(\d+)"', response.content.decode())[1])


@pytest.mark.django_db
def test_stale_page_second_post_refused_with_message_first_one_kept():
    application = ApplicationFactory(complete=True, advanced_to=State.SUBMITTED)
    chen, wang = (UserFactory(county_staff=True, county=county("越城区")) for _ in range(2))
    chen_browser, wang_browser = Client(), Client()
    chen_browser.force_login(chen)
    wang_browser.force_login(wang)
    chen_page = chen_browser.get(reverse("reviews:application-transition", args=[application.pk, "decline"]))
    wang_page = wang_browser.get(reverse("reviews:application-transition", args=[application.pk, "recommend"]))
    version = rendered_version(chen_page)
    chen_browser.post(
        reverse("reviews:application-transition", args=[application.pk, "decline"]),
        {"comment": "不符合条件。", "version": version},
    )
    after_first = snapshot(application)

    response = wang_browser.post(
        reverse("reviews:application-transition", args=[application.pk, "recommend"]),
        {"opinion": "同意推荐。", "signer": "王", "signed_on": "2026-01-05", "version": rendered_version(wang_page)},
        follow=True,
    )

    assert rendered_version(wang_page) == version
    assert after_first == (State.DECLINED, version + 1, 2)
    assert messages_shown(response) == [STALE.format(current=version + 1, yours=version)]
    assert snapshot(application) == after_first
    assert [
        (e.transition, e.actor)
        for e in ApplicationLog.objects.filter(application=application, action=LogAction.TRANSITION)
    ] == [("submit", application.created_by), ("decline", chen)]


# --- A real race ------------------------------------------------------------------------------------


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests flush the database afterwards, reference data included: reload it."""
    call_command("load_reference_data", verbosity=0)


def race(application, moves) -> list:
    """Run each (action, user, kwargs) in its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(moves))
    outcomes = [None] * len(moves)

    def run(i, action, user, kwargs):
        try:
            barrier.wait(timeout=10)
            application_transition(
                application=application, action=action, user=user, version=application.version, **kwargs
            )
            outcomes[i] = "ok"
        except Exception as exc:
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, *move)) for i, move in enumerate(moves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["recommend", "decline"], ids=["same_action", "conflicting_action"])
def test_race_two_threads_same_version_exactly_one_wins(reference_data, second):
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite: the in-memory test database locks whole tables across threads "
            "(OperationalError 'database table is locked'); the race runs on PostgreSQL, as in CI"
        )
    application = ApplicationFactory(complete=True, advanced_to=State.SUBMITTED)
    first_user = UserFactory(county_staff=True, county=county("越城区"))
    second_user = UserFactory(county_staff=True, county=county("越城区"))
    opinion = {"opinion": "同意推荐。", "signer": "王", "signed_on": timezone.localdate()}
    kwargs = {"recommend": {"method_kwargs": opinion}, "decline": {"comment": "不符合条件。"}}
    before = snapshot(application)

    outcomes = race(
        application, [("recommend", first_user, kwargs["recommend"]), (second, second_user, kwargs[second])]
    )

    winners = [o for o in outcomes if o == "ok"]
    losers = [o for o in outcomes if o != "ok"]
    assert len(winners) == 1, outcomes
    assert [type(o) for o in losers] == [StaleApplication], outcomes
    assert isinstance(losers[0], ValidationError) and losers[0].code == "stale"
    state, version, entries = snapshot(application)
    assert (version, entries) == (before[1] + 1, before[2] + 1)
    assert state in {State.RECOMMENDED, State.DECLINED}
