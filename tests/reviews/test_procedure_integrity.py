"""What the notice's procedure forbids, refused on the server whatever is posted: a 公示 that begins
in the past or whose end is typed, dates before the step they follow or after today, objections
to applications no longer in 公示, upholding an objection the applicant was not heard on (the upward
recommendations' own rules are in test_upward_recommendations.py)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from bases.choices import AcceptanceKind, ObjectionOutcome, State
from bases.dates import cn_date
from bases.models import Application
from bases.selectors import working_calendar
from bases.services import application_transition
from reviews import services
from reviews.models import Objection, Publicity
from tests.factories import (
    ApplicationFactory,
    UserFactory,
    add_signed_form,
    advance,
    applicant_of,
    backdate_publicity,
    county,
)
from tests.helpers import field_groups, list_items

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)
TOMORROW = TODAY + datetime.timedelta(days=1)


@pytest.fixture
def city():
    return UserFactory(city_reviewer=True)


def state_of(application):
    return Application.objects.values_list("state", flat=True).get(pk=application.pk)


# --- 公示: from today, its end computed ---------------------------------------------------------------


def test_publicity_starting_yesterday_refused_nothing_opened(city):
    application = ApplicationFactory(accepted=True, advance_with={"city_user": city})

    with pytest.raises(ValidationError) as raised:
        services.publicity_open(
            applications=[(application, application.version)], user=city, title="公示", starts_on=YESTERDAY
        )

    assert raised.value.messages == [f"公示开始日期不能早于今天（{cn_date(TODAY)}）。"]
    assert (list(Publicity.objects.all()), state_of(application)) == ([], State.ACCEPTED)


def test_publicity_end_computed_from_working_days_whatever_is_posted(client, city):
    application = ApplicationFactory(accepted=True, advance_with={"city_user": city})
    client.force_login(city)
    data = {
        "applications": [application.pk],
        f"version_{application.pk}": application.version,
        "title": "公示",
        "starts_on": TODAY.isoformat(),
        "ends_on": TOMORROW.isoformat(),  # crafted: ignored, the end is computed
        "confirm": "1",
    }

    client.post(reverse("reviews:publicity-open"), data)

    publicity = Publicity.objects.get()
    assert (publicity.starts_on, publicity.ends_on) == (TODAY, working_calendar().add_working_days(TODAY, 5))


@pytest.mark.parametrize("starts_on", [YESTERDAY, datetime.date(2000, 1, 1), datetime.date(9999, 12, 31)])
def test_publicity_form_out_of_range_start_refused_at_the_field(client, city, starts_on):
    application = ApplicationFactory(accepted=True, advance_with={"city_user": city})
    client.force_login(city)

    response = client.post(
        reverse("reviews:publicity-open"),
        {"applications": [application.pk], "title": "公示", "starts_on": starts_on.isoformat(), "confirm": "1"},
    )

    assert response.status_code == 400
    assert field_groups(response)["starts_on"].errors != []
    assert list(Publicity.objects.all()) == []


def test_publicity_page_ticks_nothing_and_confirms_how_many_and_which(client, city):
    first, second = (ApplicationFactory(accepted=True, advance_with={"city_user": city}) for _ in range(2))
    client.force_login(city)
    page = client.get(reverse("reviews:publicity-open")).content.decode()

    preview = client.post(
        reverse("reviews:publicity-open"),
        {
            "applications": [second.pk],
            f"version_{second.pk}": second.version,
            "title": "公示",
            "starts_on": TODAY.isoformat(),
        },
    )

    assert " checked" not in page
    assert "请确认：对以下 1 份申报发起公示" in preview.content.decode()
    assert second.reference in preview.content.decode() and first.reference not in preview.content.decode()
    assert list(Publicity.objects.all()) == []  # nothing opened until confirmed


def test_publicity_over_national_day_ends_on_the_right_working_day(city, monkeypatch):
    application = ApplicationFactory(accepted=True, advance_with={"city_user": city})
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: datetime.date(2026, 9, 30))

    publicity = services.publicity_open(
        applications=[(application, application.version)], user=city, title="公示", starts_on=datetime.date(2026, 9, 30)
    )

    assert publicity.ends_on == datetime.date(2026, 10, 12)


# --- Every procedural date between the step before and today -----------------------------------------


def test_recommendation_opinion_dated_before_submission_or_tomorrow_refused():
    clerk = UserFactory(county_staff=True, county=county("越城区"))
    application = ApplicationFactory(submitted=True, organisation__county=county("越城区"))
    add_signed_form(application)
    opinion = {"opinion": "同意推荐。", "signer": "陈"}

    for day, message in (
        (YESTERDAY, f"日期不能早于申报提交日（{cn_date(TODAY)}）。"),
        (TOMORROW, f"日期不能晚于今天（{cn_date(TODAY)}）。"),
    ):
        with pytest.raises(ValidationError) as raised:
            application_transition(
                application=application,
                action="recommend",
                user=clerk,
                version=application.version,
                method_kwargs={**opinion, "signed_on": day},
            )
        assert raised.value.messages == [message]
    assert state_of(application) == State.SUBMITTED


def test_acceptance_record_before_the_group_was_formed_refused():
    leader = UserFactory(city_reviewer=True)
    application = ApplicationFactory(in_acceptance=True, advance_with={"city_user": leader})

    with pytest.raises(ValidationError) as raised:
        services.acceptance_record_add(
            application=application,
            user=leader,
            kind=AcceptanceKind.MEETING,
            held_on=YESTERDAY,
            members="组",
            findings="好。",
        )

    assert raised.value.messages == [f"日期不能早于验收组组建日（{cn_date(TODAY)}）。"]


def test_acceptance_opinion_before_the_latest_record_refused():
    leader = UserFactory(city_reviewer=True)
    application = ApplicationFactory(in_acceptance=True, advance_with={"city_user": leader})
    for kind in (AcceptanceKind.WRITTEN_REVIEW, AcceptanceKind.MEETING):
        services.acceptance_record_add(
            application=application, user=leader, kind=kind, held_on=TODAY, members="组", findings="好。"
        )

    with pytest.raises(ValidationError) as raised:
        application_transition(
            application=Application.objects.get(pk=application.pk),
            action="pass_acceptance",
            user=leader,
            version=Application.objects.get(pk=application.pk).version,
            method_kwargs={"opinion": "通过。", "signer": "沈", "signed_on": YESTERDAY},
        )

    assert raised.value.messages == [f"日期不能早于最近一次验收记录的日期（{cn_date(TODAY)}）。"]


def test_recognition_dated_within_the_publicity_refused(city):
    application = advance(ApplicationFactory(complete=True), State.IN_PUBLICITY, city_user=city, publicity_ended=True)
    publicity = application.publicities.get()

    with pytest.raises(ValidationError) as raised:
        services.publicity_recognise(
            publicity=publicity, user=city, document_number="绍市监管〔2026〕9号", recognised_on=publicity.ends_on
        )

    day_after = publicity.ends_on + datetime.timedelta(days=1)
    assert raised.value.messages == [f"日期不能早于公示期满次日（{cn_date(day_after)}）。"]
    assert state_of(application) == State.IN_PUBLICITY


def test_recognition_before_the_real_period_passed_refused(city):
    application = advance(ApplicationFactory(complete=True), State.IN_PUBLICITY, city_user=city)

    with pytest.raises(ValidationError) as raised:
        services.publicity_recognise(
            publicity=application.publicities.get(),
            user=city,
            document_number="绍市监管〔2026〕9号",
            recognised_on=TODAY,
        )

    assert raised.value.messages[0].startswith("公示期尚未结束，不能认定。")


def test_guidance_visit_before_the_candidate_was_registered_refused():
    clerk = UserFactory(county_staff=True, county=county("越城区"))
    candidate = ApplicationFactory(cultivation=True, organisation__county=county("越城区"))

    with pytest.raises(ValidationError) as raised:
        services.guidance_add(application=candidate, user=clerk, visited_on=YESTERDAY, officer="陈", content="指导。")

    assert raised.value.messages == [f"日期不能早于登记日（{cn_date(TODAY)}）。"]


# --- Objections: only in 公示, heard before upheld ---------------------------------------------------------


def test_objection_to_an_application_already_recognised_refused(city):
    recognised = ApplicationFactory(recognised=True, advance_with={"city_user": city})
    publicity = recognised.publicities.get()

    with pytest.raises(ValidationError) as raised:
        services.objection_add(
            publicity=publicity,
            application=recognised,
            user=city,
            name="赵明",
            phone="13857500000",
            reasons="理由。",
            received_on=publicity.starts_on,
        )

    assert raised.value.messages == ["该申报不在本次公示中，或已办结，不能再对其提出异议。"]
    assert list(Objection.objects.all()) == []


def test_objection_upheld_only_after_the_applicant_was_heard_or_the_time_passed(city):
    application = advance(ApplicationFactory(complete=True), State.IN_PUBLICITY, city_user=city)
    publicity = application.publicities.get()
    objection = services.objection_add(
        publicity=publicity,
        application=application,
        user=city,
        name="赵明",
        phone="13857500000",
        reasons="理由。",
        received_on=TODAY,
    )

    with pytest.raises(ValidationError) as unheard:
        services.objection_reply(objection=objection, user=city, outcome=ObjectionOutcome.UPHELD, reply="成立。")
    dismissed = services.objection_reply(
        objection=objection, user=city, outcome=ObjectionOutcome.DISMISSED, reply="不成立。"
    )
    Objection.objects.filter(pk=objection.pk).update(answer_due=YESTERDAY)  # the time given has passed
    upheld = services.objection_reply(objection=objection, user=city, outcome=ObjectionOutcome.UPHELD, reply="成立。")

    assert unheard.value.code == "unheard"
    assert (dismissed.outcome, upheld.outcome) == (ObjectionOutcome.DISMISSED, ObjectionOutcome.UPHELD)


def test_objection_answer_only_by_the_applicant_and_only_before_the_reply(city):
    application = advance(ApplicationFactory(complete=True), State.IN_PUBLICITY, city_user=city)
    objection = services.objection_add(
        publicity=application.publicities.get(),
        application=application,
        user=city,
        name="赵明",
        phone="13857500000",
        reasons="理由。",
        received_on=TODAY,
    )

    with pytest.raises(Exception) as stranger:
        services.objection_answer(objection=objection, user=UserFactory(applicant=True), answer="冒名。")
    answered = services.objection_answer(objection=objection, user=applicant_of(application), answer="说明。")
    services.objection_reply(objection=objection, user=city, outcome=ObjectionOutcome.DISMISSED, reply="不成立。")
    with pytest.raises(ValidationError) as late:
        services.objection_answer(objection=objection, user=applicant_of(application), answer="再说明。")

    assert stranger.type.__name__ == "PermissionDenied"
    assert answered.answer == "说明。"
    assert late.value.messages == ["该异议已答复处理，不能再提交说明。"]


def test_objection_form_with_an_error_keeps_what_was_typed(client, city):
    application = advance(ApplicationFactory(complete=True), State.IN_PUBLICITY, city_user=city)
    publicity = application.publicities.get()
    client.force_login(city)
    typed = {
        "application": str(application.pk),
        "name": "赵明",
        "organisation": "某公司",
        "reasons": "理由很长。",
    }

    response = client.post(
        reverse("reviews:objection-add", args=[publicity.pk]), {**typed, "phone": "", "received_on": TODAY.isoformat()}
    )

    groups = field_groups(response)
    assert response.status_code == 400
    assert groups["phone"].errors == ["请填写联系电话。"]
    assert {name: groups[name].value for name in typed} == typed
    assert list(Objection.objects.all()) == []


# --- After recognition: nothing left to act on ---------------------------------------------------------------


def test_publicity_closed_when_its_last_application_is_recognised_and_offers_no_action(client, city):
    application = ApplicationFactory(recognised=True, advance_with={"city_user": city})
    publicity = Publicity.objects.get()
    client.force_login(city)

    page = client.get(reverse("reviews:publicity-detail", args=[publicity.pk])).content.decode()

    assert publicity.closed_at is not None
    assert "已办结" in page and "结束公示" not in page and "发文认定（" not in page
    detail = client.get(reverse("reviews:application-detail", args=[application.pk])).content.decode()
    assert "已办结" in detail and "当前环节办理单位" not in detail


def test_recognise_page_lists_no_action_once_the_publicity_is_over(client, city):
    application = advance(ApplicationFactory(complete=True), State.IN_PUBLICITY, city_user=city, publicity_ended=True)
    backdate_publicity(application.publicities.get(), days=12)
    client.force_login(city)

    page = client.get(reverse("reviews:publicity-detail", args=[application.publicities.get().pk]))

    assert list_items(page, "refusals") == []
    assert "公示期已满，待认定" in page.content.decode()
