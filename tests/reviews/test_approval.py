"""报批 (第十一条（四）“提出综合验收意见按规定程序报批”): a passed acceptance waits for the acceptance
authority's 分管领导, who approves it (then, and only then, it may enter a 公示) or sends it back to the
group with reasons. Who may do it, what it asks for, where it waits, who is told and what the history
keeps."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from bases import permissions, selectors
from bases.choices import EVERYDAY_ROLES, AcceptanceKind, Role, State
from bases.dates import cn_date
from bases.models import Application, ApplicationLog, User
from bases.services import application_transition
from reviews import services
from reviews.choices import NotificationKind
from reviews.models import Notification, Publicity
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory, advance, applicant_of, county
from tests.helpers import field_groups, list_items, messages_shown

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def people():
    yuecheng, keqiao = county("越城区"), county("柯桥区")
    return SimpleNamespace(
        city=UserFactory(city_reviewer=True),
        member=UserFactory(city_reviewer=True),
        clerk=UserFactory(county_staff=True, county=yuecheng),
        county_member=UserFactory(county_staff=True, county=yuecheng),
        city_leader=UserFactory(city_leader=True, email="leader@sxamr.example.gov.cn"),
        county_leader=UserFactory(county_leader=True, county=yuecheng),
        other_leader=UserFactory(county_leader=True, county=keqiao),
    )


def pending(people, level="city"):
    """An application of 越城区 whose group (led by the member) passed it: it waits for approval."""
    member = people.member if level == "city" else people.county_member
    return ApplicationFactory(
        level=level,
        organisation=OrganisationFactory(county=county("越城区")),
        complete=True,
        advanced_to=State.PENDING_APPROVAL,
        advance_with={"city_user": people.city, "county_user": people.clerk, "leader": member},
    )


def ready_to_pass(people):
    """A city-level application of 越城区 in acceptance, its written review and meeting recorded by the
    group (led by the member): the group may pass it."""
    application = ApplicationFactory(
        organisation=OrganisationFactory(county=county("越城区")),
        complete=True,
        advanced_to=State.IN_ACCEPTANCE,
        advance_with={"city_user": people.city, "leader": people.member},
    )
    for kind in (AcceptanceKind.WRITTEN_REVIEW, AcceptanceKind.MEETING):
        services.acceptance_record_add(
            application=application, user=people.member, kind=kind, held_on=TODAY, members="组", findings="好。"
        )
    return application


def run(application, action, user, **kwargs):
    current = Application.objects.get(pk=application.pk)
    return application_transition(application=current, action=action, user=user, version=current.version, **kwargs)


def approval(day=None, opinion=""):
    return {"approved_on": day or TODAY, "approved_by": "蒋卫东", "opinion": opinion}


def state_of(application):
    return Application.objects.values_list("state", flat=True).get(pk=application.pk)


def transitions(application):
    return [
        (e.transition, e.actor, e.from_state, e.to_state, e.comment)
        for e in ApplicationLog.objects.filter(application=application, action="transition").order_by("pk")
    ]


# --- The gate: no 公示 without approval ------------------------------------------------------------


def test_pass_acceptance_leads_to_approval_not_to_publicity(people):
    application = pending(people)

    assert state_of(application) == State.PENDING_APPROVAL
    assert {a.name for a in selectors.available_actions(application, people.city)} == set()
    assert list(selectors.accepted_awaiting_publicity(people.city)) == []


def test_publicity_open_service_refuses_an_unapproved_application_and_opens_nothing(people):
    application = pending(people)

    with pytest.raises(ValidationError) as refused:
        services.publicity_open(
            applications=[(application, application.version)], user=people.city, title="公示", starts_on=TODAY
        )

    assert refused.value.messages == ["申报当前为“验收通过待报批”，不能执行“发起公示”。"]
    assert (Publicity.objects.count(), state_of(application)) == (0, State.PENDING_APPROVAL)


def test_publicity_open_crafted_post_with_an_unapproved_id_opens_nothing(client, people):
    application = pending(people)
    approved = pending(people)
    run(approved, "approve", people.city_leader, method_kwargs=approval())
    client.force_login(people.city)

    page = client.get(reverse("reviews:publicity-open"))
    response = client.post(
        reverse("reviews:publicity-open"),
        {
            "applications": [application.pk],
            f"version_{application.pk}": application.version,
            "title": "拟认定名单公示",
            "starts_on": TODAY.isoformat(),
            "confirm": "1",
        },
    )

    assert application.reference not in page.content.decode()  # not offered
    assert approved.reference in page.content.decode()
    assert response.status_code == 400
    assert "请至少勾选一份已批准的申报。" in response.content.decode()
    assert (Publicity.objects.count(), state_of(application)) == (0, State.PENDING_APPROVAL)


def test_publicity_open_bulk_post_with_one_unapproved_among_approved_opens_only_the_approved(client, people):
    """The 公示 form takes the approved applications ticked; an unapproved id slipped among them is
    not among the candidates and is never added."""
    unapproved, approved = pending(people), pending(people)
    run(approved, "approve", people.city_leader, method_kwargs=approval())
    client.force_login(people.city)

    client.post(
        reverse("reviews:publicity-open"),
        {
            "applications": [unapproved.pk, approved.pk],
            f"version_{unapproved.pk}": unapproved.version,
            f"version_{approved.pk}": Application.objects.get(pk=approved.pk).version,
            "title": "拟认定名单公示",
            "starts_on": TODAY.isoformat(),
            "confirm": "1",
        },
    )

    assert list(Publicity.objects.get().applications.all()) == [approved]
    assert (state_of(unapproved), state_of(approved)) == (State.PENDING_APPROVAL, State.IN_PUBLICITY)


def test_open_publicity_action_url_on_an_unapproved_application_refused(client, people):
    application = pending(people)
    client.force_login(people.city)
    url = reverse("reviews:application-transition", args=[application.pk, "open_publicity"])

    response = client.post(
        url, {"version": application.version, "title": "公示", "starts_on": TODAY.isoformat(), "confirm": "1"}
    )

    assert response.status_code in (200, 400)
    assert list_items(response, "refusals") == ["申报当前为“验收通过待报批”，不能执行“发起公示”。"]
    assert (Publicity.objects.count(), state_of(application)) == (0, State.PENDING_APPROVAL)


# --- Who approves --------------------------------------------------------------------------------


def test_approve_city_level_by_the_city_leader_records_the_approval(people):
    application = pending(people)

    approved = run(
        application, "approve", people.city_leader, method_kwargs=approval(opinion="同意。"), comment="同意。"
    )

    assert (approved.state, approved.approved_on, approved.approved_by, approved.approval_opinion) == (
        State.ACCEPTED,
        TODAY,
        "蒋卫东",
        "同意。",
    )
    assert transitions(approved)[-1] == (
        "approve",
        people.city_leader,
        State.PENDING_APPROVAL,
        State.ACCEPTED,
        "同意。",
    )
    assert list(selectors.accepted_awaiting_publicity(people.city)) == [approved]


def test_approve_county_level_by_that_county_s_leader(people):
    application = pending(people, level="county")

    assert run(application, "approve", people.county_leader, method_kwargs=approval()).state == State.ACCEPTED


@pytest.mark.parametrize(
    "level, who",
    [
        ("city", "county_leader"),  # a county's leader does not approve city-level bases
        ("city", "other_leader"),
        ("city", "city"),  # the authority's staff, the group's member: not theirs
        ("city", "member"),
        ("city", "clerk"),
        ("county", "city_leader"),  # 第十七条: county-level bases are approved by their county's leader
        ("county", "other_leader"),
        ("county", "clerk"),
        ("county", "county_member"),
    ],
)
def test_approve_and_send_back_refused_to_anyone_but_the_approving_leader(people, level, who):
    application = pending(people, level=level)
    user = getattr(people, who)

    for action, kwargs in (("approve", {"method_kwargs": approval()}), ("send_back", {"comment": "理由。"})):
        with pytest.raises(PermissionDenied):
            run(application, action, user, **kwargs)

    assert state_of(application) == State.PENDING_APPROVAL
    assert not ApplicationLog.objects.filter(application=application, transition__in=["approve", "send_back"]).exists()


def test_approve_page_of_another_county_s_leader_is_not_found_the_city_leader_on_county_level_forbidden(client, people):
    application = pending(people, level="county")
    url = reverse("reviews:application-transition", args=[application.pk, "approve"])

    client.force_login(people.other_leader)
    outside = client.post(url, {"version": application.version, "approved_on": TODAY.isoformat()})
    client.force_login(people.city_leader)
    not_theirs = client.post(url, {"version": application.version, "approved_on": TODAY.isoformat()})

    assert (outside.status_code, not_theirs.status_code) == (404, 403)
    assert state_of(application) == State.PENDING_APPROVAL


def test_leader_is_offered_approval_only_and_no_other_staff_action(people):
    """A leader reads its bureau's applications; 报批 is the one step that is theirs."""
    in_acceptance = ApplicationFactory(complete=True, advanced_to=State.IN_ACCEPTANCE)
    submitted = ApplicationFactory(complete=True, advanced_to=State.SUBMITTED)
    leader = people.city_leader

    assert {a.name for a in selectors.available_actions(pending(people), leader)} == {"approve", "send_back"}
    assert selectors.available_actions(in_acceptance, leader) == []
    assert selectors.available_actions(submitted, leader) == []
    assert not permissions.can_record_acceptance(in_acceptance, leader)
    assert not permissions.is_acceptance_authority(in_acceptance, leader)
    assert leader not in selectors.acceptance_group_candidates(in_acceptance)
    assert people.county_leader not in selectors.acceptance_group_candidates(pending(people, level="county"))


def test_leaders_see_their_bureau_s_applications(people):
    yuecheng_city = pending(people)
    yuecheng_county = pending(people, level="county")
    keqiao = ApplicationFactory(organisation=OrganisationFactory(county=county("柯桥区")))

    assert set(selectors.applications_for_user(people.city_leader)) == {yuecheng_city, yuecheng_county, keqiao}
    assert set(selectors.applications_for_user(people.county_leader)) == {yuecheng_city, yuecheng_county}
    assert set(selectors.applications_for_user(people.other_leader)) == {keqiao}


# --- Sending back ------------------------------------------------------------------------------------


def test_send_back_without_reasons_refused(people):
    application = pending(people)

    with pytest.raises(ValidationError) as refused:
        run(application, "send_back", people.city_leader, comment="   ")

    assert refused.value.messages == ["请填写退回验收组的意见或理由。"]
    assert state_of(application) == State.PENDING_APPROVAL


def test_send_back_page_without_reasons_says_so_and_changes_nothing(client, people):
    application = pending(people)
    client.force_login(people.city_leader)
    url = reverse("reviews:application-transition", args=[application.pk, "send_back"])

    page = client.get(url)
    response = client.post(url, {"version": application.version, "comment": ""})

    assert "comment" in field_groups(page)
    assert response.status_code == 400
    assert "这个字段是必填项" in response.content.decode() or "必填" in response.content.decode()
    assert state_of(application) == State.PENDING_APPROVAL


def test_send_back_returns_to_the_group_whose_records_stay_and_a_new_opinion_goes_for_approval_again(people):
    application = pending(people)
    records = set(application.acceptance_records.values_list("pk", flat=True))

    back = run(application, "send_back", people.city_leader, comment="意见未写明整改情况，请补充。")

    assert back.state == State.IN_ACCEPTANCE
    assert set(back.acceptance_records.values_list("pk", flat=True)) == records
    assert {a.name for a in selectors.available_actions(back, people.member)} == {
        "return_for_changes",
        "pass_acceptance",
        "fail_acceptance",
    }
    opinion = {"opinion": "补充：整改已到位，验收通过。", "signer": "组长", "signed_on": TODAY}
    again = run(back, "pass_acceptance", people.member, method_kwargs=opinion)
    approved = run(again, "approve", people.city_leader, method_kwargs=approval())
    assert approved.state == State.ACCEPTED
    assert [(t, f, s) for t, _, f, s, _ in transitions(approved)][-4:] == [
        ("pass_acceptance", State.IN_ACCEPTANCE, State.PENDING_APPROVAL),
        ("send_back", State.PENDING_APPROVAL, State.IN_ACCEPTANCE),
        ("pass_acceptance", State.IN_ACCEPTANCE, State.PENDING_APPROVAL),
        ("approve", State.PENDING_APPROVAL, State.ACCEPTED),
    ]
    assert transitions(approved)[-3][4] == "意见未写明整改情况，请补充。"


# --- The date of the approval -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, message",
    [
        (TODAY + datetime.timedelta(days=1), f"日期不能晚于今天（{cn_date(TODAY)}）。"),
        (datetime.date(9999, 12, 31), f"日期不能晚于今天（{cn_date(TODAY)}）。"),
        (TODAY - datetime.timedelta(days=1), f"日期不能早于验收意见日期（{cn_date(TODAY)}）。"),
    ],
)
def test_approve_date_between_the_acceptance_opinion_and_today(people, day, message):
    application = pending(people)  # its acceptance opinion is dated today

    with pytest.raises(ValidationError) as refused:
        run(application, "approve", people.city_leader, method_kwargs=approval(day))

    assert refused.value.messages == [message]
    assert state_of(application) == State.PENDING_APPROVAL


def test_approve_page_with_a_future_date_keeps_what_was_typed(client, people):
    application = pending(people)
    client.force_login(people.city_leader)
    url = reverse("reviews:application-transition", args=[application.pk, "approve"])
    tomorrow = TODAY + datetime.timedelta(days=1)

    page = client.get(url)
    response = client.post(
        url, {"version": application.version, "approved_on": tomorrow.isoformat(), "comment": "同意报批。"}
    )

    assert set(field_groups(page)) >= {"approved_on", "comment"}
    assert response.status_code == 400
    body = response.content.decode()
    assert f"日期不能晚于今天（{cn_date(TODAY)}）。" in body
    assert "同意报批。" in body and tomorrow.isoformat() in body
    assert state_of(application) == State.PENDING_APPROVAL


def test_approve_page_approves_and_a_second_click_does_nothing_twice(client, people):
    application = pending(people)
    client.force_login(people.city_leader)
    url = reverse("reviews:application-transition", args=[application.pk, "approve"])
    data = {"version": application.version, "approved_on": TODAY.isoformat(), "comment": ""}

    first = client.post(url, data)
    second = client.post(url, data, follow=True)

    assert first.status_code == 302
    assert state_of(application) == State.ACCEPTED
    assert ApplicationLog.objects.filter(application=application, transition="approve").count() == 1
    assert any("本次操作未执行" in m for m in messages_shown(second))
    entry = ApplicationLog.objects.get(application=application, transition="approve")
    assert (entry.actor, entry.comment) == (people.city_leader, f"同意（{cn_date(TODAY)}）")
    assert Application.objects.get(pk=application.pk).approved_by == people.city_leader.display_name


# --- Queues, notifications, history -----------------------------------------------------------------------


def test_queue_of_the_leaders_counts_what_waits_for_them_the_staff_do_not_see_it_as_theirs(people):
    pending(people)
    pending(people, level="county")
    ApplicationFactory(
        level="county",
        organisation=OrganisationFactory(county=county("柯桥区")),
        complete=True,
        advanced_to=State.PENDING_APPROVAL,
    )

    assert selectors.work_queues(people.city_leader) == [
        {"title": "待报批", "state": State.PENDING_APPROVAL, "count": 1}
    ]
    assert selectors.work_queues(people.county_leader) == [
        {"title": "县级待报批", "state": State.PENDING_APPROVAL, "count": 1}
    ]
    assert selectors.work_queues(people.other_leader) == [
        {"title": "县级待报批", "state": State.PENDING_APPROVAL, "count": 1}
    ]
    staff_queues = selectors.work_queues(people.city) + selectors.work_queues(people.clerk)
    assert State.PENDING_APPROVAL not in {q["state"] for q in staff_queues}
    assert selectors.office_label(State.PENDING_APPROVAL, "city") == "市局分管领导"
    assert selectors.office_label(State.PENDING_APPROVAL, "county") == "所在地县局分管领导"


def test_notify_leaders_when_an_acceptance_passes_and_the_authority_when_they_decide(
    people, django_capture_on_commit_callbacks
):
    application = ready_to_pass(people)
    opinion = {"opinion": "验收通过。", "signer": "组长", "signed_on": TODAY}
    applicants = set(application.organisation.users.all())

    def told(**do):
        Notification.objects.all().delete()
        with django_capture_on_commit_callbacks(execute=True):
            run(application, **do)
        return {n.user: n.message for n in Notification.objects.filter(kind=NotificationKind.TRANSITION)}

    passed = told(action="pass_acceptance", user=people.member, method_kwargs=opinion)
    sent_back = told(action="send_back", user=people.city_leader, comment="请补充整改情况。")
    told(action="pass_acceptance", user=people.member, method_kwargs=opinion)
    approved = told(action="approve", user=people.city_leader, method_kwargs=approval(), comment="同意。")

    # The city's leader (not the counties'), and the applicant, hear of the passed acceptance.
    assert set(passed) == applicants | {people.city_leader}
    assert "状态变为“验收通过待报批”" in passed[people.city_leader]
    # The group and the authority's staff hear of the decision, with the reasons; the applicant, the
    # new state only (the leader's reasons stay with the bureaus).
    city_staff = {people.city, people.member}
    assert set(sent_back) == applicants | city_staff
    assert sent_back[people.member].endswith("退回理由：请补充整改情况。")
    assert all("请补充" not in sent_back[user] for user in applicants)
    assert set(approved) == applicants | city_staff
    assert approved[people.city].endswith("审批意见：同意。")
    assert all("同意。" not in approved[user] for user in applicants)


def test_a_bureau_without_an_active_leader_tells_its_staff_why_the_acceptance_waits(
    people, django_capture_on_commit_callbacks
):
    """报批 with nobody able to approve: the city's staff are told, so that a leader account is set up."""
    application = ready_to_pass(people)
    User.objects.filter(role=Role.LEADER, county__isnull=True).update(is_active=False)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        run(
            application,
            "pass_acceptance",
            people.member,
            method_kwargs={"opinion": "验收通过。", "signer": "组长", "signed_on": TODAY},
        )
    told = {n.user: n.message for n in Notification.objects.filter(kind=NotificationKind.TRANSITION)}
    assert people.city in told and people.city_leader not in told and people.member not in told
    assert "尚无启用的分管领导账号" in told[people.city]
    assert all("分管领导账号" not in told[u] for u in application.organisation.users.all())


def test_history_shows_both_steps_reasons_to_the_bureaus_only(client, people):
    application = pending(people)
    run(application, "send_back", people.city_leader, comment="请补充整改情况。")
    opinion = {"opinion": "验收通过。", "signer": "组长", "signed_on": TODAY}
    run(application, "pass_acceptance", people.member, method_kwargs=opinion)
    run(application, "approve", people.city_leader, method_kwargs=approval(opinion="同意"), comment="同意")
    url = reverse("reviews:application-detail", args=[application.pk])

    client.force_login(people.city)
    staff_page = client.get(url).content.decode()
    client.force_login(applicant_of(application))
    applicant_page = client.get(url).content.decode()

    assert "退回验收组" in staff_page and "请补充整改情况。" in staff_page
    assert "批准" in staff_page and f"蒋卫东于{TODAY.year}年{TODAY.month}月{TODAY.day}日批准：同意" in staff_page
    assert "退回验收组" in applicant_page and "批准" in applicant_page
    assert "请补充整改情况。" not in applicant_page and "蒋卫东" not in applicant_page
    assert "报批" in applicant_page  # the step of the procedure, in the 办理进度


def test_leader_start_page_shows_the_queue_and_the_application_page_the_two_actions(client, people):
    application = pending(people)
    client.force_login(people.city_leader)

    home = client.get(reverse("home")).content.decode()
    page = client.get(reverse("reviews:application-detail", args=[application.pk])).content.decode()

    assert "待报批" in home
    assert reverse("reviews:application-transition", args=[application.pk, "approve"]) in page
    assert reverse("reviews:application-transition", args=[application.pk, "send_back"]) in page


def test_workflow_page_names_the_approval_step_and_who_takes_it(client):
    body = client.get(reverse("reviews:workflow")).content.decode()

    assert "验收通过待报批" in body and "退回验收组" in body and "批准" in body
    assert "分管领导（市级：市局分管领导；县级：县局分管领导）" in body


# --- The role ---------------------------------------------------------------------------------------------


def test_leader_role_scope_city_without_county_county_with_one_never_an_organisation():
    UserFactory(role=Role.LEADER, county=None)
    UserFactory(role=Role.LEADER, county=county("越城区"))

    with pytest.raises(IntegrityError):
        User.objects.create(username="bad_leader", role=Role.LEADER, organisation=OrganisationFactory())


def test_city_admin_gives_the_leader_role():
    assert Role.LEADER in EVERYDAY_ROLES
    assert Role.LEADER in permissions.assignable_roles(UserFactory(city_admin=True))


def test_advance_helper_goes_through_approval_for_every_later_state(people):
    application = ApplicationFactory(complete=True, advanced_to=State.IN_PUBLICITY)

    assert [t for t, *_ in transitions(application)][-3:] == ["pass_acceptance", "approve", "open_publicity"]
    assert advance(pending(people), State.ACCEPTED).state == State.ACCEPTED


def test_public_progress_says_it_is_being_approved_and_names_nobody(people):
    application = pending(people)
    run(application, "send_back", people.city_leader, comment="内部理由。")
    opinion = {"opinion": "验收通过。", "signer": "组长", "signed_on": TODAY}
    run(application, "pass_acceptance", people.member, method_kwargs=opinion)

    progress = selectors.public_progress(Application.objects.get(pk=application.pk))

    assert (progress.status, progress.current_office, progress.next_step) == (
        "验收通过，报批中",
        "绍兴市市场监督管理局",
        "等待市局分管领导审批",
    )
    assert [(s.label, s.status) for s in progress.steps][3:5] == [("组织验收", "done"), ("报批", "current")]
