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
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bases.choices import LogAction, State
from bases.models import Application, ApplicationLog
from bases.services import StaleApplication, application_transition
from tests.factories import ApplicationFactory, UserFactory, add_signed_form, county
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
    add_signed_form(application)
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


# --- Real races, 20 at once, on SQLite (WAL, IMMEDIATE, busy timeout) and PostgreSQL -------------

THREADS = 20


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests flush the database afterwards, reference data included: reload it."""
    call_command("load_reference_data", verbosity=0)


def together(work, n=THREADS) -> list:
    """Run work(i) in n threads released together by a barrier; each returns its result or exception."""
    barrier = threading.Barrier(n)
    outcomes = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=30)
            outcomes[i] = work(i)
        except Exception as exc:
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mixed", [False, True], ids=["same_action", "conflicting_actions"])
def test_twenty_threads_same_version_exactly_one_wins(reference_data, mixed):
    application = ApplicationFactory(complete=True, advanced_to=State.SUBMITTED)
    add_signed_form(application)
    clerks = [UserFactory(county_staff=True, county=county("越城区")) for _ in range(THREADS)]
    opinion = {"opinion": "同意推荐。", "signer": "王", "signed_on": timezone.localdate()}
    before = snapshot(application)

    def move(i):
        if mixed and i % 2:
            action, kwargs = "decline", {"comment": "不符合条件。"}
        else:
            action, kwargs = "recommend", {"method_kwargs": opinion}
        application_transition(application=application, action=action, user=clerks[i], version=before[1], **kwargs)
        return "ok"

    outcomes = together(move)

    assert outcomes.count("ok") == 1, outcomes
    losers = [o for o in outcomes if o != "ok"]
    assert {type(o) for o in losers} == {StaleApplication}, outcomes
    assert all(isinstance(o, ValidationError) and o.code == "stale" for o in losers)
    state, version, entries = snapshot(application)
    assert (version, entries) == (before[1] + 1, before[2] + 1)
    assert state in {State.RECOMMENDED, State.DECLINED}


@pytest.mark.django_db(transaction=True)
def test_twenty_identical_posts_one_done_the_rest_told_and_no_server_error(reference_data):
    application = ApplicationFactory(complete=True, advanced_to=State.SUBMITTED)
    add_signed_form(application)
    clerk = UserFactory(county_staff=True, county=county("越城区"))
    url = reverse("reviews:application-transition", args=[application.pk, "recommend"])
    data = {"opinion": "同意推荐。", "signer": "王", "signed_on": timezone.localdate().isoformat()}
    data["version"] = application.version
    clients = [Client(raise_request_exception=False) for _ in range(THREADS)]
    for client in clients:
        client.force_login(clerk)

    outcomes = together(lambda i: clients[i].post(url, data))

    statuses = sorted(getattr(o, "status_code", repr(o)) for o in outcomes)
    assert statuses == [302] * THREADS  # one done, nineteen sent back to the page with the stale message
    assert snapshot(application)[:2] == (State.RECOMMENDED, application.version + 1)
    assert ApplicationLog.objects.filter(application=application, transition="recommend").count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_objections_at_once_each_get_their_own_reference(reference_data):
    from reviews import services
    from reviews.models import Objection

    city = UserFactory(city_reviewer=True)
    applications = [
        ApplicationFactory(complete=True, advanced_to=State.IN_PUBLICITY, advance_with={"city_user": city})
        for _ in range(2)
    ]
    publicities = [a.publicities.get() for a in applications]

    def object_(i):
        return services.objection_add(
            publicity=publicities[i % 2],
            application=applications[i % 2],
            user=city,
            name=f"异议人{i}",
            phone="13800000000",
            reasons="数据不实。",
            received_on=timezone.localdate(),
        ).reference

    outcomes = together(object_)

    assert all(isinstance(o, str) for o in outcomes), outcomes
    assert len(set(outcomes)) == THREADS
    assert Objection.objects.count() == THREADS
    year = timezone.localdate().year
    assert sorted(outcomes) == [f"YY{year}{n:04d}" for n in range(1, THREADS + 1)]


@pytest.mark.django_db(transaction=True)
def test_twenty_uploads_at_once_all_stored_or_refused_none_lost(reference_data, private_storage):
    from bases.models import Attachment
    from bases.services import attachment_add
    from tests.factories import upload

    application = ApplicationFactory(complete=True)
    applicant = application.created_by

    def add(i):
        attachment_add(application=application, user=applicant, uploaded=upload(f"证明{i}.pdf"), condition_code="")
        return "ok"

    outcomes = together(add)

    stored = Attachment.objects.filter(application=application).count()
    refused = [o for o in outcomes if o != "ok"]
    assert all(isinstance(o, ValidationError) for o in refused), refused
    assert stored == outcomes.count("ok") and stored + len(refused) == THREADS
    assert len([p for p in private_storage.rglob("*") if p.is_file()]) == stored


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("limit", ["files", "bytes"])
def test_twenty_uploads_at_once_never_pass_the_quota(reference_data, private_storage, settings, limit):
    from bases.models import Attachment
    from bases.services import attachment_add
    from tests.factories import pdf_bytes, upload

    if limit == "files":
        settings.ATTACHMENT_MAX_FILES = 5
    else:
        settings.ATTACHMENT_MAX_TOTAL_BYTES = len(pdf_bytes()) * 5 + 10
    application = ApplicationFactory(base_type="point")
    applicant = application.created_by

    def add(i):
        attachment_add(application=application, user=applicant, uploaded=upload(f"证明{i}.pdf"), condition_code="")
        return "ok"

    outcomes = together(add)

    refused = [o for o in outcomes if o != "ok"]
    assert outcomes.count("ok") == 5, outcomes
    assert {getattr(o, "code", repr(o)) for o in refused} == {f"quota_{limit}"}
    assert Attachment.objects.filter(application=application).count() == 5
    assert len([p for p in private_storage.rglob("*") if p.is_file()]) == 5
