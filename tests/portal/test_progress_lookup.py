"""办件进度查询: by the reference number and the 查询码 of the 申报回执 together (reference numbers are
sequential and credit codes public, so neither alone opens anything), throttled; the steps and their
dates, the office that has the application now and the next step, nothing else."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from bases import selectors
from bases.choices import State
from tests.factories import ApplicationFactory, UserFactory
from tests.helpers import lookup_code_of

pytestmark = pytest.mark.django_db

URL = reverse("portal:progress-lookup")


def ask(client, reference, code, ip="203.0.113.20"):
    return client.post(URL, {"reference": reference, "code": code}, REMOTE_ADDR=ip)


def test_reference_and_code_show_the_steps_dates_office_and_next_step_only(client):
    city = UserFactory(city_reviewer=True, last_name="沈审核")
    application = ApplicationFactory(complete=True, advanced_to=State.IN_ACCEPTANCE, advance_with={"city_user": city})

    response = ask(client, application.reference.lower(), lookup_code_of(application).lower())

    html = response.content.decode()
    assert response.status_code == 200
    steps = re.findall(r'<li class="(\w+)"[^>]*>([^<]+)<span', html)
    assert steps == [
        ("skipped", "培育指导"),
        ("done", "自主申报"),
        ("done", "审核推荐"),
        ("current", "组织验收"),
        ("todo", "报批"),
        ("todo", "公示"),
        ("todo", "发文认定"),
    ]
    today = timezone.localdate()
    assert html.count(f"{today.year}年{today.month}月{today.day}日") == 2  # 自主申报, 审核推荐
    assert "当前办理单位</dt><dd>绍兴市市场监督管理局" in html
    assert "验收组开展书面预审、重点抽查、会议验收和实地考察" in html
    organisation = application.organisation
    shown = [
        text
        for text in (
            organisation.name,
            organisation.credit_code,
            "沈审核",  # a reviewer
            "经审核，材料真实完整",  # the county's opinion
            "验收组：",  # the log's comment naming the acceptance group
            application.contact_phone,
        )
        if text in html
    ]
    assert shown == []


def test_a_returned_application_is_with_the_applicant_without_naming_it(client):
    application = ApplicationFactory(complete=True, advanced_to=State.RETURNED)

    html = ask(client, application.reference, lookup_code_of(application)).content.decode()

    assert "当前办理单位</dt><dd>申报单位</dd>" in html
    assert application.organisation.name not in html and "请补充材料" not in html


def test_a_wrong_code_an_unknown_reference_and_a_draft_get_the_same_answer(client):
    submitted = ApplicationFactory(complete=True, advanced_to=State.SUBMITTED)
    draft = ApplicationFactory(complete=True)
    other = ApplicationFactory(complete=True, advanced_to=State.SUBMITTED)

    answers = [
        ask(client, submitted.reference, "ABCDEFGH"),
        ask(client, "SX2099P9999", lookup_code_of(submitted)),
        ask(client, draft.reference, "ABCDEFGH"),
        ask(client, submitted.reference, lookup_code_of(other)),
        ask(client, submitted.reference, lookup_code_of(submitted) + "X"),
    ]

    assert {a.status_code for a in answers} == {400}
    bodies = {re.sub(r"value=\"[^\"]*\"|csrfmiddlewaretoken[^>]*", "", a.content.decode()) for a in answers}
    assert len(bodies) == 1 and "编号或查询码不正确" in bodies.pop()


def test_the_selector_opens_nothing_without_both(db):
    application = ApplicationFactory(complete=True, advanced_to=State.SUBMITTED)

    assert selectors.application_by_lookup(application.reference, lookup_code_of(application)) == application
    assert selectors.application_by_lookup(application.reference, "") is None
    assert selectors.application_by_lookup("", lookup_code_of(application)) is None
    assert selectors.application_by_lookup(application.reference, "é" * 8) is None
    assert selectors.application_by_lookup("x" * 5000, lookup_code_of(application)) is None


def test_lookups_are_throttled_per_client_address(client):
    application = ApplicationFactory(complete=True, advanced_to=State.SUBMITTED)

    statuses = [ask(client, application.reference, "WRONG123", ip="192.0.2.50").status_code for _ in range(21)]

    assert statuses == [400] * 20 + [429]
    assert ask(client, application.reference, lookup_code_of(application), ip="192.0.2.50").status_code == 429
    assert ask(client, application.reference, lookup_code_of(application), ip="192.0.2.51").status_code == 200
