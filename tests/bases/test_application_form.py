"""The online form of each base type (附表1–3), driven by its declaration in forms_spec."""

import pytest
from django.urls import reverse

from bases.choices import LogAction, State
from bases.forms_spec import SPECS
from tests.factories import ApplicationFactory, add_evidence, form_data
from tests.helpers import field_groups, list_items, messages_shown

pytestmark = pytest.mark.django_db

BASE_TYPES = sorted(SPECS)
POSTCODE = "邮政编码应为6位数字。"
PHONE = "联系电话格式不正确，请填写11位手机号或带区号的固定电话（如 0575-88888888）。"
# Each message names its field and its unit, and says what to do.
CONDITION_NOT_MET = "申报须同时具备全部条件；不具备该条件的不能提交。"
# The count cell of each form (入园企业数量, 会员数量, 员工数量).
COUNT_CELL = {"zone": "enterprise_count", "station": "member_count", "point": "employee_count"}


@pytest.fixture(params=BASE_TYPES)
def application(request):
    return ApplicationFactory(base_type=request.param)


@pytest.fixture
def applicant_client(client, application):
    client.force_login(application.created_by)
    return client


def required(cell) -> str:
    named = f"{cell.label}（{cell.unit}）" if cell.unit else cell.label
    choosing = cell.choices is not None or cell.name == "industry"
    return f"请选择{named}。" if choosing else f"请填写{named}。"


def edit_url(application):
    return reverse("bases:application-edit", args=[application.pk])


def log_of(application):
    return [(e.action, e.transition) for e in application.log.all()]


def test_edit_save_with_everything_empty_saves_draft(applicant_client, application):
    response = applicant_client.post(
        edit_url(application), {"intent": "save", "version": application.version}, follow=True
    )

    application.refresh_from_db()
    assert application.state == State.DRAFT
    assert application.version == 2
    assert {f.name: getattr(application, f.name) for f in application.spec.fields} == {
        f.name: None
        if f.name
        in (
            "industry",
            "enterprise_count",
            "member_count",
            "employee_count",
            "output_value",
            "provincial_sites_built",
            "city_sites_built",
        )
        else ""
        for f in application.spec.fields
    }
    assert log_of(application) == [(LogAction.EDIT, "")]
    assert messages_shown(response) == ["已保存草稿（第2版）。"]


def test_edit_submit_with_everything_empty_shows_required_next_to_each_cell(applicant_client, application):
    spec = application.spec

    response = applicant_client.post(edit_url(application), {"intent": "submit", "version": application.version})

    groups = field_groups(response)
    application.refresh_from_db()
    assert response.status_code == 400
    assert {f.name: (groups[f.name].label, groups[f.name].errors) for f in spec.fields} == {
        f.name: (f.label, [required(f)]) for f in spec.fields
    }
    assert {name: groups[name].errors for name in ("narrative", "applicant_opinion")} == {
        "narrative": ["请填写商业秘密保护工作开展情况。"],
        "applicant_opinion": [f"请填写{spec.applicant_opinion_label}。"],
    }
    assert {c.code: groups[f"{c.code}__met"].errors for c in spec.conditions} == {
        c.code: [f"请选择是否具备{c.article}条件。"] for c in spec.conditions
    }
    assert (application.state, application.submitted_at) == (State.DRAFT, None)
    assert LogAction.TRANSITION not in {action for action, _ in log_of(application)}


@pytest.mark.parametrize("intent", ["save", "submit"])
def test_edit_invalid_values_rejected_with_messages_and_typed_values_kept(applicant_client, application, intent):
    count = COUNT_CELL[application.base_type]
    data = form_data(
        application,
        intent=intent,
        postcode="12ab",
        contact_phone="123",
        **{count: "-5"},
        leader_name="新任负责人",
        narrative="本单位" * 80,
    )

    response = applicant_client.post(edit_url(application), data)

    groups = field_groups(response)
    before = application.version
    application.refresh_from_db()
    assert response.status_code == 400
    cell = next(f for f in application.spec.fields if f.name == count)
    assert {name: groups[name].errors for name in ("postcode", "contact_phone", count)} == {
        "postcode": [POSTCODE],
        "contact_phone": [PHONE],
        count: [f"{cell.label}（{cell.unit}）不能小于0。"],
    }
    typed = {k: str(v) for k, v in data.items() if k not in ("intent", "version")}
    assert {name: groups[name].value for name in typed} == typed
    assert (application.version, application.postcode, application.leader_name) == (before, "", "")
    assert log_of(application) == []


def test_edit_submit_narrative_too_short_blocks_submission(applicant_client, application):
    minimum = application.spec.narrative_min_length
    short = "短" * (minimum - 1)

    response = applicant_client.post(edit_url(application), form_data(application, narrative=short))

    groups = field_groups(response)
    application.refresh_from_db()
    assert response.status_code == 400
    assert groups["narrative"].errors == [f"请不少于{minimum}字（现有{minimum - 1}字）。"]
    assert groups["narrative"].value == short
    assert (application.state, application.submitted_at) == (State.DRAFT, None)
    assert LogAction.TRANSITION not in {action for action, _ in log_of(application)}


@pytest.mark.parametrize("base_type, code", [(bt, c.code) for bt in BASE_TYPES for c in SPECS[bt].conditions])
def test_edit_submit_condition_answered_no_blocks_submission(client, base_type, code):
    application = ApplicationFactory(base_type=base_type)
    add_evidence(application)
    client.force_login(application.created_by)

    response = client.post(edit_url(application), form_data(application, **{f"{code}__met": "no"}))

    groups = field_groups(response)
    application.refresh_from_db()
    assert response.status_code == 400
    assert {name: g.errors for name, g in groups.items() if g.errors} == {f"{code}__met": [CONDITION_NOT_MET]}
    assert groups[f"{code}__met"].value == "no"
    assert (application.state, application.submitted_at) == (State.DRAFT, None)
    assert LogAction.TRANSITION not in {action for action, _ in log_of(application)}


def test_edit_submit_complete_with_evidence_submits(applicant_client, application):
    add_evidence(application)

    response = applicant_client.post(edit_url(application), form_data(application), follow=True)

    application.refresh_from_db()
    assert response.redirect_chain == [(reverse("reviews:application-detail", args=[application.pk]), 302)]
    assert application.state == State.SUBMITTED
    assert application.submitted_at is not None
    assert application.version == 3  # saved, then submitted
    assert log_of(application) == [(LogAction.EDIT, ""), (LogAction.TRANSITION, "submit")]
    assert [(e.from_state, e.to_state) for e in application.log.filter(transition="submit")] == [
        (State.DRAFT, State.SUBMITTED)
    ]
    assert all(r.holds for r in application.condition_results())
    assert messages_shown(response) == [
        f"申报 {application.reference} 已提交，等待县局审核推荐。申报回执（含查询码）列在申报页面的“文书”中。"
    ]


def test_edit_submit_complete_without_evidence_stays_draft_and_lists_missing(applicant_client, application):
    spec = application.spec

    response = applicant_client.post(edit_url(application), form_data(application), follow=True)

    application.refresh_from_db()
    missing = [f"{c.article}{c.title}：未上传证明材料" for c in spec.conditions]
    assert (application.state, application.submitted_at) == (State.DRAFT, None)
    assert log_of(application) == [(LogAction.EDIT, "")]
    assert list_items(response, "problems") == missing  # each a link to where it is mended
    assert messages_shown(response) == [f"已保存，申报表已填写完整。提交前还需完成 {len(missing)} 项（见下方清单）。"]


def test_edit_save_from_stale_page_refused_409_and_first_save_kept(applicant_client, application):
    first = form_data(application, intent="save", leader_name="第一个页面")
    second = form_data(application, intent="save", leader_name="第二个页面")  # rendered from the same version
    applicant_client.post(edit_url(application), first)

    response = applicant_client.post(edit_url(application), second)

    application.refresh_from_db()
    assert response.status_code == 409
    assert (
        "该申报已在其他页面或由他人更新（当前为第2版，您的页面为第1版），本次操作未执行。" in response.content.decode()
    )
    assert (application.version, application.leader_name) == (2, "第一个页面")
    assert log_of(application) == [(LogAction.EDIT, "")]
