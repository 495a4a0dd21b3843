"""The floors of procedural dates measured from events that happened on earlier days (the clock is
moved with time-machine): a date may lie on the day of the step before, never before it, and a
revocation waits for the statement or the end of its period, to the day."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from bases.choices import State
from bases.services import application_transition
from reviews import services as review_services
from tests.factories import ApplicationFactory, UserFactory, add_signed_form, applicant_of, county_clerk

pytestmark = pytest.mark.django_db


def days_ago(n: int):
    return time_machine.travel(timezone.now() - datetime.timedelta(days=n), tick=True)


def today():
    return timezone.localdate()


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=timezone.get_current_timezone())


def test_the_county_opinion_may_be_dated_from_the_day_of_submission_not_before():
    with days_ago(10):
        application = ApplicationFactory(complete=True, advanced_to=State.SUBMITTED)
        add_signed_form(application)
        submitted_on = timezone.localdate()
    county = county_clerk(application.organisation.county)

    def recommend(signed_on):
        application.refresh_from_db()
        application_transition(
            application=application,
            action="recommend",
            user=county,
            version=application.version,
            method_kwargs={"opinion": "同意推荐。", "signer": "王", "signed_on": signed_on},
        )

    with pytest.raises(ValidationError, match=f"日期不能早于申报提交日（{submitted_on.year}年"):
        recommend(submitted_on - datetime.timedelta(days=1))
    recommend(submitted_on)  # the same day is fine
    application.refresh_from_db()
    assert application.county_opinion_on == submitted_on == today() - datetime.timedelta(days=10)


@pytest.fixture
def served_ten_days_ago():
    city = UserFactory(city_reviewer=True)
    with days_ago(30):
        application = ApplicationFactory(complete=True, advanced_to=State.RECOGNISED, advance_with={"city_user": city})
    with days_ago(10):
        case = review_services.revocation_notice_serve(
            application=application, user=city, ground="other", facts="经查。", served_on=timezone.localdate()
        )
    return application, case, city


def revoke(application, city, revoked_on):
    application.refresh_from_db()
    application_transition(
        application=application,
        action="revoke",
        user=city,
        version=application.version,
        comment="撤销",
        effect_kwargs={"reasons": "不予采纳。", "document_number": "绍市监管〔2026〕1号", "revoked_on": revoked_on},
    )


def test_the_decision_is_dated_from_the_day_of_the_statement_not_before(served_ten_days_ago):
    application, case, city = served_ten_days_ago
    with days_ago(6):
        review_services.revocation_statement_submit(case=case, user=applicant_of(application), statement="申辩。")
    stated_on = today() - datetime.timedelta(days=6)

    with pytest.raises(ValidationError, match="日期不能早于陈述申辩提交日"):
        revoke(application, city, stated_on - datetime.timedelta(days=1))
    revoke(application, city, stated_on)
    application.refresh_from_db()
    assert application.state == State.REVOKED


def test_without_a_statement_the_decision_waits_until_the_day_after_the_period(served_ten_days_ago):
    application, case, city = served_ten_days_ago
    due = case.statement_due
    # The organisation may still make its statement on the last day of the period …
    with (
        time_machine.travel(noon(due)),
        pytest.raises(ValidationError, match="期满或收到陈述申辩后方可作出决定"),
    ):
        revoke(application, city, due)
    # … and the day after, the authority decides, dated that day at the earliest.
    day_after = due + datetime.timedelta(days=1)
    with time_machine.travel(noon(day_after)):
        with pytest.raises(ValidationError, match="日期不能早于陈述申辩期满次日"):
            revoke(application, city, due)
        revoke(application, city, day_after)
    application.refresh_from_db()
    assert application.state == State.REVOKED
    assert application.base.revoked_on == day_after
