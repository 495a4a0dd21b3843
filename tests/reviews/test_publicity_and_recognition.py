"""征求意见 (公示), objections, 发文认定 and revocation (第十一条（五）（六）,
第十五条, 第十六条)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from bases.choices import LogAction, ObjectionOutcome, State
from bases.models import Application, Base
from bases.selectors import working_calendar
from bases.services import application_transition
from reviews import services
from reviews.forms import ObjectionForm, RecognitionForm
from reviews.models import Objection, Publicity, RevocationCase
from tests.factories import (
    ApplicationFactory,
    OrganisationFactory,
    UserFactory,
    applicant_of,
    backdate_publicity,
    county,
)
from tests.helpers import messages_shown

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def cn(day):
    return f"{day.year}年{day.month}月{day.day}日"


@pytest.fixture
def city():
    return UserFactory(city_reviewer=True)


def accepted(city, **kwargs):
    return ApplicationFactory(accepted=True, advance_with={"city_user": city}, **kwargs)


def open_publicity(city, applications, *, began_days_ago=0, title="拟认定名单公示"):
    """Open a 公示 from today through the service; `began_days_ago` then moves it back in time (its
    7 days long), as if it had been opened then: no service opens one in the past."""
    publicity = services.publicity_open(
        applications=[(a, a.version) for a in applications], user=city, title=title, starts_on=TODAY
    )
    if began_days_ago:
        backdate_publicity(publicity, days=began_days_ago)
    return publicity


def publicity_end(start):
    return working_calendar().add_working_days(start, 5)


def state_of(application):
    return Application.objects.values_list("state", flat=True).get(pk=application.pk)


# --- Opening a 公示 -----------------------------------------------------------------------------------


def test_publicity_open_groups_several_accepted_applications_in_one(city):
    first, second, third = (accepted(city) for _ in range(3))

    publicity = open_publicity(city, [first, second, third])

    assert set(publicity.applications.all()) == {first, second, third}
    assert (publicity.level, publicity.county, publicity.opened_by) == ("city", None, city)
    assert {state_of(a) for a in (first, second, third)} == {State.IN_PUBLICITY}
    assert [
        list(a.log.filter(transition="open_publicity").values_list("comment", flat=True))
        for a in (first, second, third)
    ] == [[f"拟认定名单公示（{cn(TODAY)}至{cn(publicity_end(TODAY))}）"]] * 3
    assert (publicity.starts_on, publicity.ends_on) == (TODAY, publicity_end(TODAY))


def test_publicity_open_posted_with_none_ticked_says_so_and_opens_nothing(client, city):
    # Found by tests/test_fuzz_forms.py: a post with no fields left the form unbound, and adding the
    # error to it was a server error.
    application = accepted(city)
    client.force_login(city)

    for data in ({"title": "拟认定名单公示", "starts_on": TODAY.isoformat(), "confirm": "1"}, {}):
        response = client.post("/publicities/new/", data)

        assert response.status_code == 400
        assert "请至少勾选一份已批准的申报。" in response.content.decode()
    assert not Publicity.objects.exists()
    assert state_of(application) == State.ACCEPTED


def test_publicity_open_mixed_levels_refused_nothing_opened(city):
    city_level = accepted(city)
    county_level = ApplicationFactory(level="county", accepted=True)

    with pytest.raises(ValidationError) as raised:
        open_publicity(city, [city_level, county_level])

    assert raised.value.messages == ["同一公示中的申报须为同一级别（县级须为同一县）。"]
    assert list(Publicity.objects.all()) == []
    assert (state_of(city_level), state_of(county_level)) == (State.ACCEPTED, State.ACCEPTED)


def test_publicity_open_county_level_of_two_counties_refused(city):
    yuecheng = ApplicationFactory(level="county", accepted=True)
    keqiao = ApplicationFactory(
        level="county", accepted=True, organisation=OrganisationFactory(county=county("柯桥区"))
    )

    with pytest.raises(ValidationError):
        open_publicity(UserFactory(county_staff=True), [yuecheng, keqiao])

    assert list(Publicity.objects.all()) == []


def test_publicity_open_one_refused_none_opened(city):
    ready, not_yet = accepted(city), ApplicationFactory(complete=True, advanced_to=State.IN_ACCEPTANCE)

    with pytest.raises(ValidationError):
        open_publicity(city, [ready, not_yet])

    assert list(Publicity.objects.all()) == []
    assert (state_of(ready), state_of(not_yet)) == (State.ACCEPTED, State.IN_ACCEPTANCE)


# --- Objections -------------------------------------------------------------------------------------


@pytest.fixture
def running(city):
    """A city-level 公示 that began three days ago and still runs."""
    application = accepted(city)
    publicity = open_publicity(city, [application], began_days_ago=3)
    application.refresh_from_db()
    return publicity, application


def objection(publicity, application, user, **overrides):
    data = {
        "name": "赵明",
        "phone": "13857500000",
        "reasons": "培训次数统计偏高，附签到表复印件。",
        "received_on": publicity.starts_on,
    } | overrides
    return services.objection_add(publicity=publicity, application=application, user=user, **data)


@pytest.mark.parametrize("who", ["county", "applicant"])
def test_publicity_services_by_anyone_but_its_authority_permission_denied_nothing_written(running, city, who):
    """A city-level 公示 is the city's: a county clerk or the applicant may neither register or answer
    an objection, nor end the 公示, nor recognise from it."""
    publicity, application = running
    outsider = {
        "county": UserFactory(county_staff=True, county=application.organisation.county),
        "applicant": application.created_by,
    }[who]
    registered = objection(publicity, application, city)

    with pytest.raises(PermissionDenied):
        objection(publicity, application, outsider)
    with pytest.raises(PermissionDenied):
        services.objection_reply(
            objection=registered, user=outsider, outcome=ObjectionOutcome.DISMISSED, reply="不成立"
        )
    with pytest.raises(PermissionDenied):
        services.publicity_close(publicity=publicity, user=outsider)
    with pytest.raises(PermissionDenied):
        services.publicity_recognise(
            publicity=publicity, user=outsider, document_number="绍市监管〔2026〕9号", recognised_on=TODAY
        )

    assert list(Objection.objects.filter(publicity=publicity).values_list("pk", "outcome")) == [
        (registered.pk, ObjectionOutcome.PENDING)
    ]
    assert Publicity.objects.get(pk=publicity.pk).closed_at is None
    assert state_of(application) == State.IN_PUBLICITY


@pytest.mark.parametrize(
    "received",
    [
        lambda p: p.starts_on - datetime.timedelta(days=1),
        lambda p: p.ends_on + datetime.timedelta(days=1),
    ],
    ids=["day_before_start", "day_after_end"],
)
def test_objection_add_outside_period_refused(running, city, received):
    publicity, application = running
    day = received(publicity)

    with pytest.raises(ValidationError) as raised:
        objection(publicity, application, city, received_on=day)

    assert raised.value.messages == ["异议须在公示期内提出，公示期外收到的不予受理。"]
    assert list(Objection.objects.all()) == []


@pytest.mark.parametrize("missing", ["name", "phone"])
def test_objection_add_without_name_or_phone_refused(running, city, missing):
    publicity, application = running

    with pytest.raises(ValidationError) as raised:
        objection(publicity, application, city, **{missing: ""})

    assert set(raised.value.message_dict) == {missing}
    assert list(Objection.objects.all()) == []


def test_objection_form_anonymous_refused_with_field_errors(running):
    publicity, application = running

    form = ObjectionForm(
        {
            "application": application.pk,
            "name": "",
            "phone": "",
            "reasons": "匿名举报。",
            "received_on": TODAY.isoformat(),
        },
        publicity=publicity,
    )

    assert (form.is_valid(), set(form.errors)) == (False, {"name", "phone"})


def test_objection_http_registered_with_reference_and_log(client, running, city):
    publicity, application = running
    client.force_login(city)

    response = client.post(
        reverse("reviews:objection-add", args=[publicity.pk]),
        {
            "application": application.pk,
            "name": "赵明",
            "phone": "13857500000",
            "reasons": "统计偏高。",
            "received_on": TODAY.isoformat(),
        },
        follow=True,
    )

    [registered] = Objection.objects.all()
    assert registered.reference == f"YY{publicity.starts_on.year}0001"
    answer_due = working_calendar().add_working_days(TODAY + datetime.timedelta(days=1), 5)
    assert messages_shown(response) == [
        f"已登记异议，编号 {registered.reference}；已请申报单位于{cn(answer_due)}前书面说明。"
    ]
    assert registered.answer_due == answer_due
    assert [(e.action, e.label, e.actor) for e in application.log.filter(action=LogAction.OBJECTION)] == [
        (LogAction.OBJECTION, "登记公示异议", city)
    ]


# --- Recognition ------------------------------------------------------------------------------------


def recognise(application, user):
    return application_transition(
        application=application,
        action="recognise",
        user=user,
        version=state_version(application),
        effect_kwargs={"document_number": f"绍市监管〔{TODAY.year}〕12号", "recognised_on": TODAY},
    )


def state_version(application):
    return Application.objects.values_list("version", flat=True).get(pk=application.pk)


def test_recognise_before_period_ends_refused_with_end_date(running, city):
    publicity, application = running

    with pytest.raises(ValidationError) as raised:
        recognise(application, city)

    assert raised.value.messages == [f"公示期尚未结束，不能认定。公示至{cn(publicity.ends_on)}。"]
    assert state_of(application) == State.IN_PUBLICITY
    assert list(Base.objects.all()) == []


def test_recognise_with_objection_unanswered_refused(city):
    application = accepted(city)
    publicity = open_publicity(city, [application], began_days_ago=10)
    objection(publicity, application, city)

    with pytest.raises(ValidationError) as raised:
        recognise(application, city)

    assert raised.value.messages == ["公示期间的异议尚未全部书面答复处理，不能认定。"]
    assert state_of(application) == State.IN_PUBLICITY


def test_recognise_with_upheld_objection_refused_and_reject_after_publicity_allowed(city):
    application = accepted(city)
    publicity = open_publicity(city, [application], began_days_ago=10)
    raised = objection(publicity, application, city)
    services.objection_answer(objection=raised, user=applicant_of(application), answer="培训记录真实。")
    services.objection_reply(
        objection=raised, user=city, outcome=ObjectionOutcome.UPHELD, reply="经核查，培训记录系补签，异议成立。"
    )

    with pytest.raises(ValidationError) as raised:
        recognise(application, city)
    rejected = application_transition(
        application=application,
        action="reject_after_publicity",
        user=city,
        version=state_version(application),
        comment="异议成立，不予认定。",
    )

    assert raised.value.messages == ["存在成立的异议，不能认定；请执行“公示后不予认定”。"]
    assert rejected.state == State.FAILED
    assert list(Base.objects.all()) == []


def test_reject_after_publicity_without_upheld_objection_refused(city):
    application = accepted(city)
    open_publicity(city, [application], began_days_ago=10)

    with pytest.raises(ValidationError) as raised:
        application_transition(
            application=application,
            action="reject_after_publicity",
            user=city,
            version=state_version(application),
            comment="不予认定。",
        )

    assert raised.value.messages == ["没有成立的异议，不能以异议为由不予认定。"]


def test_publicity_recognise_all_pending_with_one_document_number(city):
    apps = [accepted(city) for _ in range(3)]
    publicity = open_publicity(city, apps, began_days_ago=10)
    number = f"绍市监管〔{TODAY.year}〕12号"

    done = services.publicity_recognise(publicity=publicity, user=city, document_number=number, recognised_on=TODAY)

    assert {a.pk for a in done} == {a.pk for a in apps}
    assert {state_of(a) for a in apps} == {State.RECOGNISED}
    assert set(Base.objects.values_list("application_id", "document_number", "recognised_on", "status", "level")) == {
        (a.pk, number, TODAY, "valid", "city") for a in apps
    }
    assert [a.log.filter(transition="recognise").count() for a in apps] == [1, 1, 1]


def test_publicity_recognise_one_objection_pending_none_recognised(city):
    apps = [accepted(city) for _ in range(2)]
    publicity = open_publicity(city, apps, began_days_ago=10)
    objection(publicity, apps[1], city)

    with pytest.raises(ValidationError):
        services.publicity_recognise(
            publicity=publicity, user=city, document_number=f"绍市监管〔{TODAY.year}〕12号", recognised_on=TODAY
        )

    assert {state_of(a) for a in apps} == {State.IN_PUBLICITY}
    assert list(Base.objects.all()) == []


@pytest.mark.parametrize(
    "number, valid",
    [
        ("绍市监管〔2026〕12号", True),
        ("绍市监管[2026]12", False),
        ("2026-12", False),
        ("绍市监管〔2026〕12", False),
    ],
)
def test_recognition_form_document_number_format(number, valid):
    form = RecognitionForm(
        {"document_number": number, "recognised_on": TODAY.isoformat()}, application=None, user=None, declared={}
    )

    assert (form.is_valid(), set(form.errors)) == ((True, set()) if valid else (False, {"document_number"}))


# --- Revocation -----------------------------------------------------------


# --- Revocation: 撤销告知, 陈述申辩, decision (第十五条) -------------------------------------------------------


def serve(application, city, *, served_on=TODAY):
    return services.revocation_notice_serve(
        application=application, user=city, ground="dishonesty", facts="列入严重失信名单。", served_on=served_on
    )


def decide(application, city, revoked_on=TODAY, reasons="申辩理由不成立。"):
    return application_transition(
        application=application,
        action="revoke",
        user=city,
        version=state_version(application),
        effect_kwargs={
            "reasons": reasons,
            "document_number": f"绍市监管〔{TODAY.year}〕20号",
            "revoked_on": revoked_on,
        },
    )


def test_revoke_without_a_notice_refused_base_stays_valid(city):
    application = ApplicationFactory(recognised=True, advance_with={"city_user": city})

    with pytest.raises(ValidationError) as raised:
        decide(application, city)

    assert raised.value.messages == ["撤销认定前须先向该单位送达撤销告知（第十五条），听取其陈述申辩。"]
    assert (state_of(application), Base.objects.get(application=application).status) == (State.RECOGNISED, "valid")


def test_revoke_while_the_statement_period_runs_refused(city):
    application = ApplicationFactory(recognised=True, advance_with={"city_user": city})
    case = serve(application, city)

    with pytest.raises(ValidationError) as raised:
        decide(application, city)

    assert raised.value.messages == [
        f"申报单位可在{cn(case.statement_due)}前陈述申辩，期满或收到陈述申辩后方可作出决定。"
    ]
    assert case.statement_due == working_calendar().add_working_days(TODAY + datetime.timedelta(days=1), 5)


def test_revoke_after_the_statement_marks_base_revoked_with_the_notice_s_ground(city):
    application = ApplicationFactory(recognised=True, advance_with={"city_user": city})
    case = serve(application, city)
    services.revocation_statement_submit(case=case, user=applicant_of(application), statement="已整改完毕。")

    with pytest.raises(ValidationError) as without_reasons:
        decide(application, city, reasons="")
    decide(application, city)

    assert without_reasons.value.messages == ["申报单位已陈述申辩，请写明对其意见的采纳情况及理由。"]
    assert Base.objects.values_list(
        "status", "revoked_on", "revocation_ground", "revocation_details", "revocation_document"
    ).get(application=application) == (
        "revoked",
        TODAY,
        "dishonesty",
        "列入严重失信名单。",
        f"绍市监管〔{TODAY.year}〕20号",
    )
    case.refresh_from_db()
    assert (case.status, case.decided_on, case.decision_reasons) == ("revoked", TODAY, "申辩理由不成立。")
    assert state_of(application) == State.REVOKED


def test_revoke_backdated_before_the_statement_refused_ban_runs_from_the_decision(city):
    application = ApplicationFactory(recognised=True, advance_with={"city_user": city})
    case = serve(application, city)
    services.revocation_statement_submit(case=case, user=applicant_of(application), statement="已整改。")

    with pytest.raises(ValidationError) as raised:
        decide(application, city, revoked_on=datetime.date(2000, 1, 1))
    decide(application, city)

    assert raised.value.messages == [f"日期不能早于陈述申辩提交日（{cn(TODAY)}）。"]
    free_on = application.organisation.may_apply_again_on()
    assert (free_on.year, free_on.month) == (TODAY.year + 2, TODAY.month)


def test_revoke_after_the_period_lapsed_without_statement(city):
    application = ApplicationFactory(recognised=True, advance_with={"city_user": city})
    case = serve(application, city)
    RevocationCase.objects.filter(pk=case.pk).update(
        served_on=TODAY - datetime.timedelta(days=20), statement_due=TODAY - datetime.timedelta(days=2)
    )

    decide(application, city, reasons="")

    assert state_of(application) == State.REVOKED


def test_revocation_notice_refusals(city):
    application = ApplicationFactory(recognised=True, advance_with={"city_user": city})
    recognised_on = Base.objects.get(application=application).recognised_on

    with pytest.raises(ValidationError) as backdated:
        serve(application, city, served_on=recognised_on - datetime.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        serve(application, UserFactory(county_staff=True))
    serve(application, city)
    with pytest.raises(ValidationError) as twice:
        serve(application, city)

    assert backdated.value.messages == [f"日期不能早于认定日期（{cn(recognised_on)}）。"]
    assert twice.value.messages == ["该基地已有一项正在办理的撤销程序。"]


def test_revocation_statement_only_by_the_organisation_within_the_period(city):
    application = ApplicationFactory(recognised=True, advance_with={"city_user": city})
    case = serve(application, city)

    with pytest.raises(PermissionDenied):
        services.revocation_statement_submit(case=case, user=UserFactory(applicant=True), statement="冒名。")
    RevocationCase.objects.filter(pk=case.pk).update(statement_due=TODAY - datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as late:
        services.revocation_statement_submit(case=case, user=applicant_of(application), statement="迟到。")

    assert late.value.messages == [f"陈述申辩期已于{cn(TODAY - datetime.timedelta(days=1))}届满。"]


def test_revocation_case_closed_base_stays_valid_and_a_new_notice_may_follow(city):
    application = ApplicationFactory(recognised=True, advance_with={"city_user": city})
    case = serve(application, city)
    services.revocation_statement_submit(case=case, user=applicant_of(application), statement="证据显示系误列。")

    services.revocation_case_close(case=case, user=city, reasons="经复核，失信记录已更正。", decided_on=TODAY)

    case.refresh_from_db()
    assert (case.status, state_of(application), Base.objects.get(application=application).status) == (
        "closed",
        State.RECOGNISED,
        "valid",
    )
    assert serve(application, city).status == "open"
