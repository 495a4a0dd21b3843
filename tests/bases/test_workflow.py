"""The conditions of the workflow declaration (bases/workflow.py), one by one: what each reads, when
it holds, and the refusal the user reads when it does not."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bases import workflow
from bases.choices import AcceptanceKind, Level, ObjectionOutcome, State
from bases.models import Application
from bases.services import application_transition
from reviews import services
from reviews.models import Objection, Publicity
from tests.factories import ApplicationFactory, BatchFactory, UserFactory, advance, applicant_of, county

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
OPINION = {"opinion": "符合条件。", "signer": "负责人", "signed_on": TODAY}


def run(application, action, user, **kwargs) -> Application:
    current = Application.objects.get(pk=application.pk)
    return application_transition(application=current, action=action, user=user, version=current.version, **kwargs)


def record(application, user, *kinds):
    for kind in kinds:
        services.acceptance_record_add(
            application=application, user=user, kind=kind, held_on=TODAY, members="验收组", findings="符合要求。"
        )


def fresh(application) -> Application:
    return Application.objects.get(pk=application.pk)


# --- The deadline and the ban ---------------------------------------------------------------------


def test_batch_is_open_until_the_deadline_day_inclusive_then_refuses_with_the_date():
    application = ApplicationFactory(batch=BatchFactory(year=2030, name="2030年度申报", deadline=TODAY))
    assert workflow.batch_is_open(application) is True

    application.batch.deadline = TODAY - datetime.timedelta(days=1)
    yesterday = application.batch.deadline

    assert workflow.batch_is_open(application) is False
    assert workflow.refusal_message(workflow.batch_is_open, application) == (
        f"本批次（2030年度申报）申报已于{yesterday.year}年{yesterday.month}月{yesterday.day}日截止，不能再提交。"
    )


def test_not_barred_after_a_revocation_refuses_with_the_organisation_and_the_first_free_day():
    revoked = ApplicationFactory(revoked=True, advance_with={"revoked_on": TODAY})
    draft = ApplicationFactory(organisation=revoked.organisation, batch=BatchFactory(year=TODAY.year + 1))
    free_on = TODAY.replace(year=TODAY.year + 2) if (TODAY.month, TODAY.day) != (2, 29) else None

    assert workflow.not_barred(ApplicationFactory()) is True
    assert workflow.not_barred(draft) is False
    message = workflow.refusal_message(workflow.not_barred, draft)
    assert message.startswith(
        f"{revoked.organisation.name}的商业秘密保护基地认定已被撤销，按指南第十五条2年内不得再次申报"
    )
    if free_on:
        assert message.endswith(f"可于{free_on.year}年{free_on.month}月{free_on.day}日起重新申报。")


# --- Level and the way to acceptance (第十七条) ----------------------------------------------------------


@pytest.mark.parametrize("level, expected", [(Level.CITY, True), (Level.COUNTY, False)])
def test_is_city_level_holds_only_for_city_level_applications(level, expected):
    assert workflow.is_city_level(SimpleNamespace(level=level)) is expected


@pytest.mark.parametrize(
    "level, state, expected",
    [
        (Level.CITY, State.RECOMMENDED, True),
        (Level.CITY, State.SUBMITTED, False),
        (Level.COUNTY, State.SUBMITTED, True),
        (Level.COUNTY, State.RECOMMENDED, False),
    ],
)
def test_awaits_acceptance_city_after_recommendation_county_straight_after_submission(level, state, expected):
    assert workflow.awaits_acceptance(SimpleNamespace(level=level, state=state)) is expected


# --- Acceptance records of the current round --------------------------------------------------------


def test_acceptance_recorded_needs_written_review_and_meeting_of_the_group():
    leader = UserFactory(city_reviewer=True)
    application = ApplicationFactory(in_acceptance=True, advance_with={"city_user": leader})
    assert workflow.acceptance_recorded(fresh(application)) is False

    record(application, leader, AcceptanceKind.WRITTEN_REVIEW, AcceptanceKind.SPOT_CHECK, AcceptanceKind.SITE_VISIT)
    assert workflow.acceptance_recorded(fresh(application)) is False

    record(application, leader, AcceptanceKind.MEETING)
    assert workflow.acceptance_recorded(fresh(application)) is True


def test_acceptance_recorded_counts_a_record_made_the_moment_the_group_was_formed():
    leader = UserFactory(city_reviewer=True)
    application = ApplicationFactory(in_acceptance=True, advance_with={"city_user": leader})
    record(application, leader, AcceptanceKind.WRITTEN_REVIEW, AcceptanceKind.MEETING)
    application.acceptance_records.update(created_at=application.acceptance_group.formed_at)

    assert workflow.acceptance_recorded(fresh(application)) is True


def test_acceptance_recorded_without_a_group_does_not_hold():
    application = ApplicationFactory(submitted=True)

    assert workflow.acceptance_recorded(application) is False


def test_acceptance_recorded_records_of_an_earlier_round_do_not_count_after_return_and_resubmission():
    """A group's records count for its own round only: the application was returned from acceptance,
    resubmitted, recommended again and a new group formed, so it must check again."""
    city = UserFactory(city_reviewer=True)
    clerk = UserFactory(county_staff=True, county=county("越城区"))
    application = ApplicationFactory(
        organisation__county=county("越城区"),
        in_acceptance=True,
        advance_with={"city_user": city, "county_user": clerk},
    )
    record(application, city, AcceptanceKind.WRITTEN_REVIEW, AcceptanceKind.MEETING)
    assert workflow.acceptance_recorded(fresh(application)) is True

    run(application, "return_for_changes", city, comment="请补充保密制度。")
    run(application, "submit", applicant_of(application))
    run(application, "recommend", clerk, method_kwargs=OPINION)
    run(application, "start_acceptance", city, effect_kwargs={"leader": city, "members": []})

    assert workflow.acceptance_recorded(fresh(application)) is False
    with pytest.raises(ValidationError) as refused:
        run(application, "pass_acceptance", city, method_kwargs=OPINION)
    assert refused.value.messages == ["验收通过前须至少记录书面预审和会议验收情况。"]
    assert fresh(application).state == State.IN_ACCEPTANCE

    record(application, city, AcceptanceKind.WRITTEN_REVIEW, AcceptanceKind.MEETING)
    assert run(application, "pass_acceptance", city, method_kwargs=OPINION).state == State.PENDING_APPROVAL


# --- 公示 and objections ---------------------------------------------------------------------------------


def in_publicity(*, ended: bool) -> Application:
    return advance(ApplicationFactory(complete=True), State.IN_PUBLICITY, publicity_ended=ended)


def test_publicity_ended_reads_the_latest_publicity_and_names_its_last_day():
    running = in_publicity(ended=False)
    publicity = running.publicities.get()

    assert workflow.current_publicity(running) == publicity
    assert workflow.publicity_ended(running) is False
    ends = publicity.ends_on
    assert workflow.refusal_message(workflow.publicity_ended, running) == (
        f"公示期尚未结束，不能认定。公示至{ends.year}年{ends.month}月{ends.day}日。"
    )
    assert workflow.publicity_ended(in_publicity(ended=True)) is True


def test_current_publicity_is_the_latest_by_start_date():
    application = in_publicity(ended=True)
    older = application.publicities.get()
    later = Publicity.objects.create(
        title="第二次公示",
        level=Level.CITY,
        starts_on=older.starts_on + datetime.timedelta(days=1),
        ends_on=TODAY + datetime.timedelta(days=5),
        opened_by=older.opened_by,
    )
    later.applications.add(application)

    assert workflow.current_publicity(fresh(application)) == later
    assert workflow.publicity_ended(fresh(application)) is False


def test_publicity_ended_without_any_publicity_does_not_hold_and_says_so():
    application = ApplicationFactory(accepted=True)

    assert workflow.current_publicity(application) is None
    assert workflow.publicity_ended(application) is False
    assert workflow.refusal_message(workflow.publicity_ended, application) == "公示期尚未结束，不能认定。"


def object_to(application, *, outcome=None, reply=""):
    publicity = application.publicities.get()
    objection = Objection.objects.create(
        reference=f"YYT{Objection.objects.count() + 1:04d}",
        publicity=publicity,
        application=application,
        name="张三",
        phone="13900000000",
        reasons="材料不实。",
        received_on=publicity.starts_on,
    )
    if outcome:
        Objection.objects.filter(pk=objection.pk).update(outcome=outcome, reply=reply)
    return objection


@pytest.mark.parametrize(
    "outcome, reply, resolved, upheld",
    [
        (None, "", False, False),
        (ObjectionOutcome.DISMISSED, "", False, False),  # an outcome without a written reply is not resolved
        (ObjectionOutcome.DISMISSED, "经核实，异议不成立。", True, False),
        (ObjectionOutcome.UPHELD, "经核实，异议成立。", True, True),
    ],
)
def test_objection_conditions_read_outcome_and_written_reply(outcome, reply, resolved, upheld):
    application = in_publicity(ended=True)
    assert (workflow.objections_resolved(application), workflow.no_upheld_objection(application)) == (True, True)

    object_to(application, outcome=outcome, reply=reply)
    application = fresh(application)

    assert workflow.objections_resolved(application) is resolved
    assert workflow.no_upheld_objection(application) is not upheld
    assert workflow.has_upheld_objection(application) is upheld


def test_every_condition_is_described_with_a_label_and_a_refusal():
    conditions = {
        c for t in Application._meta.get_field("state").get_all_transitions(Application) for c in t.conditions
    }

    assert {c.__name__: c.label for c in conditions} == {
        "batch_is_open": "申报截止日前",
        "not_barred": "不在撤销后2年禁止申报期内",
        "is_city_level": "市级申报",
        "signed_form_received": "已上传签章申报表扫描件（校验码与本次申报一致）",
        "awaits_acceptance": "市级已推荐／县级已申报",
        "acceptance_recorded": "已记录书面预审和会议验收",
        "publicity_ended": "公示期已满",
        "objections_resolved": "异议均已书面答复",
        "no_upheld_objection": "无成立的异议",
        "has_upheld_objection": "有成立的异议",
        "revocation_ripe": "已送达撤销告知且陈述申辩已提交或期满",
    }
    application = SimpleNamespace(level=Level.COUNTY)
    assert (
        workflow.refusal_message(workflow.is_city_level, application) == "县级基地由县局直接组织验收，无需向市局推荐。"
    )


def test_describe_gives_a_condition_its_label_and_refusal():
    def condition(application):
        return False

    workflow.describe(condition, label="某条件", refusal="不满足某条件。")

    assert (condition.label, workflow.refusal_message(condition, None)) == ("某条件", "不满足某条件。")


def test_refusal_message_of_an_undescribed_condition_is_generic():
    def undescribed(application):
        return False

    assert workflow.refusal_message(undescribed, None) == "当前不满足办理条件。"
