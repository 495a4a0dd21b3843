"""The batch deadline (第十一条（二）), withdrawal before recommendation, and the 2-year ban after a
revocation (第十五条), for new applications and for the submission of drafts already started."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from bases import services as base_services
from bases.choices import State
from bases.models import Application, Base
from bases.services import application_transition
from tests.factories import (
    ApplicationFactory,
    BatchFactory,
    add_evidence,
    advance,
    applicant_of,
    backdate_revocation,
)
from tests.helpers import messages_shown

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def snapshot(application):
    row = Application.objects.filter(pk=application.pk).values("state", "version").get()
    return row["state"], row["version"], application.log.count()


def ready(**kwargs):
    application = ApplicationFactory(complete=True, **kwargs)
    add_evidence(application)
    return application


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # today is 29 February
        return day.replace(year=day.year - years, day=28)


def two_years_after(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 2)
    except ValueError:  # 29 February: free from 1 March
        return datetime.date(day.year + 2, 3, 1)


def cn(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- The deadline -----------------------------------------------------------------------------------


def test_submit_http_after_deadline_refused_with_deadline_date(client):
    batch = BatchFactory(year=2025, name="2025年度商业秘密保护基地申报", deadline=datetime.date(2025, 9, 30))
    application = ready(batch=batch)
    before = snapshot(application)
    client.force_login(application.created_by)

    response = client.post(
        reverse("reviews:application-transition", args=[application.pk, "submit"]), {"version": before[1]}, follow=True
    )

    assert messages_shown(response) == ["本批次（2025年度商业秘密保护基地申报）申报已于2025年9月30日截止，不能再提交。"]
    assert snapshot(application) == before


def test_submit_returned_application_after_deadline_refused():
    application = ApplicationFactory(returned=True)
    application.batch.deadline = TODAY - datetime.timedelta(days=1)
    application.batch.save()
    before = snapshot(application)

    with pytest.raises(ValidationError) as raised:
        application_transition(application=application, action="submit", user=application.created_by, version=before[1])

    assert raised.value.messages == [
        f"本批次（{application.batch.name}）申报已于{cn(TODAY - datetime.timedelta(days=1))}截止，不能再提交。"
    ]
    assert snapshot(application) == before


def test_submit_on_deadline_day_allowed():
    application = ready(batch=BatchFactory(deadline=TODAY))

    submitted = application_transition(
        application=application, action="submit", user=application.created_by, version=application.version
    )

    assert submitted.state == State.SUBMITTED


# --- Withdrawal: until the county recommends ---------------------------------------------------------


@pytest.mark.parametrize(
    "level, state",
    [
        ("city", State.CULTIVATION),
        ("city", State.DRAFT),
        ("city", State.SUBMITTED),
        ("city", State.RETURNED),
        ("county", State.SUBMITTED),
    ],
)
def test_withdraw_before_recommendation_allowed(level, state):
    if state == State.CULTIVATION:
        application = ApplicationFactory(level=level, cultivation=True)
    else:
        application = ApplicationFactory(level=level, complete=True, advanced_to=state)
    version = application.version

    withdrawn = application_transition(
        application=application, action="withdraw", user=applicant_of(application), version=version, comment="暂不申报"
    )

    assert (withdrawn.state, withdrawn.version) == (State.WITHDRAWN, version + 1)
    assert [(e.from_state, e.to_state, e.comment) for e in withdrawn.log.filter(transition="withdraw")] == [
        (state, State.WITHDRAWN, "暂不申报")
    ]


@pytest.mark.parametrize(
    "level, state",
    [
        ("city", State.RECOMMENDED),
        ("city", State.IN_ACCEPTANCE),
        ("city", State.ACCEPTED),
        ("city", State.IN_PUBLICITY),
        ("city", State.RECOGNISED),
        ("city", State.DECLINED),
        ("county", State.IN_ACCEPTANCE),
    ],
)
def test_withdraw_after_recommendation_refused(level, state):
    application = ApplicationFactory(level=level, complete=True, advanced_to=state)
    before = snapshot(application)

    with pytest.raises(ValidationError) as raised:
        application_transition(
            application=application, action="withdraw", user=applicant_of(application), version=before[1]
        )

    assert raised.value.messages == [f"申报当前为“{State(state).label}”，不能执行“撤回申报”。"]
    assert snapshot(application) == before


# --- 第十五条: 2 years after a revocation ------------------------------------------------------------


def revoke_on(revoked_on, **kwargs) -> Application:
    """An application of an earlier batch, recognised and revoked through the services, then moved
    back in time so that the revocation was decided on `revoked_on` (no service backdates it)."""
    application = ApplicationFactory(batch=BatchFactory(year=2024), revoked=True, **kwargs)
    return backdate_revocation(application, revoked_on)


def ban_message(organisation, free_on) -> str:
    return (
        f"{organisation.name}的商业秘密保护基地认定已被撤销，按指南第十五条2年内不得再次申报，"
        f"可于{cn(free_on)}起重新申报。"
    )


def test_revoke_marks_base_with_date_and_new_application_refused_until_two_years(client):
    revoked_on = TODAY - datetime.timedelta(days=30)
    revoked = revoke_on(revoked_on)
    organisation = revoked.organisation

    with pytest.raises(ValidationError) as raised:
        base_services.application_create(
            organisation=organisation, user=revoked.created_by, base_type="point", level="city", batch=BatchFactory()
        )

    free_on = two_years_after(revoked_on)
    assert Base.objects.filter(application=revoked).values_list("status", "revoked_on").get() == ("revoked", revoked_on)
    assert (raised.value.code, raised.value.messages) == ("barred", [ban_message(organisation, free_on)])
    assert f"可于{free_on.year}年{free_on.month}月{free_on.day}日起重新申报" in raised.value.messages[0]
    assert list(Application.objects.filter(organisation=organisation)) == [revoked]


def test_revoke_submit_of_other_draft_of_organisation_refused_with_ban_message(client):
    recognised = ApplicationFactory(batch=BatchFactory(year=2024), recognised=True)
    draft = ready(organisation=recognised.organisation)  # this year's batch, started before the revocation
    advance(recognised, State.REVOKED)
    before = snapshot(draft)
    client.force_login(draft.created_by)

    response = client.post(
        reverse("reviews:application-transition", args=[draft.pk, "submit"]), {"version": before[1]}, follow=True
    )

    assert messages_shown(response) == [ban_message(draft.organisation, two_years_after(TODAY))]
    assert snapshot(draft) == before


@pytest.mark.parametrize(
    "days_after_two_years, barred",
    [(-1, True), (0, False), (1, False)],
    ids=["one_day_before", "two_years_to_the_day", "one_day_after"],
)
def test_reapply_around_two_years_after_revocation(days_after_two_years, barred):
    """revoked_on = today − 2 years − n days: barred while the 2 years run, free once they have passed."""
    revoked_on = years_before(TODAY, 2) - datetime.timedelta(days=days_after_two_years)
    revoked = revoke_on(revoked_on)
    batch = BatchFactory()

    try:
        created = base_services.application_create(
            organisation=revoked.organisation, user=revoked.created_by, base_type="point", level="city", batch=batch
        )
    except ValidationError as exc:
        outcome = exc.messages
    else:
        outcome = created.state

    assert outcome == (
        [ban_message(revoked.organisation, TODAY + datetime.timedelta(days=1))] if barred else State.DRAFT
    )


def test_reapply_ban_one_day_before_end_also_blocks_submit_of_draft():
    revoked = revoke_on(years_before(TODAY, 2) + datetime.timedelta(days=1))
    draft = ready(organisation=revoked.organisation)
    before = snapshot(draft)

    with pytest.raises(ValidationError) as raised:
        application_transition(application=draft, action="submit", user=draft.created_by, version=before[1])

    assert raised.value.messages == [ban_message(draft.organisation, TODAY + datetime.timedelta(days=1))]
    assert snapshot(draft) == before


def test_reapply_ban_latest_revocation_counts():
    old = revoke_on(TODAY - datetime.timedelta(days=3 * 365))
    recent_on = TODAY - datetime.timedelta(days=10)
    backdate_revocation(
        ApplicationFactory(organisation=old.organisation, batch=BatchFactory(year=2025), revoked=True), recent_on
    )

    assert old.organisation.may_apply_again_on() == two_years_after(recent_on)


@pytest.mark.parametrize(
    "today, barred",
    [
        (datetime.date(2026, 2, 27), True),
        (datetime.date(2026, 2, 28), True),  # 民法典第二百零二条: no 29 February → the month's last day ends the period
        (datetime.date(2026, 3, 1), False),
    ],
    ids=["2026-02-27", "2026-02-28", "2026-03-01"],
)
def test_reapply_ban_revoked_on_29_february_lasts_until_28_february_inclusive(monkeypatch, today, barred):
    """Revoked on 29 February 2024: the 2 years end with 28 February 2026; applying again from 1 March."""
    revoked = revoke_on(datetime.date(2024, 2, 29))
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today)

    message = revoked.organisation.reapply_ban_message()

    assert message == (ban_message(revoked.organisation, datetime.date(2026, 3, 1)) if barred else "")
