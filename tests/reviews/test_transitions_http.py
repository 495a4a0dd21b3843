"""The one workflow endpoint, reviews:application-transition: GET shows the action's form, POST runs
the declared transition. Allowed → new state, version + 1 and exactly one log entry; refused →
403 (visible but not yours) or 404 (out of scope) and nothing changes."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from bases.choices import LogAction, ObjectionOutcome, State
from bases.dates import cn_date
from bases.models import Application, ApplicationLog
from bases.selectors import working_calendar
from bases.services import application_transition
from reviews import services
from reviews.services import REVIEW_RIGHTS
from tests.factories import (
    ApplicationFactory,
    BatchFactory,
    UserFactory,
    add_evidence,
    add_signed_form,
    applicant_of,
    approving_leader,
    county,
)
from tests.helpers import field_groups, list_items

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
IP = "10.20.30.40"


@pytest.fixture
def people():
    return SimpleNamespace(
        other_applicant=UserFactory(applicant=True),
        county=UserFactory(county_staff=True, county=county("越城区"), last_name="陈", first_name="志明"),
        other_county=UserFactory(county_staff=True, county=county("柯桥区")),
        city=UserFactory(city_reviewer=True, last_name="沈", first_name="佳怡"),
        city_admin=UserFactory(city_admin=True),
        city_member=UserFactory(city_reviewer=True, last_name="周", first_name="明"),
        county_member=UserFactory(county_staff=True, county=county("越城区"), last_name="钱", first_name="芳"),
    )


def member(level, people):
    return people.city_member if level == "city" else people.county_member


def authority(level, people):
    return people.city if level == "city" else people.county


def arrange(level, people, to_state, *, objection=None, revocation=False, **kwargs):
    application = ApplicationFactory(
        level=level,
        complete=True,
        advanced_to=to_state,
        advance_with={
            "county_user": people.county,
            "city_user": people.city,
            "leader": member(level, people),
            **kwargs,
        },
    )
    if to_state == State.DRAFT:
        add_evidence(application)
    if to_state == State.SUBMITTED:  # the signed form is back: the county's actions are open (第十一条（三）)
        add_signed_form(application)
    if objection:
        publicity = application.publicities.get()
        raised = services.objection_add(
            publicity=publicity,
            application=application,
            user=authority(level, people),
            name="赵明",
            phone="13857500000",
            reasons="培训次数统计偏高。",
            received_on=publicity.starts_on,
        )
        services.objection_answer(objection=raised, user=applicant_of(application), answer="统计无误，附名单。")
        services.objection_reply(
            objection=raised, user=authority(level, people), outcome=objection, reply="经核查，异议成立。"
        )
    if revocation:  # 撤销告知 served, the organisation's statement made
        case = services.revocation_notice_serve(
            application=application,
            user=authority(level, people),
            ground="forged",
            facts="经查培训签到表系事后补签。",
            served_on=TODAY,
        )
        services.revocation_statement_submit(case=case, user=applicant_of(application), statement="签到表属实。")
    return application


def snapshot(application):
    row = Application.objects.filter(pk=application.pk).values("state", "version").get()
    return row["state"], row["version"], ApplicationLog.objects.filter(application=application).count()


def transitions(application):
    return list(ApplicationLog.objects.filter(application=application, action=LogAction.TRANSITION))


def url(application, action):
    return reverse("reviews:application-transition", args=[application.pk, action])


# --- Each transition, by the role that may run it ---------------------------------------------------

OPINION = {"opinion": "经审核，符合条件。", "signer": "负责人甲", "signed_on": TODAY.isoformat()}
OPINION_LOG = f"经审核，符合条件。（负责人：负责人甲，{cn_date(TODAY)}）"


@dataclass
class Case:
    level: str
    start: str  # the state advance() brings the application to
    actor: Callable  # (application, people) -> user
    action: str
    data: Callable  # (application, people) -> POST data
    target: str
    comment: Callable  # (application, people) -> the log entry's comment
    fields: set  # the form's visible controls on GET
    arrange: dict = field(default_factory=dict)


def _applicant(app, people):
    return applicant_of(app)


def _county(app, people):
    return people.county


def _authority(app, people):
    return authority(app.level, people)


def _member(app, people):
    return member(app.level, people)


def _nothing(app, people):
    return {}


def _const(value):
    return lambda app, people: value


def _group_data(app, people):
    return {
        "leader": member(app.level, people).pk,
        "members": [authority(app.level, people).pk],
        "external_experts": "浙江工业大学 王教授",
        "comment": "按计划开展。",
    }


def _group_log(app, people):
    return (
        f"验收组：{member(app.level, people).display_name}、{authority(app.level, people).display_name}"
        "；外聘专家：浙江工业大学 王教授。按计划开展。"
    )


PUBLICITY_DATA = {"title": "拟认定名单公示", "starts_on": TODAY.isoformat()}


def _publicity_log(app, people):
    return f"拟认定名单公示（{cn_date(TODAY)}至{cn_date(working_calendar().add_working_days(TODAY, 5))}）"


RECOGNITION_DATA = {"document_number": f"绍市监管〔{TODAY.year}〕12号", "recognised_on": TODAY.isoformat()}
RECOGNITION_LOG = f"绍市监管〔{TODAY.year}〕12号，{cn_date(TODAY)}"
REVOCATION_DATA = {
    "reasons": "签到表与培训记录不符，陈述申辩不予采纳。",
    "document_number": f"绍市监管〔{TODAY.year}〕20号",
    "revoked_on": TODAY.isoformat(),
}
REVOCATION_LOG = (
    f"（一）伪造虚假申报材料；签到表与培训记录不符，陈述申辩不予采纳。（绍市监管〔{TODAY.year}〕20号，{cn_date(TODAY)}）。"
    + REVIEW_RIGHTS
)
RETURN_DATA = {"items": ["contact_phone", "point-3", "attachments"], "comment": "联系电话有误；制度文件缺签发页。"}

OPINION_FIELDS = {"opinion", "signer", "signed_on"}
GROUP_FIELDS = {"leader", "members", "external_experts", "comment"}
PUBLICITY_FIELDS = {"title", "starts_on"}
RECOGNITION_FIELDS = {"document_number", "recognised_on"}
REVOCATION_FIELDS = {"reasons", "document_number", "revoked_on"}

ALLOWED = {
    "city-start": Case("city", State.CULTIVATION, _applicant, "start", _nothing, State.DRAFT, _const(""), set()),
    "city-submit": Case("city", State.DRAFT, _applicant, "submit", _nothing, State.SUBMITTED, _const(""), set()),
    "city-resubmit": Case("city", State.RETURNED, _applicant, "submit", _nothing, State.SUBMITTED, _const(""), set()),
    "city-withdraw": Case(
        "city",
        State.SUBMITTED,
        _applicant,
        "withdraw",
        _const({"comment": "本年度暂不申报。"}),
        State.WITHDRAWN,
        _const("本年度暂不申报。"),
        {"comment"},
    ),
    "city-return-by-county": Case(
        "city",
        State.SUBMITTED,
        _county,
        "return_for_changes",
        _const(RETURN_DATA),
        State.RETURNED,
        _const(RETURN_DATA["comment"]),
        {"items", "comment"},
    ),
    "city-decline": Case(
        "city",
        State.SUBMITTED,
        _county,
        "decline",
        _const({"comment": "不符合第十条（五）。"}),
        State.DECLINED,
        _const("不符合第十条（五）。"),
        {"comment"},
    ),
    "city-recommend": Case(
        "city",
        State.SUBMITTED,
        _county,
        "recommend",
        _const(OPINION),
        State.RECOMMENDED,
        _const(OPINION_LOG),
        OPINION_FIELDS,
    ),
    "city-return-by-city": Case(
        "city",
        State.RECOMMENDED,
        _authority,
        "return_for_changes",
        _const(RETURN_DATA),
        State.RETURNED,
        _const(RETURN_DATA["comment"]),
        {"items", "comment"},
    ),
    "city-start-acceptance": Case(
        "city",
        State.RECOMMENDED,
        _authority,
        "start_acceptance",
        _group_data,
        State.IN_ACCEPTANCE,
        _group_log,
        GROUP_FIELDS,
    ),
    "city-return-in-acceptance": Case(
        "city",
        State.IN_ACCEPTANCE,
        _authority,
        "return_for_changes",
        _const(RETURN_DATA),
        State.RETURNED,
        _const(RETURN_DATA["comment"]),
        {"items", "comment"},
    ),
    "city-fail-acceptance": Case(
        "city",
        State.IN_ACCEPTANCE,
        _member,
        "fail_acceptance",
        _const(OPINION),
        State.FAILED,
        _const(OPINION_LOG),
        OPINION_FIELDS,
    ),
    "city-open-publicity": Case(
        "city",
        State.ACCEPTED,
        _authority,
        "open_publicity",
        _const(PUBLICITY_DATA),
        State.IN_PUBLICITY,
        _publicity_log,
        PUBLICITY_FIELDS,
    ),
    "city-recognise": Case(
        "city",
        State.IN_PUBLICITY,
        _authority,
        "recognise",
        _const(RECOGNITION_DATA),
        State.RECOGNISED,
        _const(RECOGNITION_LOG),
        RECOGNITION_FIELDS,
        arrange={"publicity_ended": True},
    ),
    "city-reject-after-publicity": Case(
        "city",
        State.IN_PUBLICITY,
        _authority,
        "reject_after_publicity",
        _const({"comment": "异议成立，不予认定。"}),
        State.FAILED,
        _const("异议成立，不予认定。"),
        {"comment"},
        arrange={"objection": ObjectionOutcome.UPHELD},
    ),
    "city-revoke": Case(
        "city",
        State.RECOGNISED,
        _authority,
        "revoke",
        _const(REVOCATION_DATA),
        State.REVOKED,
        _const(REVOCATION_LOG),
        REVOCATION_FIELDS,
        arrange={"revocation": True},
    ),
    "county-submit": Case("county", State.DRAFT, _applicant, "submit", _nothing, State.SUBMITTED, _const(""), set()),
    "county-start-acceptance": Case(
        "county",
        State.SUBMITTED,
        _county,
        "start_acceptance",
        _group_data,
        State.IN_ACCEPTANCE,
        _group_log,
        GROUP_FIELDS,
    ),
    "county-return-in-acceptance": Case(
        "county",
        State.IN_ACCEPTANCE,
        _county,
        "return_for_changes",
        _const(RETURN_DATA),
        State.RETURNED,
        _const(RETURN_DATA["comment"]),
        {"items", "comment"},
    ),
    "county-fail-acceptance": Case(
        "county",
        State.IN_ACCEPTANCE,
        _member,
        "fail_acceptance",
        _const(OPINION),
        State.FAILED,
        _const(OPINION_LOG),
        OPINION_FIELDS,
    ),
    "county-open-publicity": Case(
        "county",
        State.ACCEPTED,
        _county,
        "open_publicity",
        _const(PUBLICITY_DATA),
        State.IN_PUBLICITY,
        _publicity_log,
        PUBLICITY_FIELDS,
    ),
    "county-recognise": Case(
        "county",
        State.IN_PUBLICITY,
        _county,
        "recognise",
        _const(RECOGNITION_DATA),
        State.RECOGNISED,
        _const(RECOGNITION_LOG),
        RECOGNITION_FIELDS,
        arrange={"publicity_ended": True},
    ),
    "county-reject-after-publicity": Case(
        "county",
        State.IN_PUBLICITY,
        _county,
        "reject_after_publicity",
        _const({"comment": "异议成立，不予认定。"}),
        State.FAILED,
        _const("异议成立，不予认定。"),
        {"comment"},
        arrange={"objection": ObjectionOutcome.UPHELD},
    ),
    "county-revoke": Case(
        "county",
        State.RECOGNISED,
        _county,
        "revoke",
        _const(REVOCATION_DATA),
        State.REVOKED,
        _const(REVOCATION_LOG),
        REVOCATION_FIELDS,
        arrange={"revocation": True},
    ),
}


def _arranged(case, people):
    if case.start == State.CULTIVATION:
        organisation = UserFactory(applicant=True).organisation
        return services.candidate_register(
            organisation=organisation, base_type="point", level=case.level, batch=BatchFactory(), user=people.county
        )
    return arrange(case.level, people, case.start, **case.arrange)


@pytest.mark.parametrize("name", list(ALLOWED))
def test_transition_http_right_role_changes_state_and_logs_one_entry(client, people, name):
    case = ALLOWED[name]
    application = _arranged(case, people)
    actor = case.actor(application, people)
    state, version, _ = snapshot(application)
    earlier = transitions(application)
    client.force_login(actor)

    page = client.get(url(application, case.action))
    response = client.post(
        url(application, case.action), {**case.data(application, people), "version": version}, REMOTE_ADDR=IP
    )

    assert (page.status_code, set(field_groups(page))) == (200, case.fields)
    landing = "bases:application-edit" if case.action == "start" else "reviews:application-detail"
    assert response.status_code == 302 and response.url == reverse(landing, args=[application.pk])
    assert snapshot(application)[:2] == (case.target, version + 1)
    new = transitions(application)[len(earlier) :]
    assert [(e.transition, e.actor, e.actor_role, e.from_state, e.to_state, e.comment, e.ip_address) for e in new] == [
        (case.action, actor, actor.get_role_display(), state, case.target, case.comment(application, people), IP)
    ]


def test_transition_http_pass_acceptance_by_member_after_records(client, people):
    """验收通过 needs the written pre-review and the meeting, recorded by the group."""
    application = arrange("city", people, State.IN_ACCEPTANCE)
    client.force_login(people.city_member)
    for kind in ("written_review", "meeting"):
        client.post(
            reverse("reviews:acceptance-record-add", args=[application.pk]),
            {"kind": kind, "held_on": TODAY.isoformat(), "members": "周明、王教授", "findings": "符合要求。"},
        )
    version = snapshot(application)[1]

    response = client.post(url(application, "pass_acceptance"), {**OPINION, "version": version}, REMOTE_ADDR=IP)

    assert response.status_code == 302
    assert snapshot(application)[:2] == (State.PENDING_APPROVAL, version + 1)
    assert [
        (e.transition, e.actor, e.from_state, e.to_state, e.comment, e.ip_address) for e in transitions(application)
    ][-1] == ("pass_acceptance", people.city_member, State.IN_ACCEPTANCE, State.PENDING_APPROVAL, OPINION_LOG, IP)


def test_transition_http_pass_acceptance_without_meeting_refused_with_reason(client, people):
    application = arrange("city", people, State.IN_ACCEPTANCE)
    services.acceptance_record_add(
        application=application,
        user=people.city_member,
        kind="written_review",
        held_on=TODAY,
        members="周明",
        findings="符合要求。",
    )
    before = snapshot(application)
    client.force_login(people.city_member)

    page = client.get(url(application, "pass_acceptance"))
    response = client.post(url(application, "pass_acceptance"), {**OPINION, "version": before[1]})

    # the reason, not a refusal of access, and no form to submit
    assert (page.status_code, list_items(page, "refusals")) == (200, ["验收通过前须至少记录书面预审和会议验收情况。"])
    assert "signed_on" not in field_groups(page)
    assert (response.status_code, list_items(response, "refusals")) == (
        400,
        ["验收通过前须至少记录书面预审和会议验收情况。"],
    )
    assert snapshot(application) == before


# --- Refused: wrong role (403) or out of scope (404), and nothing changes ----------------------------

ACTION_DATA = {
    "submit": {},
    "withdraw": {"comment": "撤回"},
    "decline": {"comment": "不予推荐"},
    "recommend": OPINION,
    "return_for_changes": RETURN_DATA,
    "open_publicity": PUBLICITY_DATA,
    "revoke": REVOCATION_DATA,
    "recognise": RECOGNITION_DATA,
    "pass_acceptance": OPINION,
    "fail_acceptance": OPINION,
}

USERS = {
    "applicant": lambda app, people: applicant_of(app),
    "other_applicant": lambda app, people: people.other_applicant,
    "county": lambda app, people: people.county,
    "other_county": lambda app, people: people.other_county,
    "city": lambda app, people: people.city,
    "city_admin": lambda app, people: people.city_admin,
}

REFUSED = [
    # level, state, action, who, status
    ("city", State.SUBMITTED, "recommend", "applicant", 403),
    ("city", State.SUBMITTED, "recommend", "other_applicant", 404),
    ("city", State.SUBMITTED, "recommend", "other_county", 404),
    ("city", State.SUBMITTED, "recommend", "city", 403),
    ("city", State.SUBMITTED, "decline", "city_admin", 403),
    ("city", State.SUBMITTED, "return_for_changes", "city", 403),
    ("city", State.SUBMITTED, "withdraw", "county", 403),
    ("city", State.DRAFT, "submit", "county", 403),
    ("city", State.DRAFT, "submit", "other_applicant", 404),
    ("city", State.RECOMMENDED, "start_acceptance", "county", 403),
    ("city", State.RECOMMENDED, "start_acceptance", "applicant", 403),
    ("city", State.RECOMMENDED, "return_for_changes", "county", 403),
    ("city", State.IN_ACCEPTANCE, "fail_acceptance", "city_admin", 403),  # not a member of the group
    ("city", State.IN_ACCEPTANCE, "fail_acceptance", "county", 403),
    ("city", State.ACCEPTED, "open_publicity", "county", 403),
    ("city", State.ACCEPTED, "open_publicity", "other_county", 404),
    ("city", State.RECOGNISED, "revoke", "county", 403),
    ("city", State.RECOGNISED, "revoke", "applicant", 403),
    ("county", State.SUBMITTED, "start_acceptance", "city", 403),  # 第十七条: the county accepts, not the city
    ("county", State.SUBMITTED, "start_acceptance", "city_admin", 403),
    ("county", State.SUBMITTED, "start_acceptance", "other_county", 404),
    ("county", State.SUBMITTED, "decline", "city", 403),
    ("county", State.IN_ACCEPTANCE, "fail_acceptance", "city_admin", 403),
    ("county", State.IN_ACCEPTANCE, "return_for_changes", "city", 403),
    ("county", State.ACCEPTED, "open_publicity", "city", 403),
    ("county", State.RECOGNISED, "revoke", "city_admin", 403),
    ("county", State.RECOGNISED, "revoke", "other_county", 404),
]


@pytest.mark.parametrize(
    "level, state, action, who, status", REFUSED, ids=[f"{lv}-{st}-{ac}-{who}" for lv, st, ac, who, _ in REFUSED]
)
def test_transition_http_wrong_role_or_scope_refused_nothing_changed(client, people, level, state, action, who, status):
    application = arrange(level, people, state)
    before = snapshot(application)
    client.force_login(USERS[who](application, people))
    data = _group_data(application, people) if action == "start_acceptance" else ACTION_DATA[action]

    response = client.post(url(application, action), {**data, "version": before[1]})

    assert response.status_code == status
    assert snapshot(application) == before


def test_transition_http_anonymous_redirected_to_login_nothing_changed(client, people):
    application = arrange("city", people, State.SUBMITTED)
    before = snapshot(application)

    response = client.post(url(application, "recommend"), {**OPINION, "version": before[1]})

    assert (response.status_code, response.url.split("?")[0]) == (302, reverse("login"))
    assert snapshot(application) == before


def test_transition_http_get_form_of_action_not_offered_403(client, people):
    application = arrange("city", people, State.SUBMITTED)
    client.force_login(people.city)

    response = client.get(url(application, "recommend"))

    assert response.status_code == 403
    assert f"您无权对申报 {application.reference} 执行“审核推荐”。" in response.content.decode()


def test_transition_http_invalid_form_posted_by_user_without_permission_403_staff_not_listed(client, people):
    """An applicant must not get the 组织验收 form (with every city reviewer as a possible leader)
    by posting it empty: the GET is refused, so must the POST be."""
    application = arrange("city", people, State.RECOMMENDED)
    before = snapshot(application)
    client.force_login(applicant_of(application))

    response = client.post(url(application, "start_acceptance"), {"version": before[1]})

    assert response.status_code == 403
    assert people.city.username not in response.content.decode()
    assert snapshot(application) == before


def test_transition_http_right_role_wrong_state_refused_with_state_message(client, people):
    application = arrange("city", people, State.RECOMMENDED)
    before = snapshot(application)
    client.force_login(people.county)

    response = client.post(url(application, "decline"), {"comment": "不予推荐", "version": before[1]})

    assert (response.status_code, list_items(response, "refusals")) == (
        400,
        ["申报当前为“已推荐”，不能执行“不予推荐”。"],
    )
    assert snapshot(application) == before


# --- Comments and 一次性告知 -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "action, state, objection",
    [
        ("decline", State.SUBMITTED, None),
        ("reject_after_publicity", State.IN_PUBLICITY, ObjectionOutcome.UPHELD),
    ],
)
def test_transition_http_required_comment_missing_field_error_nothing_changed(client, people, action, state, objection):
    application = arrange("city", people, state, objection=objection)
    before = snapshot(application)
    client.force_login(people.county if action == "decline" else people.city)

    response = client.post(url(application, action), {"comment": "  ", "version": before[1]})

    assert response.status_code == 400
    assert (field_groups(response)["comment"].label, field_groups(response)["comment"].errors) == (
        "理由",
        ["请填写理由。"],
    )
    assert snapshot(application) == before


def test_transition_http_return_without_comment_form_error_nothing_changed(client, people):
    application = arrange("city", people, State.SUBMITTED)
    before = snapshot(application)
    client.force_login(people.county)

    response = client.post(
        url(application, "return_for_changes"), {"items": ["contact_phone"], "comment": "", "version": before[1]}
    )

    assert response.status_code == 400
    assert field_groups(response)["comment"].errors == ["请填写退回理由（逐项说明）。"]
    assert snapshot(application) == before


@pytest.mark.parametrize("action, label", [("decline", "不予推荐"), ("return_for_changes", "退回修改")])
def test_transition_service_required_comment_blank_refused(people, action, label):
    application = arrange("city", people, State.SUBMITTED)
    before = snapshot(application)

    with pytest.raises(ValidationError) as raised:
        application_transition(
            application=application, action=action, user=people.county, version=before[1], comment=" \n "
        )

    assert raised.value.messages == [f"请填写{label}的意见或理由。"]
    assert snapshot(application) == before


def test_transition_http_return_records_items_and_applicant_sees_them_under_progress(client, people):
    application = arrange("city", people, State.SUBMITTED)
    client.force_login(people.county)
    client.post(url(application, "return_for_changes"), {**RETURN_DATA, "version": snapshot(application)[1]})
    client.force_login(applicant_of(application))

    page = client.get(reverse("reviews:application-detail", args=[application.pk])).content.decode()

    [entry] = [e for e in transitions(application) if e.transition == "return_for_changes"]
    assert entry.details == {
        "items": [
            {"key": "contact_phone", "label": "联系电话"},
            {"key": "point-3", "label": "第十条（三）制度建设完善"},
            {"key": "attachments", "label": "证明材料"},
        ]
    }
    progress = re.search(r'<h2 id="progress-h">办理进度</h2>(.*?)</section>', page, re.S)[1]
    assert "联系电话有误；制度文件缺签发页。" in progress
    assert re.findall(r"需修改：([^<]+)</li>", progress) == ["联系电话", "第十条（三）制度建设完善", "证明材料"]


# --- County level: straight from submission to the county's acceptance (第十七条) --------------------


def test_transition_service_county_level_recommend_refused_with_reason(people):
    application = arrange("county", people, State.SUBMITTED)
    before = snapshot(application)

    with pytest.raises(ValidationError) as raised:
        application_transition(
            application=application,
            action="recommend",
            user=people.county,
            version=before[1],
            method_kwargs={"opinion": "同意", "signer": "陈", "signed_on": TODAY},
        )

    assert raised.value.messages == ["县级基地由县局直接组织验收，无需向市局推荐。"]
    assert snapshot(application) == before


def test_transition_http_county_level_recommend_refused_with_reason(client, people):
    application = arrange("county", people, State.SUBMITTED)
    before = snapshot(application)
    client.force_login(people.county)

    response = client.post(url(application, "recommend"), {**OPINION, "version": before[1]})

    assert list_items(response, "refusals") == ["县级基地由县局直接组织验收，无需向市局推荐。"]
    assert snapshot(application) == before


@pytest.mark.parametrize("who", ["city", "city_admin"])
def test_transition_service_county_level_start_acceptance_by_city_permission_denied(people, who):
    application = arrange("county", people, State.SUBMITTED)
    before = snapshot(application)

    with pytest.raises(PermissionDenied):
        application_transition(
            application=application,
            action="start_acceptance",
            user=getattr(people, who),
            version=before[1],
            effect_kwargs={"leader": getattr(people, who), "members": []},
        )

    assert snapshot(application) == before


def test_transition_county_level_whole_procedure_stays_with_the_county(people):
    application = arrange("county", people, State.REVOKED)

    assert [(e.transition, e.actor) for e in transitions(application)] == [
        ("submit", applicant_of(application)),
        ("start_acceptance", people.county),
        ("pass_acceptance", people.county_member),
        ("approve", approving_leader(application)),  # 报批: 越城区's own 分管领导
        ("open_publicity", people.county),
        ("recognise", people.county),
        ("revoke", people.county),
    ]
    assert (approving_leader(application).role, approving_leader(application).county) == ("leader", county("越城区"))
    assert application.publicities.get().county == county("越城区")
