"""State × role: the actions bases.selectors.available_actions offers, for every state of a
city-level and a county-level application, written out here rather than derived from the
declaration in bases/workflow.py. Each situation is reached through the real services
(tests.factories.advance), conditions included (batch open, ban, records, 公示, objections)."""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from bases import selectors
from bases.choices import AcceptanceKind, ObjectionOutcome, State
from bases.models import Application, Batch
from bases.services import application_transition
from reviews import services
from tests.factories import (
    ApplicationFactory,
    BatchFactory,
    UserFactory,
    add_signed_form,
    advance,
    applicant_of,
    county,
)

pytestmark = pytest.mark.django_db

ROLES = (
    "applicant",
    "other_applicant",
    "county",
    "other_county",
    "city_reviewer",
    "city_admin",
    "member",
    "city_leader",
    "county_leader",
    "other_county_leader",
    "anonymous",
)


def expect(**offered) -> dict[str, set[str]]:
    """Every role offered nothing, except those named."""
    return {role: set(offered.get(role, ())) for role in ROLES}


# --- Arranging each situation ----------------------------------------------------------------------


@pytest.fixture
def people():
    """One user per role. The acceptance-group member has the role the group form offers for the
    level (a city reviewer, or a clerk of the county) and leads the group formed in the test."""
    return SimpleNamespace(
        other_applicant=UserFactory(applicant=True),
        county=UserFactory(county_staff=True, county=county("越城区")),
        other_county=UserFactory(county_staff=True, county=county("柯桥区")),
        city_reviewer=UserFactory(city_reviewer=True),
        city_admin=UserFactory(city_admin=True),
        city_member=UserFactory(city_reviewer=True),
        county_member=UserFactory(county_staff=True, county=county("越城区")),
        city_leader=UserFactory(city_leader=True),
        county_leader=UserFactory(county_leader=True, county=county("越城区")),
        other_county_leader=UserFactory(county_leader=True, county=county("柯桥区")),
    )


def _member(level, people):
    return people.city_member if level == "city" else people.county_member


def _advanced(level, people, to_state, **kwargs):
    return ApplicationFactory(
        level=level,
        complete=True,
        advanced_to=to_state,
        advance_with={
            "county_user": people.county,
            "city_user": people.city_reviewer,
            "leader": _member(level, people),
            **kwargs,
        },
    )


def _to(to_state, **kwargs):
    return lambda level, people: _advanced(level, people, to_state, **kwargs)


def _cultivation(level, people):
    organisation = UserFactory(applicant=True).organisation
    return services.candidate_register(
        organisation=organisation, base_type="point", level=level, batch=BatchFactory(), user=people.county
    )


def _draft(level, people):
    return ApplicationFactory(level=level, complete=True)


def _draft_batch_closed(level, people):
    return ApplicationFactory(level=level, complete=True, batch=BatchFactory(closed=True, year=2025))


def _draft_barred(level, people):
    """The organisation's base of an earlier batch was revoked today: 第十五条 bars it for 2 years."""
    revoked = ApplicationFactory(
        level=level,
        complete=True,
        batch=BatchFactory(year=2025),
        advanced_to=State.REVOKED,
        advance_with={"county_user": people.county, "city_user": people.city_reviewer},
    )
    return ApplicationFactory(level=level, complete=True, organisation=revoked.organisation)


def _returned_batch_closed(level, people):
    application = _advanced(level, people, State.RETURNED)
    Batch.objects.filter(pk=application.batch_id).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    return Application.objects.get(pk=application.pk)


def _submitted_paper_back(level, people):
    """已申报, and the scan of the form printed after submission, signed and sealed, is uploaded."""
    application = _advanced(level, people, State.SUBMITTED)
    add_signed_form(application)
    return Application.objects.get(pk=application.pk)


def _submitted_stale_paper(level, people):
    """已申报 again after a return in which the narrative changed: the scan uploaded for the first
    submission carries that form's 校验码, not the one of the form printed for this submission."""
    application = _advanced(level, people, State.SUBMITTED)
    add_signed_form(application)
    application_transition(
        application=application,
        action="return_for_changes",
        user=people.county,
        version=application.version,
        comment="请补充工作开展情况。",
    )
    Application.objects.filter(pk=application.pk).update(narrative=application.narrative + "（已按退回意见补充）")
    advance(application, State.SUBMITTED, county_user=people.county, city_user=people.city_reviewer)
    return Application.objects.get(pk=application.pk)


def _recommended(level, people):
    if level == "city":
        return _advanced(level, people, State.RECOMMENDED)
    # A county-level application is never recommended (recommend requires city level); the
    # state is written directly to pin down that nothing but 退回修改 would be offered there.
    application = _advanced(level, people, State.SUBMITTED)
    Application.objects.filter(pk=application.pk).update(state=State.RECOMMENDED)
    return Application.objects.get(pk=application.pk)


def _in_acceptance_with(*kinds):
    def build(level, people):
        application = _advanced(level, people, State.IN_ACCEPTANCE)
        for kind in kinds:
            services.acceptance_record_add(
                application=application,
                user=_member(level, people),
                kind=kind,
                held_on=timezone.localdate(),
                members="验收组",
                findings="符合要求。",
            )
        return application

    return build


def _in_publicity(*, ended, objection=None):
    """公示中, its period running or ended, with one objection left pending or answered."""

    def build(level, people):
        application = _advanced(level, people, State.IN_PUBLICITY, publicity_ended=ended)
        if objection:
            authority = people.city_reviewer if level == "city" else people.county
            publicity = application.publicities.get()
            raised = services.objection_add(
                publicity=publicity,
                application=application,
                user=authority,
                name="赵明",
                phone="13857500000",
                reasons="培训次数统计偏高。",
                received_on=publicity.starts_on,
            )
            if objection == ObjectionOutcome.UPHELD:  # heard before upheld
                services.objection_answer(objection=raised, user=applicant_of(application), answer="书面说明。")
            if objection != ObjectionOutcome.PENDING:
                services.objection_reply(
                    objection=raised, user=authority, outcome=objection, reply="经核查，书面答复如下。"
                )
        return application

    return build


def _revocation(*, statement):
    """已认定 with a 撤销告知 served today; the organisation has stated its case, or not yet."""

    def build(level, people):
        application = _advanced(level, people, State.RECOGNISED)
        authority = people.city_reviewer if level == "city" else people.county
        case = services.revocation_notice_serve(
            application=application, user=authority, ground="other", facts="经查。", served_on=timezone.localdate()
        )
        if statement:
            services.revocation_statement_submit(case=case, user=applicant_of(application), statement="已整改。")
        return Application.objects.get(pk=application.pk)

    return build


def _sent_back(level, people):
    """报批 refused: back with the group, whose records of this round still count."""
    application = _advanced(level, people, State.PENDING_APPROVAL)
    leader = people.city_leader if level == "city" else people.county_leader
    application_transition(
        application=application, action="send_back", user=leader, version=application.version, comment="请补充意见。"
    )
    return Application.objects.get(pk=application.pk)


SITUATIONS = {
    # name: (state it is in, how to get there)
    "cultivation": (State.CULTIVATION, _cultivation),
    "draft": (State.DRAFT, _draft),
    "draft_batch_closed": (State.DRAFT, _draft_batch_closed),
    "draft_organisation_barred": (State.DRAFT, _draft_barred),
    # 第十一条（三）: the county moves an application on only with its signed and sealed form back.
    "submitted": (State.SUBMITTED, _to(State.SUBMITTED)),
    "submitted_paper_back": (State.SUBMITTED, _submitted_paper_back),
    "submitted_stale_paper": (State.SUBMITTED, _submitted_stale_paper),
    "returned": (State.RETURNED, _to(State.RETURNED)),
    "returned_batch_closed": (State.RETURNED, _returned_batch_closed),
    "declined": (State.DECLINED, _to(State.DECLINED)),
    "recommended": (State.RECOMMENDED, _recommended),
    "in_acceptance_no_records": (State.IN_ACCEPTANCE, _in_acceptance_with()),
    "in_acceptance_written_review_only": (State.IN_ACCEPTANCE, _in_acceptance_with(AcceptanceKind.WRITTEN_REVIEW)),
    "in_acceptance_written_review_and_meeting": (
        State.IN_ACCEPTANCE,
        _in_acceptance_with(AcceptanceKind.WRITTEN_REVIEW, AcceptanceKind.MEETING),
    ),
    "pending_approval": (State.PENDING_APPROVAL, _to(State.PENDING_APPROVAL)),
    "sent_back": (State.IN_ACCEPTANCE, _sent_back),
    "accepted": (State.ACCEPTED, _to(State.ACCEPTED)),
    "failed": (State.FAILED, _to(State.FAILED)),
    "publicity_running": (State.IN_PUBLICITY, _in_publicity(ended=False)),
    "publicity_running_objection_upheld": (
        State.IN_PUBLICITY,
        _in_publicity(ended=False, objection=ObjectionOutcome.UPHELD),
    ),
    "publicity_ended": (State.IN_PUBLICITY, _in_publicity(ended=True)),
    "publicity_ended_objection_pending": (
        State.IN_PUBLICITY,
        _in_publicity(ended=True, objection=ObjectionOutcome.PENDING),
    ),
    "publicity_ended_objection_dismissed": (
        State.IN_PUBLICITY,
        _in_publicity(ended=True, objection=ObjectionOutcome.DISMISSED),
    ),
    "publicity_ended_objection_upheld": (
        State.IN_PUBLICITY,
        _in_publicity(ended=True, objection=ObjectionOutcome.UPHELD),
    ),
    "recognised": (State.RECOGNISED, _to(State.RECOGNISED)),
    "revocation_notice_served": (State.RECOGNISED, _revocation(statement=False)),
    "revocation_statement_made": (State.RECOGNISED, _revocation(statement=True)),
    "revoked": (State.REVOKED, _to(State.REVOKED)),
    "withdrawn": (State.WITHDRAWN, _to(State.WITHDRAWN)),
}

# --- What each role is offered -------------------------------------------------------------------

CITY_STAFF = ("city_reviewer", "city_admin", "member")  # the member of a city-level group is a city reviewer
COUNTY_STAFF = ("county", "member")  # the member of a county-level group is a clerk of the county


def _all(roles, *actions):
    return dict.fromkeys(roles, actions)


EXPECTED = {
    ("city", "cultivation"): expect(applicant={"start", "withdraw"}),
    ("city", "draft"): expect(applicant={"submit", "withdraw"}),
    ("city", "draft_batch_closed"): expect(applicant={"withdraw"}),
    ("city", "draft_organisation_barred"): expect(applicant={"withdraw"}),
    ("city", "submitted"): expect(applicant={"withdraw"}, county={"return_for_changes", "decline"}),
    ("city", "submitted_paper_back"): expect(
        applicant={"withdraw"}, county={"return_for_changes", "decline", "recommend"}
    ),
    ("city", "submitted_stale_paper"): expect(applicant={"withdraw"}, county={"return_for_changes", "decline"}),
    ("city", "returned"): expect(applicant={"submit", "withdraw"}),
    ("city", "returned_batch_closed"): expect(applicant={"withdraw"}),
    ("city", "declined"): expect(),
    ("city", "recommended"): expect(**_all(CITY_STAFF, "return_for_changes", "start_acceptance")),
    ("city", "in_acceptance_no_records"): expect(
        city_reviewer={"return_for_changes"},
        city_admin={"return_for_changes"},
        member={"return_for_changes", "fail_acceptance"},
    ),
    ("city", "in_acceptance_written_review_only"): expect(
        city_reviewer={"return_for_changes"},
        city_admin={"return_for_changes"},
        member={"return_for_changes", "fail_acceptance"},
    ),
    ("city", "in_acceptance_written_review_and_meeting"): expect(
        city_reviewer={"return_for_changes"},
        city_admin={"return_for_changes"},
        member={"return_for_changes", "pass_acceptance", "fail_acceptance"},
    ),
    # 第十一条（四）: the city bureau's leader approves city-level acceptances (报批), nobody else.
    ("city", "pending_approval"): expect(city_leader={"approve", "send_back"}),
    ("city", "sent_back"): expect(
        city_reviewer={"return_for_changes"},
        city_admin={"return_for_changes"},
        member={"return_for_changes", "pass_acceptance", "fail_acceptance"},
    ),
    ("city", "accepted"): expect(**_all(CITY_STAFF, "open_publicity")),
    ("city", "failed"): expect(),
    ("city", "publicity_running"): expect(),
    ("city", "publicity_running_objection_upheld"): expect(**_all(CITY_STAFF, "reject_after_publicity")),
    ("city", "publicity_ended"): expect(**_all(CITY_STAFF, "recognise")),
    ("city", "publicity_ended_objection_pending"): expect(),
    ("city", "publicity_ended_objection_dismissed"): expect(**_all(CITY_STAFF, "recognise")),
    ("city", "publicity_ended_objection_upheld"): expect(**_all(CITY_STAFF, "reject_after_publicity")),
    # 第十五条: no revocation before the notice was served and the statement made (or its period passed).
    ("city", "recognised"): expect(),
    ("city", "revocation_notice_served"): expect(),
    ("city", "revocation_statement_made"): expect(**_all(CITY_STAFF, "revoke")),
    ("city", "revoked"): expect(),
    ("city", "withdrawn"): expect(),
    # 第十七条: the county bureau runs acceptance, publicity, recognition and revocation of county-level
    # bases itself, straight after submission; the city is offered nothing.
    ("county", "cultivation"): expect(applicant={"start", "withdraw"}),
    ("county", "draft"): expect(applicant={"submit", "withdraw"}),
    ("county", "draft_batch_closed"): expect(applicant={"withdraw"}),
    ("county", "draft_organisation_barred"): expect(applicant={"withdraw"}),
    ("county", "submitted"): expect(applicant={"withdraw"}, **_all(COUNTY_STAFF, "return_for_changes", "decline")),
    ("county", "submitted_paper_back"): expect(
        applicant={"withdraw"}, **_all(COUNTY_STAFF, "return_for_changes", "decline", "start_acceptance")
    ),
    ("county", "submitted_stale_paper"): expect(
        applicant={"withdraw"}, **_all(COUNTY_STAFF, "return_for_changes", "decline")
    ),
    ("county", "returned"): expect(applicant={"submit", "withdraw"}),
    ("county", "returned_batch_closed"): expect(applicant={"withdraw"}),
    ("county", "declined"): expect(),
    ("county", "recommended"): expect(**_all(COUNTY_STAFF, "return_for_changes")),
    ("county", "in_acceptance_no_records"): expect(
        county={"return_for_changes"}, member={"return_for_changes", "fail_acceptance"}
    ),
    ("county", "in_acceptance_written_review_only"): expect(
        county={"return_for_changes"}, member={"return_for_changes", "fail_acceptance"}
    ),
    ("county", "in_acceptance_written_review_and_meeting"): expect(
        county={"return_for_changes"}, member={"return_for_changes", "pass_acceptance", "fail_acceptance"}
    ),
    ("county", "pending_approval"): expect(county_leader={"approve", "send_back"}),
    ("county", "sent_back"): expect(
        county={"return_for_changes"}, member={"return_for_changes", "pass_acceptance", "fail_acceptance"}
    ),
    ("county", "accepted"): expect(**_all(COUNTY_STAFF, "open_publicity")),
    ("county", "failed"): expect(),
    ("county", "publicity_running"): expect(),
    ("county", "publicity_running_objection_upheld"): expect(**_all(COUNTY_STAFF, "reject_after_publicity")),
    ("county", "publicity_ended"): expect(**_all(COUNTY_STAFF, "recognise")),
    ("county", "publicity_ended_objection_pending"): expect(),
    ("county", "publicity_ended_objection_dismissed"): expect(**_all(COUNTY_STAFF, "recognise")),
    ("county", "publicity_ended_objection_upheld"): expect(**_all(COUNTY_STAFF, "reject_after_publicity")),
    ("county", "recognised"): expect(),
    ("county", "revocation_notice_served"): expect(),
    ("county", "revocation_statement_made"): expect(**_all(COUNTY_STAFF, "revoke")),
    ("county", "revoked"): expect(),
    ("county", "withdrawn"): expect(),
}


@pytest.mark.parametrize("level, situation", list(EXPECTED), ids=[f"{lv}-{s}" for lv, s in EXPECTED])
def test_available_actions_per_state_and_role_equal_expected(people, level, situation):
    state, arrange = SITUATIONS[situation]
    application = arrange(level, people)
    users = {
        "applicant": applicant_of(application),
        "other_applicant": people.other_applicant,
        "county": people.county,
        "other_county": people.other_county,
        "city_reviewer": people.city_reviewer,
        "city_admin": people.city_admin,
        "member": _member(level, people),
        "city_leader": people.city_leader,
        "county_leader": people.county_leader,
        "other_county_leader": people.other_county_leader,
        "anonymous": AnonymousUser(),
    }

    offered = {role: {a.name for a in selectors.available_actions(application, user)} for role, user in users.items()}

    assert (application.state, application.level) == (state, level)
    assert offered == EXPECTED[level, situation]


def test_matrix_covers_every_state_at_both_levels():
    covered = {(level, SITUATIONS[situation][0]) for level, situation in EXPECTED}

    assert covered == {(level, state) for level in ("city", "county") for state in State}


def test_declared_transitions_equal_the_classified_set():
    declared = {(row["name"], row["source"], row["target"], row["permission"]) for row in selectors.all_transitions()}

    applicant, county_, authority = "申报单位", "所在地县局", "验收认定机关（市级：市局；县级：县局）"
    handler, member = "当前办理机关（县局或市局）", "验收组成员"
    leader = "分管领导（市级：市局分管领导；县级：县局分管领导）"
    assert declared == {
        ("start", State.CULTIVATION, State.DRAFT, applicant),
        ("submit", State.DRAFT, State.SUBMITTED, applicant),
        ("submit", State.RETURNED, State.SUBMITTED, applicant),
        ("withdraw", State.CULTIVATION, State.WITHDRAWN, applicant),
        ("withdraw", State.DRAFT, State.WITHDRAWN, applicant),
        ("withdraw", State.SUBMITTED, State.WITHDRAWN, applicant),
        ("withdraw", State.RETURNED, State.WITHDRAWN, applicant),
        ("return_for_changes", State.SUBMITTED, State.RETURNED, handler),
        ("return_for_changes", State.RECOMMENDED, State.RETURNED, handler),
        ("return_for_changes", State.IN_ACCEPTANCE, State.RETURNED, handler),
        ("decline", State.SUBMITTED, State.DECLINED, county_),
        ("recommend", State.SUBMITTED, State.RECOMMENDED, county_),
        ("start_acceptance", State.SUBMITTED, State.IN_ACCEPTANCE, authority),
        ("start_acceptance", State.RECOMMENDED, State.IN_ACCEPTANCE, authority),
        ("pass_acceptance", State.IN_ACCEPTANCE, State.PENDING_APPROVAL, member),
        ("fail_acceptance", State.IN_ACCEPTANCE, State.FAILED, member),
        ("approve", State.PENDING_APPROVAL, State.ACCEPTED, leader),
        ("send_back", State.PENDING_APPROVAL, State.IN_ACCEPTANCE, leader),
        ("open_publicity", State.ACCEPTED, State.IN_PUBLICITY, authority),
        ("recognise", State.IN_PUBLICITY, State.RECOGNISED, authority),
        ("reject_after_publicity", State.IN_PUBLICITY, State.FAILED, authority),
        ("revoke", State.RECOGNISED, State.REVOKED, authority),
    }


@pytest.mark.parametrize("level", ["city", "county"])
def test_acceptance_group_reformed_after_return_former_member_loses_member_actions(people, level):
    """退回修改 during acceptance, resubmitted, a new group without the first leader: the first leader
    is no longer a member, so 验收通过/不通过 and the acceptance records are no longer theirs."""
    first_leader = _member(level, people)
    new_leader = people.city_reviewer if level == "city" else people.county
    application = _advanced(level, people, State.IN_ACCEPTANCE)
    handler = people.city_reviewer if level == "city" else people.county
    application_transition(
        application=application,
        action="return_for_changes",
        user=handler,
        version=application.version,
        comment="请补充材料。",
    )

    advance(
        application, State.IN_ACCEPTANCE, county_user=people.county, city_user=people.city_reviewer, leader=new_leader
    )

    offered = {
        who: {a.name for a in selectors.available_actions(application, user)}
        for who, user in (("first_leader", first_leader), ("new_leader", new_leader))
    }
    assert set(application.acceptance_group.members.all()) == {new_leader}
    assert offered == {"first_leader": {"return_for_changes"}, "new_leader": {"return_for_changes", "fail_acceptance"}}
