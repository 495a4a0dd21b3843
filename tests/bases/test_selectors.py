"""The reads of bases/selectors.py beyond the scope matrix of test_access.py: searches, people,
the workflow as a user meets it (actions, the diagram), 办件进度 and the work queues. Every test
creates rows the reader must not return."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bases import selectors
from bases.choices import Level, OrganisationStatus, State
from bases.models import Application, ApplicationLog
from bases.services import application_transition, log_write
from reviews import services as review_services
from tests.factories import (
    ApplicationFactory,
    BatchFactory,
    OrganisationFactory,
    UserFactory,
    add_evidence,
    advance,
    applicant_of,
    county,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NOW = timezone.now()


def pks(queryset) -> set:
    return {row.pk for row in queryset}


# --- Organisations ----------------------------------------------------------------------------------


@pytest.fixture
def registry():
    yuecheng, keqiao = county("越城区"), county("柯桥区")
    return {
        "jinggong": OrganisationFactory(county=yuecheng, name="绍兴越城精工有限公司"),
        "pending": OrganisationFactory(county=yuecheng, name="越城待确认公司", status=OrganisationStatus.PENDING),
        "keqiao_pending": OrganisationFactory(county=keqiao, name="柯桥待确认公司", status=OrganisationStatus.PENDING),
        "keqiao": OrganisationFactory(county=keqiao, name="柯桥精工公司"),
    }


def test_organisations_search_by_status_name_part_or_exact_credit_code(registry):
    clerk = UserFactory(county_staff=True, county=county("越城区"))
    city = UserFactory(city_reviewer=True)

    def found(user, **query):
        return {o.name for o in selectors.organisations_search(user, **query)}

    assert found(clerk) == {"绍兴越城精工有限公司", "越城待确认公司"}
    assert found(clerk, status=OrganisationStatus.PENDING) == {"越城待确认公司"}
    assert found(city, q="精工") == {"绍兴越城精工有限公司", "柯桥精工公司"}
    assert found(city, q=registry["keqiao"].credit_code.lower()) == {"柯桥精工公司"}
    assert found(city, q=registry["keqiao"].credit_code[:10]) == set()  # a credit code matches whole only
    assert found(city, q="精工", status=OrganisationStatus.PENDING) == set()


def test_pending_organisations_count_for_who_confirms_none_for_others(registry):
    assert selectors.pending_organisations_count(UserFactory(county_staff=True, county=county("越城区"))) == 1
    assert selectors.pending_organisations_count(UserFactory(city_admin=True)) == 2
    assert selectors.pending_organisations_count(UserFactory(city_reviewer=True)) is None
    assert selectors.pending_organisations_count(UserFactory(applicant=True)) is None
    assert selectors.pending_organisations_count(AnonymousUser()) is None


def test_organisations_for_user_applicant_sees_own_even_pending(registry):
    applicant = UserFactory(role="applicant", organisation=registry["pending"])

    assert pks(selectors.organisations_for_user(applicant)) == {registry["pending"].pk}
    assert pks(selectors.organisations_for_user(UserFactory(role="applicant"))) == set()


def test_organisation_users_of_that_organisation_by_username(registry):
    b = UserFactory(username="b_user", role="applicant", organisation=registry["jinggong"])
    a = UserFactory(username="a_user", role="applicant", organisation=registry["jinggong"])
    UserFactory(username="c_user", role="applicant", organisation=registry["keqiao"])

    assert list(selectors.organisation_users(registry["jinggong"])) == [a, b]


# --- Applications, attachments, bases, batches -----------------------------------------------------


def test_attachments_for_user_own_organisation_only():
    mine, theirs = ApplicationFactory(complete=True), ApplicationFactory(complete=True)
    add_evidence(mine)
    add_evidence(theirs)

    visible = selectors.attachments_for_user(mine.created_by)

    assert pks(visible) == pks(mine.attachments.all())
    assert pks(selectors.attachments_for_user(AnonymousUser())) == set()


def test_bases_for_user_county_sees_own_county_bases():
    yuecheng = ApplicationFactory(recognised=True, organisation__county=county("越城区"))
    ApplicationFactory(recognised=True, organisation__county=county("柯桥区"))

    clerk = UserFactory(county_staff=True, county=county("越城区"))

    assert [b.application_id for b in selectors.bases_for_user(clerk)] == [yuecheng.pk]


def test_current_batch_newest_open_else_newest_else_none():
    assert selectors.current_batch() is None
    closed_last = BatchFactory(year=2040, closed=True)
    assert selectors.current_batch() == closed_last
    open_earlier = BatchFactory(year=2039)
    assert selectors.current_batch() == open_earlier
    newest_open = BatchFactory(year=2041)
    assert selectors.current_batch() == newest_open


def test_active_application_ignores_ended_ones_and_other_organisations():
    withdrawn = advance(ApplicationFactory(complete=True), State.WITHDRAWN)
    ApplicationFactory(batch=withdrawn.batch)  # another organisation's, same batch
    assert selectors.active_application(organisation=withdrawn.organisation, batch=withdrawn.batch) is None

    again = ApplicationFactory(organisation=withdrawn.organisation, batch=withdrawn.batch)
    assert selectors.active_application(organisation=withdrawn.organisation, batch=withdrawn.batch) == again


def test_applications_unsubmitted_at_deadline_that_day_before_submission_only():
    closing = BatchFactory(year=2040, deadline=TODAY + datetime.timedelta(days=7))
    other = BatchFactory(year=2041, deadline=TODAY + datetime.timedelta(days=8))
    draft = ApplicationFactory(batch=closing)
    returned = ApplicationFactory(batch=closing, returned=True)
    ApplicationFactory(batch=closing, submitted=True)
    ApplicationFactory(batch=other)

    assert pks(selectors.applications_unsubmitted_at_deadline(closing.deadline)) == {draft.pk, returned.pk}


def test_applications_submitted_before_a_moment():
    old = ApplicationFactory(submitted=True, submitted_at=NOW - datetime.timedelta(days=11))
    ApplicationFactory(submitted=True, submitted_at=NOW - datetime.timedelta(days=9))
    ApplicationFactory(complete=True, submitted_at=NOW - datetime.timedelta(days=30))  # a draft again

    assert pks(selectors.applications_submitted_before(NOW - datetime.timedelta(days=10))) == {old.pk}


def test_reference_lists():
    assert [c.name for c in selectors.counties()][:2] == ["越城区", "柯桥区"]
    first = selectors.industries().first()
    first.is_active = False
    first.save()
    assert first not in selectors.industries()
    assert first in selectors.all_industries()
    batch = BatchFactory(year=2040)
    assert batch in selectors.batches()


# --- People ---------------------------------------------------------------------------------------------


@pytest.fixture
def staff():
    yuecheng, keqiao = county("越城区"), county("柯桥区")
    return {
        "yc_b": UserFactory(county_staff=True, county=yuecheng, last_name="王", username="yc_b"),
        "yc_a": UserFactory(county_staff=True, county=yuecheng, last_name="王", username="yc_a"),
        "yc_inactive": UserFactory(county_staff=True, county=yuecheng, is_active=False),
        "kq": UserFactory(county_staff=True, county=keqiao),
        "reviewer": UserFactory(city_reviewer=True, last_name="沈"),
        "admin": UserFactory(city_admin=True, last_name="安"),
        "city_inactive": UserFactory(city_reviewer=True, is_active=False),
        "applicant": UserFactory(applicant=True),
    }


def names(users, staff) -> set[str]:
    by_pk = {user.pk: name for name, user in staff.items()}
    return {by_pk[user.pk] for user in users if user.pk in by_pk}


def test_staff_of_a_county_and_of_the_city_active_only(staff):
    assert names(selectors.county_staff(county("越城区").pk), staff) == {"yc_a", "yc_b"}
    assert names(selectors.city_staff(), staff) == {"reviewer", "admin"}
    assert names(selectors.bureau_staff(Level.COUNTY, county("柯桥区").pk), staff) == {"kq"}
    assert names(selectors.bureau_staff(Level.CITY, None), staff) == {"reviewer", "admin"}
    assert list(selectors.bureau_staff(None, county("越城区").pk)) == []


def test_acceptance_group_candidates_are_the_authority_staff_by_name(staff):
    city_level = ApplicationFactory(organisation__county=county("越城区"))
    county_level = ApplicationFactory(level=Level.COUNTY, organisation__county=county("越城区"))

    assert [u.username for u in selectors.acceptance_group_candidates(county_level)] == ["yc_a", "yc_b"]
    assert [u.last_name for u in selectors.acceptance_group_candidates(city_level)] == ["安", "沈"]


def test_staff_holding_follows_the_state_table(staff):
    submitted = ApplicationFactory(submitted=True, organisation__county=county("越城区"))
    recommended = ApplicationFactory(recommended=True, organisation__county=county("越城区"))
    draft = ApplicationFactory(organisation__county=county("越城区"))

    assert names(selectors.staff_holding(submitted), staff) == {"yc_a", "yc_b"}
    assert names(selectors.staff_holding(recommended), staff) == {"reviewer", "admin"}
    assert names(selectors.staff_holding(draft), staff) == set()
    assert names(selectors.staff_holding(recommended, State.SUBMITTED), staff) == {"yc_a", "yc_b"}


def test_applicant_users_active_users_of_the_organisation():
    application = ApplicationFactory()
    colleague = UserFactory(role="applicant", organisation=application.organisation)
    UserFactory(role="applicant", organisation=application.organisation, is_active=False)
    UserFactory(applicant=True)

    assert pks(selectors.applicant_users(application)) == {application.created_by.pk, colleague.pk}


# --- The workflow as a user meets it ---------------------------------------------------------------------


def test_available_actions_carry_the_declared_wording():
    draft = ApplicationFactory(complete=True)
    add_evidence(draft)

    actions = {a.name: a for a in selectors.available_actions(draft, draft.created_by)}

    assert actions == {
        "submit": selectors.Action(
            name="submit",
            label="提交申报",
            style="primary",
            confirm="提交后将不能修改，确定提交申报吗？",
            comment=None,
            form=None,
        ),
        "withdraw": selectors.Action(
            name="withdraw",
            label="撤回申报",
            style="danger",
            confirm="撤回后本批次的这份申报即告终止（可重新发起），确定撤回吗？",
            comment="optional",
            form=None,
        ),
    }
    assert actions["submit"].inline is True


def test_action_from_defaults_and_bulk():
    accepted = ApplicationFactory(accepted=True)
    city = UserFactory(city_reviewer=True)

    (action,) = selectors.available_actions(accepted, city)

    assert action == selectors.Action(
        name="open_publicity", label="发起公示", style="primary", confirm="", comment=None, form="publicity", bulk=True
    )
    assert action.inline is False
    started = ApplicationFactory(cultivation=True)
    offered = {a.name: a for a in selectors.available_actions(started, applicant_of(started))}
    assert (offered["start"].style, offered["start"].bulk, offered["start"].comment) == ("primary", False, None)
    assert (offered["withdraw"].style, offered["withdraw"].comment) == ("danger", "optional")


def test_all_transitions_one_row_per_source_with_permission_and_condition_labels():
    rows = selectors.all_transitions()

    assert {
        "name": "submit",
        "source": State.RETURNED,
        "target": State.SUBMITTED,
        "label": "提交申报",
        "permission": "申报单位",
        "conditions": ["申报截止日前", "不在撤销后2年禁止申报期内"],
    } in rows
    assert len([row for row in rows if row["name"] == "withdraw"]) == 4
    assert len(rows) == 22


def test_workflow_states_merges_the_levels_where_they_agree():
    rows = {row["value"]: row for row in selectors.workflow_states()}

    assert list(rows) == [s.value for s in selectors.states.STATES]
    assert rows["draft"]["levels"] == [
        {
            "level": "市级、县级",
            "step": "自主申报",
            "office": "申报单位",
            "next_step": "填写申报表、上传证明材料并提交申报",
            "queue": "",
        }
    ]
    assert rows["submitted"]["levels"] == [
        {
            "level": "市级",
            "step": "审核推荐",
            "office": "所在地县局",
            "next_step": "等待县局审核推荐",
            "queue": "已申报待审核推荐",
        },
        {
            "level": "县级",
            "step": "县局组织验收",
            "office": "所在地县局",
            "next_step": "等待县局审核并组织验收",
            "queue": "已申报待审核推荐",
        },
    ]
    assert rows["in_publicity"]["levels"][0]["office"] == "市局"
    assert [row["queue"] for row in rows["in_acceptance"]["levels"]] == ["验收中", "县级验收中"]
    assert rows["withdrawn"] == {
        "value": "withdrawn",
        "label": "已撤回",
        "public": "申报单位已撤回",
        "levels": [],
        "out": [],
    }
    (revoke,) = rows["recognised"]["out"]
    assert (revoke["name"], revoke["target_label"]) == ("revoke", "已撤销")


def test_procedure_steps_with_county_wording():
    assert selectors.procedure_steps() == [
        {"label": "培育指导", "county_label": "", "city_only": False},
        {"label": "自主申报", "county_label": "", "city_only": False},
        {"label": "审核推荐", "county_label": "", "city_only": True},
        {"label": "组织验收", "county_label": "县局组织验收", "city_only": False},
        {"label": "报批", "county_label": "", "city_only": False},
        {"label": "公示", "county_label": "", "city_only": False},
        {"label": "发文认定", "county_label": "", "city_only": False},
    ]


def test_application_log_that_application_in_order():
    application, other = ApplicationFactory(), ApplicationFactory()
    first = log_write(application=application, user=application.created_by, action="edit", label="一")
    log_write(application=other, user=other.created_by, action="edit", label="他")
    second = log_write(application=application, user=application.created_by, action="edit", label="二")

    assert list(selectors.application_log(application)) == [first, second]


# --- 办件进度 ---------------------------------------------------------------------------------------------


def progress_of(application):
    application = Application.objects.select_related("organisation__county").get(pk=application.pk)
    return selectors.application_progress(application, list(selectors.application_log(application)))


def statuses(progress) -> list[tuple[str, str]]:
    return [(step.label, step.status) for step in progress.steps]


def test_progress_city_draft_never_in_cultivation():
    progress = progress_of(ApplicationFactory())

    assert statuses(progress) == [
        ("培育指导", "skipped"),
        ("自主申报", "current"),
        ("审核推荐", "todo"),
        ("组织验收", "todo"),
        ("报批", "todo"),
        ("公示", "todo"),
        ("发文认定", "todo"),
    ]
    assert progress.current_office.endswith("（申报单位）")
    assert progress.next_step == "填写申报表、上传证明材料并提交申报"
    assert (progress.final, progress.requests) == (False, [])


def test_progress_from_cultivation_marks_it_done_with_the_day_it_was_left():
    clerk = UserFactory(county_staff=True, county=county("越城区"))
    candidate = review_services.candidate_register(
        organisation=OrganisationFactory(county=county("越城区")),
        base_type="point",
        level=Level.CITY,
        batch=BatchFactory(),
        user=clerk,
    )
    applicant = UserFactory(role="applicant", organisation=candidate.organisation)
    application_transition(application=candidate, action="start", user=applicant, version=candidate.version)

    progress = progress_of(candidate)

    cultivation = progress.steps[0]
    assert (cultivation.status, cultivation.office) == ("done", "越城区市场监督管理局")
    assert cultivation.finished_at == ApplicationLog.objects.get(application=candidate, transition="start").created_at
    assert progress.steps[1].finished_at is None


def test_progress_county_level_submitted_is_at_the_county_acceptance():
    progress = progress_of(ApplicationFactory(level=Level.COUNTY, submitted=True))

    assert statuses(progress) == [
        ("培育指导", "skipped"),
        ("自主申报", "done"),
        ("县局组织验收", "current"),
        ("报批", "todo"),
        ("公示", "todo"),
        ("发文认定", "todo"),
    ]
    assert progress.current_office == "越城区市场监督管理局"
    assert progress.next_step == "等待县局审核并组织验收"
    assert [step.office for step in progress.steps][2:] == ["越城区市场监督管理局"] * 4


def test_progress_city_level_in_acceptance_at_the_city():
    progress = progress_of(ApplicationFactory(in_acceptance=True))

    steps = ["skipped", "done", "done", "current", "todo", "todo", "todo"]
    assert [status for _, status in statuses(progress)] == steps
    assert progress.current_office == "绍兴市市场监督管理局"
    assert progress.steps[1].office.endswith("（申报单位）")
    assert progress.steps[2].office == "越城区市场监督管理局"


def test_progress_returned_lists_the_reasons_and_withdrawn_is_final_with_the_steps_it_left():
    application = ApplicationFactory(returned=True)
    progress = progress_of(application)
    assert [entry.transition for entry in progress.requests] == ["return_for_changes"]
    assert progress.next_step == "按退回意见修改后重新提交"
    current = progress.steps[1]  # back in 自主申报, which it left once when it was submitted
    assert (current.status, current.finished_at) == ("current", None)

    withdrawn = advance(application, State.WITHDRAWN)
    progress = progress_of(withdrawn)

    assert statuses(progress) == [
        ("培育指导", "skipped"),
        ("自主申报", "done"),
        ("审核推荐", "done"),
        ("组织验收", "skipped"),
        ("报批", "skipped"),
        ("公示", "skipped"),
        ("发文认定", "skipped"),
    ]
    assert (progress.final, progress.current_office, progress.next_step) == (True, "", "")
    assert [s.finished_at is not None for s in progress.steps] == [False, True, True, False, False, False, False]


def test_office_name_of_each_office():
    application = ApplicationFactory(organisation__name="绍兴甲公司", organisation__county=county("柯桥区"))
    county_level = ApplicationFactory(level=Level.COUNTY, organisation__county=county("柯桥区"))

    assert selectors.office_name(application, "applicant") == "绍兴甲公司（申报单位）"
    assert selectors.office_name(application, "county") == "柯桥区市场监督管理局"
    assert selectors.office_name(application, "authority") == "绍兴市市场监督管理局"
    assert selectors.office_name(county_level, "authority") == "柯桥区市场监督管理局"


# --- Work queues ------------------------------------------------------------------------------------------


def test_work_queues_count_the_bureau_s_queues_in_one_scan(django_assert_num_queries):
    yuecheng = county("越城区")
    for level, state in [
        (Level.CITY, State.SUBMITTED),
        (Level.COUNTY, State.SUBMITTED),
        (Level.COUNTY, State.IN_ACCEPTANCE),
        (Level.CITY, State.IN_ACCEPTANCE),
        (Level.CITY, State.RECOMMENDED),
    ]:
        Application.objects.filter(pk=ApplicationFactory(level=level, organisation__county=yuecheng).pk).update(
            state=state
        )
    clerk = UserFactory(county_staff=True, county=yuecheng)
    city = UserFactory(city_reviewer=True)

    # The clerk's grants (one query on django-guardian's table), then one scan of the applications
    # (the other queries are the cache's: it is the database in the tests).
    with CaptureQueriesContext(connection) as captured:
        county_queues = selectors.work_queues(clerk)

    scans = [query["sql"] for query in captured.captured_queries if "bases_application" in query["sql"]]
    assert len(scans) == 1 and "guardian" not in scans[0]
    assert county_queues == [
        {"title": "培育中的对象", "state": State.CULTIVATION, "count": 0},
        {"title": "已申报待审核推荐", "state": State.SUBMITTED, "count": 2},
        {"title": "县级验收中", "state": State.IN_ACCEPTANCE, "count": 1},
        {"title": "县级已批准待公示", "state": State.ACCEPTED, "count": 0},
        {"title": "县级公示中", "state": State.IN_PUBLICITY, "count": 0},
    ]
    assert selectors.work_queues(city) == [
        {"title": "已推荐待组织验收", "state": State.RECOMMENDED, "count": 1},
        {"title": "验收中", "state": State.IN_ACCEPTANCE, "count": 1},
        {"title": "已批准待公示", "state": State.ACCEPTED, "count": 0},
        {"title": "公示中", "state": State.IN_PUBLICITY, "count": 0},
    ]
    assert selectors.work_queues(UserFactory(applicant=True)) == []


def test_accepted_awaiting_publicity_by_level_county_order_then_pk():
    city = UserFactory(city_reviewer=True)
    keqiao_city = ApplicationFactory(accepted=True, organisation__county=county("柯桥区"))
    yuecheng_county = ApplicationFactory(accepted=True, level=Level.COUNTY, organisation__county=county("越城区"))
    yuecheng_city = ApplicationFactory(accepted=True, organisation__county=county("越城区"))
    ApplicationFactory(in_acceptance=True)

    assert list(selectors.accepted_awaiting_publicity(city)) == [yuecheng_city, keqiao_city, yuecheng_county]


# --- Query shapes: what a page reads of each row comes with it -------------------------------------------


def test_row_selectors_bring_what_pages_read_in_one_query(django_assert_num_queries):
    city = UserFactory(city_reviewer=True)
    for _ in range(2):
        application = ApplicationFactory(complete=True, submitted_at=NOW - datetime.timedelta(days=20))
        add_evidence(application)
    deadline = application.batch.deadline
    Application.objects.update(state=State.DRAFT)

    with django_assert_num_queries(1):
        assert len({a.application.reference for a in selectors.attachments_for_user(city)}) == 2
    with django_assert_num_queries(1):
        assert len([(o.county.name, o.industry.name) for o in selectors.organisations_for_user(city)]) == 2
    with django_assert_num_queries(1):
        rows = selectors.applications_unsubmitted_at_deadline(deadline)
        assert len([(a.organisation.name, a.batch.name) for a in rows]) == 2
    Application.objects.update(state=State.SUBMITTED)
    with django_assert_num_queries(1):
        rows = selectors.applications_submitted_before(NOW)
        assert len([a.organisation.county.bureau_name for a in rows]) == 2


def test_bases_for_user_brings_organisation_county_and_application(django_assert_num_queries):
    ApplicationFactory(recognised=True)
    ApplicationFactory(recognised=True)
    city = UserFactory(city_reviewer=True)

    with django_assert_num_queries(1):
        rows = [(b.organisation.county.name, b.application.reference) for b in selectors.bases_for_user(city)]

    assert len(rows) == 2
