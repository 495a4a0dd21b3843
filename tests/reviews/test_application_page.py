"""The application page as the applicant and the bureaus use it: what is missing before submitting
(with links to mend it), confirmation only once nothing is, destructive actions apart, the reason
an action cannot be taken yet, and small forms that keep their input on error."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from bases.services import application_transition
from reviews.models import GuidanceVisit
from tests.factories import ApplicationFactory, UserFactory, add_evidence, county, form_data
from tests.helpers import field_groups, list_items

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def detail(client, application):
    return client.get(reverse("reviews:application-detail", args=[application.pk]))


def test_incomplete_draft_disabled_submit_with_count_and_a_link_to_each_missing_item(client):
    application = ApplicationFactory(complete=True, narrative="太短")
    client.force_login(application.created_by)

    page = detail(client, application)
    html = page.content.decode()

    problems = application.submission_problems()
    links = re.findall(r'<ul class="problems">(.*?)</ul>', html, re.S)[0]
    edit = reverse("bases:application-edit", args=[application.pk])
    assert list_items(page, "problems") == list(problems)
    assert f'href="{edit}#id_narrative"' in links
    assert 'href="?condition=point-1#upload"' in links
    assert f"提交申报（还有 {len(problems)} 项未完成）" in html
    assert re.search(r'<button type="button" class="primary" disabled[^>]*>提交申报', html)
    assert 'data-confirm="提交后将不能修改' not in html  # no confirmation before what is missing is shown


def test_complete_draft_submit_asks_for_confirmation(client):
    application = ApplicationFactory(complete=True)
    add_evidence(application)
    client.force_login(application.created_by)

    html = detail(client, application).content.decode()

    assert 'data-confirm="提交后将不能修改，确定提交申报吗？"' in html
    assert "申报表、条件自评和证明材料已齐全，可以提交。" in html


def test_withdraw_stands_apart_on_its_own_page_with_confirmation(client):
    application = ApplicationFactory(complete=True)
    client.force_login(application.created_by)

    html = detail(client, application).content.decode()
    page = client.get(reverse("reviews:application-transition", args=[application.pk, "withdraw"]))

    actions = re.search(
        r'<div class="card" id="actions">(.*?)<section class="card" aria-labelledby="progress-h">', html, re.S
    )[1]
    apart = re.search(r'<section class="card apart"(.*?)</section>', html, re.S)[1]
    assert "撤回申报" not in actions
    assert "撤回申报…" in apart
    assert 'data-confirm="撤回后本批次的这份申报即告终止' in page.content.decode()
    assert set(field_groups(page)) == {"comment"}


def test_member_sees_why_acceptance_cannot_pass_yet(client):
    leader = UserFactory(city_reviewer=True)
    application = ApplicationFactory(in_acceptance=True, advance_with={"city_user": leader})
    client.force_login(leader)

    page = detail(client, application)

    refused = page.content.decode().split('class="refused"')[1].split("</div>")[0]
    assert "<strong>验收通过</strong>：验收通过前须至少记录书面预审和会议验收情况。" in refused


def test_guidance_form_with_an_error_keeps_the_input_and_marks_the_field(client):
    clerk = UserFactory(county_staff=True, county=county("越城区"))
    candidate = ApplicationFactory(cultivation=True, organisation__county=county("越城区"))
    client.force_login(clerk)

    response = client.post(
        reverse("reviews:guidance-add", args=[candidate.pk]),
        {"visited_on": TODAY.isoformat(), "officer": "陈志明", "content": ""},
    )

    groups = field_groups(response)
    assert response.status_code == 400
    assert (groups["officer"].value, groups["content"].errors) == ("陈志明", ["请填写指导内容。"])
    assert 'aria-invalid="true"' in response.content.decode()
    assert response.content.decode().count("<title>错误：") == 1
    assert list(GuidanceVisit.objects.all()) == []


def test_start_opens_the_form_and_the_form_links_each_condition_to_its_evidence(client):
    application = ApplicationFactory(cultivation=True)
    applicant = UserFactory(role="applicant", organisation=application.organisation)
    client.force_login(applicant)

    response = client.post(
        reverse("reviews:application-transition", args=[application.pk, "start"]),
        {"version": application.version},
        follow=True,
    )

    edit = reverse("bases:application-edit", args=[application.pk])
    assert response.redirect_chain == [(edit, 302)]
    detail_url = reverse("reviews:application-detail", args=[application.pk])
    assert f"{detail_url}?condition=point-3#upload" in response.content.decode()
    assert 'name="intent" value="upload"' in response.content.decode()


# --- The form -----------------------------------------------------------------------------------------


def test_form_marks_every_field_required_on_submission_from_the_start(client):
    application = ApplicationFactory()
    client.force_login(application.created_by)

    page = client.get(reverse("bases:application-edit", args=[application.pk]))

    marks = re.findall(r'<label for="id_(\w+)">[^<]*<span class="required-mark"', page.content.decode())
    assert {f.name for f in application.spec.fields} | {"narrative", "applicant_opinion"} <= set(marks)
    assert page.content.decode().count("（提交时必填）") > len(application.spec.fields)


def test_returned_form_shows_the_reasons_on_top_and_flags_each_item(client):
    application = ApplicationFactory(submitted=True)
    add_evidence(application)
    clerk = UserFactory(county_staff=True, county=application.organisation.county)
    application_transition(
        application=application,
        action="return_for_changes",
        user=clerk,
        version=application.version,
        comment="联系电话有误；第十条（三）缺全员轮训签到表。",
        details={
            "items": [
                {"key": "contact_phone", "label": "联系电话"},
                {"key": "point-3", "label": "第十条（三）制度建设完善"},
            ]
        },
    )
    client.force_login(application.created_by)

    page = client.get(reverse("bases:application-edit", args=[application.pk]))
    html = page.content.decode()

    assert (
        "联系电话有误；第十条（三）缺全员轮训签到表。"
        in html.split('<section class="returned card"')[1].split("</section>")[0]
    )
    assert '<a href="#id_contact_phone">联系电话</a>' in html
    assert '<a href="#cond-point-3">第十条（三）制度建设完善</a>' in html
    assert 'id="id_contact_phone_flag"' in html and 'aria-describedby="id_contact_phone_flag' in html
    assert re.search(r'<div class="condition flagged" id="cond-point-3">', html)


def test_form_submit_with_gaps_keeps_input_and_focusable_summary_links_to_fields(client):
    application = ApplicationFactory()
    client.force_login(application.created_by)

    response = client.post(
        reverse("bases:application-edit", args=[application.pk]),
        form_data(application, intent="check", postcode="12", leader_name="王某"),
    )

    html = response.content.decode()
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    assert response.status_code == 400
    assert "<title>错误：" in html and "data-focus" in summary
    assert '<a href="#id_postcode">邮政编码：邮政编码应为6位数字。</a>' in summary
    assert field_groups(response)["leader_name"].value == "王某"
    assert "红" not in summary  # says where, not which colour
